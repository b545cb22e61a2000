/**
 * Parameter sampling for the workload's query types: pure helpers that draw from the same model
 * as the dataset generator (bench/dataset/model.ts, datasets/README.md), so windows, points,
 * layers and time ranges land where the data is. Every helper takes the caller's seeded uniform
 * [0,1) source and nothing else random: the same stream gives the same parameters.
 */
import {
  CITIES, CLUSTERED_SHARE, LAYER_COUNT, METERS_PER_DEGREE_LAT, MONTHS, POLYGON, TAGS, TIME_END_SEC, TIME_START_SEC,
  UNIFORM_BBOX, citySigmaKm, pickFromCdf, zipfCdf,
} from '../dataset/model.ts';

export type Rng = () => number;

export interface Point {
  readonly lon: number;
  readonly lat: number;
}

/** A drawn location and where it came from: a city (by name) or the uniform 'rural' share. */
export interface DrawnPoint extends Point {
  readonly place: string;
}

export interface Envelope {
  readonly minLon: number;
  readonly minLat: number;
  readonly maxLon: number;
  readonly maxLat: number;
}

/** A half-open time window [startSec, endSec), Unix seconds (UTC). */
export interface TimeWindow {
  readonly startSec: number;
  readonly endSec: number;
}

const CITY_CDF = zipfCdf(CITIES.length);
const LAYER_CDF = zipfCdf(LAYER_COUNT);
/** The generator's tag skew (zipf with s = 0.8, bench/dataset/generator.ts). */
const TAG_CDF = zipfCdf(TAGS.length, 0.8);
const CITY_SIGMA_M = CITIES.map((_, i) => citySigmaKm(i + 1) * 1000);

const DAY_SEC = 86_400;

/** Metres per degree of longitude at latitude `lat` (degrees). */
export function metersPerDegreeLon(lat: number): number {
  return METERS_PER_DEGREE_LAT * Math.cos((lat * Math.PI) / 180);
}

/** A standard normal deviate (Box–Muller, the generator's form). */
export function gaussian(rng: Rng): number {
  return Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
}

/** Uniform in [min, max). */
export function uniform(rng: Rng, min: number, max: number): number {
  return min + rng() * (max - min);
}

/** Uniform integer in [min, max] (both inclusive). */
export function uniformInt(rng: Rng, min: number, max: number): number {
  return min + Math.floor(rng() * (max - min + 1));
}

/** The gaussian spread (metres) of the cluster around CITIES[index]. */
export function citySigmaM(index: number): number {
  const s = CITY_SIGMA_M[index];
  if (s === undefined) throw new RangeError(`no city at index ${index}`);
  return s;
}

/**
 * A location with the dataset's distribution: 80% around a zipf-chosen city with the city's
 * gaussian spread, 20% uniform over the bounding box.
 */
export function drawPoint(rng: Rng): DrawnPoint {
  if (rng() < CLUSTERED_SHARE) {
    const i = pickFromCdf(CITY_CDF, rng());
    const city = CITIES[i]!;
    const sigma = CITY_SIGMA_M[i]!;
    const lat = city.lat + (gaussian(rng) * sigma) / METERS_PER_DEGREE_LAT;
    const lon = city.lon + (gaussian(rng) * sigma) / metersPerDegreeLon(city.lat);
    return { lon, lat, place: city.name };
  }
  return {
    lon: uniform(rng, UNIFORM_BBOX.minLon, UNIFORM_BBOX.maxLon),
    lat: uniform(rng, UNIFORM_BBOX.minLat, UNIFORM_BBOX.maxLat),
    place: 'rural',
  };
}

/** The square window `sideM` metres on a side centred on `center` (longitude scaled by cos(lat)). */
export function windowAround(center: Point, sideM: number): Envelope {
  const halfLat = sideM / 2 / METERS_PER_DEGREE_LAT;
  const halfLon = sideM / 2 / metersPerDegreeLon(center.lat);
  return { minLon: center.lon - halfLon, minLat: center.lat - halfLat, maxLon: center.lon + halfLon, maxLat: center.lat + halfLat };
}

/** A window around a model-drawn point, its side uniform in [minSideM, maxSideM). */
export function drawWindow(rng: Rng, minSideM: number, maxSideM: number): Envelope {
  const center = drawPoint(rng);
  return windowAround(center, uniform(rng, minSideM, maxSideM));
}

/** The ST_MakeEnvelope argument order: xmin, ymin, xmax, ymax. */
export function envelopeParams(e: Envelope): [number, number, number, number] {
  return [e.minLon, e.minLat, e.maxLon, e.maxLat];
}

/** A window of `durationSec` whose start is a whole second, uniform so the window lies inside [TIME_START_SEC, TIME_END_SEC). */
export function drawTimeWindow(rng: Rng, durationSec: number): TimeWindow {
  const latestStart = TIME_END_SEC - durationSec;
  if (latestStart < TIME_START_SEC) throw new RangeError(`a ${durationSec}s window does not fit in the data's time range`);
  const startSec = TIME_START_SEC + Math.floor(rng() * (latestStart - TIME_START_SEC + 1));
  return { startSec, endSec: startSec + durationSec };
}

/** A window of `days` whole days (86,400 s each) inside the data's range. */
export function drawDaysWindow(rng: Rng, days: number): TimeWindow {
  return drawTimeWindow(rng, days * DAY_SEC);
}

/** `months` consecutive calendar months (UTC boundaries), uniformly placed inside the data's months. */
export function drawMonthWindow(rng: Rng, months: number): TimeWindow {
  if (months < 1 || months > MONTHS) throw new RangeError(`a ${months}-month window does not fit in the data's ${MONTHS} months`);
  const first = new Date(TIME_START_SEC * 1000);
  const m = uniformInt(rng, 0, MONTHS - months);
  const startSec = Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + m, 1) / 1000;
  const endSec = Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + m + months, 1) / 1000;
  return { startSec, endSec };
}

/** A whole-second instant uniform in [TIME_START_SEC, TIME_END_SEC). */
export function drawInstantSec(rng: Rng): number {
  return TIME_START_SEC + Math.floor(rng() * (TIME_END_SEC - TIME_START_SEC));
}

/** ISO 8601 UTC text for a pg timestamptz parameter. */
export function isoFromSec(sec: number): string {
  return new Date(sec * 1000).toISOString();
}

/** A layer id 1..LAYER_COUNT with the dataset's zipf skew (layer k with p ∝ 1/k). */
export function drawLayer(rng: Rng): number {
  return pickFromCdf(LAYER_CDF, rng()) + 1;
}

/** A tag with the dataset's skew. */
export function drawTag(rng: Rng): string {
  return TAGS[pickFromCdf(TAG_CDF, rng())]!;
}

/** `count` dataset ids, each uniform in 1..totalRows (repeats possible, as in real traffic). */
export function drawIds(rng: Rng, count: number, totalRows: number): number[] {
  if (!Number.isSafeInteger(totalRows) || totalRows < 1) throw new RangeError(`totalRows must be a positive integer, got ${totalRows}`);
  const ids: number[] = [];
  for (let i = 0; i < count; i++) ids.push(1 + Math.floor(rng() * totalRows));
  return ids;
}

/** Coordinates as WKT text; JavaScript's shortest round-trip form keeps every bit. */
const xy = (lon: number, lat: number): string => `${lon} ${lat}`;

export function pointWkt(p: Point): string {
  return `POINT(${xy(p.lon, p.lat)})`;
}

/**
 * A small valid polygon around `center` with the dataset's polygon model: star-shaped, 5–12
 * vertices at strictly increasing angles, radius 5–250 m.
 */
export function drawPolygonWkt(rng: Rng, center: Point): string {
  const vertices = uniformInt(rng, POLYGON.minVertices, POLYGON.maxVertices);
  const radius = uniform(rng, POLYGON.minRadiusM, POLYGON.maxRadiusM);
  const mPerDegLon = metersPerDegreeLon(center.lat);
  const ring: string[] = [];
  for (let v = 0; v < vertices; v++) {
    const angle = ((v + 0.8 * rng()) * 2 * Math.PI) / vertices;
    const r = radius * (0.5 + 0.5 * rng());
    ring.push(xy(center.lon + (r * Math.cos(angle)) / mPerDegLon, center.lat + (r * Math.sin(angle)) / METERS_PER_DEGREE_LAT));
  }
  ring.push(ring[0]!);
  return `POLYGON((${ring.join(',')}))`;
}
