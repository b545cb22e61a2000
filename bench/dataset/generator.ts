import seedrandom from 'seedrandom';
import {
  ARRIVAL_JITTER_SEC, CHUNK_ROWS, CITIES, CLUSTERED_SHARE, KIND_SHARES, LAYER_COUNT, LINESTRING, MEAN_UPDATE_DELAY_SEC,
  METERS_PER_DEGREE_LAT, POLYGON, SOURCES, SRID, TAGS, TIME_END_SEC, TIME_START_SEC, UNIFORM_BBOX, UPDATED_SHARE,
  citySigmaKm, pickFromCdf, zipfCdf,
} from './model.ts';
import { Checksum, lanesToHex, type ChecksumValue } from './checksum.ts';
import { PG_EPOCH_SEC, writeTupleHead } from './tuple.ts';
import { WKB_LINESTRING, WKB_POINT, WKB_POLYGON, wkbLength, writeWkb } from './wkb.ts';

/** Identity of a dataset: everything its content depends on. */
export interface DatasetSpec {
  readonly seed: number;
  readonly totalRows: number;
}

export interface ChunkOutput {
  readonly chunkIndex: number;
  readonly firstId: number;
  readonly rows: number;
  /** Tuples in PostgreSQL binary COPY format (no header/trailer), columns as COPY_COLUMNS. */
  readonly copy: Uint8Array;
  readonly checksum: ChecksumValue;
  /** id → row hash (hex), only when asked for (verification drill-down). */
  readonly rowHashes?: Map<string, string>;
}

export { COPY_COLUMNS } from './tuple.ts';

// Module constants copied into locals: the hot loop reads them ~20 times per row.
const CITY_CDF = zipfCdf(CITIES.length);
const LAYER_CDF = zipfCdf(LAYER_COUNT);
const TAG_CDF = zipfCdf(TAGS.length, 0.8);
const MAX_COORDS = Math.max(POLYGON.maxVertices + 1, LINESTRING.maxVertices);
/** Upper bound of one tuple's bytes: fixed fields + props + the largest geometry. */
const MAX_TUPLE_BYTES = 51 + 160 + 4 + 8 + wkbLength(WKB_POLYGON, MAX_COORDS);
const cities = CITIES.map((c, i) => ({ ...c, sigmaM: citySigmaKm(i + 1) * 1000, mPerDegLon: METERS_PER_DEGREE_LAT * Math.cos((c.lat * Math.PI) / 180) }));
const tags = [...TAGS];
const M_PER_DEG_LAT = METERS_PER_DEGREE_LAT;
const P_CLUSTERED = CLUSTERED_SHARE;
const P_POINT = KIND_SHARES.point;
const P_POINT_OR_POLYGON = KIND_SHARES.point + KIND_SHARES.polygon;
const BBOX = { ...UNIFORM_BBOX };
const POLY = { ...POLYGON };
const LINE = { ...LINESTRING };
const T_START = TIME_START_SEC;
const T_END = TIME_END_SEC;
const JITTER = ARRIVAL_JITTER_SEC;
const P_UPDATED = UPDATED_SHARE;
const UPDATE_DELAY = MEAN_UPDATE_DELAY_SEC;
const N_SOURCES = SOURCES;
const SRID_4326 = SRID;

let scratch = Buffer.allocUnsafe(0);
function scratchFor(bytes: number): Buffer {
  if (scratch.length < bytes) scratch = Buffer.allocUnsafe(bytes);
  return scratch;
}

/** Rows in chunk `index` of a dataset with `totalRows` rows. */
export function chunkRows(totalRows: number, index: number): number {
  return Math.max(0, Math.min(CHUNK_ROWS, totalRows - index * CHUNK_ROWS));
}

/**
 * Generates chunk `chunkIndex`. Content depends only on (seed, totalRows, chunkIndex): the random
 * stream is seeded per chunk, so any worker count or order yields identical rows.
 */
export function generateChunk(spec: DatasetSpec, chunkIndex: number, options: { rowHashes?: boolean } = {}): ChunkOutput {
  const rng = seedrandom.alea(`geobench:${spec.seed}:${chunkIndex}`);
  const rows = chunkRows(spec.totalRows, chunkIndex);
  const firstId = chunkIndex * CHUNK_ROWS + 1;
  const buf = scratchFor(rows * MAX_TUPLE_BYTES);
  const coords = new Float64Array(2 * MAX_COORDS);
  const checksum = new Checksum();
  const rowHashes = options.rowHashes ? new Map<string, string>() : undefined;
  const span = T_END - T_START;
  const gauss = (): number => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
  let o = 0;

  for (let r = 0; r < rows; r++) {
    const id = firstId + r;
    // Where: 80% around a zipf-chosen city, 20% anywhere in Brazil's bounding box.
    let lon: number;
    let lat: number;
    let place: string;
    if (rng() < P_CLUSTERED) {
      const city = cities[pickFromCdf(CITY_CDF, rng())]!;
      lat = city.lat + (gauss() * city.sigmaM) / M_PER_DEG_LAT;
      lon = city.lon + (gauss() * city.sigmaM) / city.mPerDegLon;
      place = city.name;
    } else {
      lon = BBOX.minLon + rng() * (BBOX.maxLon - BBOX.minLon);
      lat = BBOX.minLat + rng() * (BBOX.maxLat - BBOX.minLat);
      place = 'rural';
    }
    const mPerDegLon = M_PER_DEG_LAT * Math.cos((lat * Math.PI) / 180);

    // What: point, star-shaped polygon (always valid: strictly increasing angles), or random-walk line.
    const k = rng();
    let type: number;
    let n: number;
    if (k < P_POINT) {
      type = WKB_POINT;
      n = 1;
      coords[0] = lon;
      coords[1] = lat;
    } else if (k < P_POINT_OR_POLYGON) {
      type = WKB_POLYGON;
      const vertices = POLY.minVertices + Math.floor(rng() * (POLY.maxVertices - POLY.minVertices + 1));
      const radius = POLY.minRadiusM + rng() * (POLY.maxRadiusM - POLY.minRadiusM);
      for (let v = 0; v < vertices; v++) {
        const angle = ((v + 0.8 * rng()) * 2 * Math.PI) / vertices;
        const rr = radius * (0.5 + 0.5 * rng());
        coords[2 * v] = lon + (rr * Math.cos(angle)) / mPerDegLon;
        coords[2 * v + 1] = lat + (rr * Math.sin(angle)) / M_PER_DEG_LAT;
      }
      coords[2 * vertices] = coords[0]!;
      coords[2 * vertices + 1] = coords[1]!;
      n = vertices + 1;
    } else {
      type = WKB_LINESTRING;
      n = LINE.minVertices + Math.floor(rng() * (LINE.maxVertices - LINE.minVertices + 1));
      let heading = rng() * 2 * Math.PI;
      let x = lon;
      let y = lat;
      for (let v = 0; v < n; v++) {
        coords[2 * v] = x;
        coords[2 * v + 1] = y;
        const step = LINE.minStepM + rng() * (LINE.maxStepM - LINE.minStepM);
        heading += 0.5 * gauss();
        x += (step * Math.cos(heading)) / mPerDegLon;
        y += (step * Math.sin(heading)) / M_PER_DEG_LAT;
      }
    }

    // When: ids follow arrival time (uniform over 36 months) with a few hours of jitter.
    const layerId = pickFromCdf(LAYER_CDF, rng()) + 1;
    const ideal = T_START + ((id - 1 + rng()) / spec.totalRows) * span + gauss() * JITTER;
    const created = Math.min(T_END - 1, Math.max(T_START, Math.floor(ideal)));
    const updated = rng() < P_UPDATED ? Math.min(T_END - 1, created + Math.floor(-Math.log(1 - rng()) * UPDATE_DELAY)) : created;
    const tag = tags[pickFromCdf(TAG_CDF, rng())]!;
    const source = 1 + Math.floor(rng() * N_SOURCES);
    // Canonical JSON (keys sorted, no spaces), as the verifier re-serializes what jsonb returns.
    const props = `{"name":"${place} ${tag} ${id}","source":${source},"tag":"${tag}"}`;

    const rowStart = o;
    o = writeTupleHead(buf, o, id, layerId, (created - PG_EPOCH_SEC) * 1e6, (updated - PG_EPOCH_SEC) * 1e6, props);
    buf.writeInt32BE(wkbLength(type, n) + 4, o);
    o = writeWkb(buf, o + 4, type, coords, n, SRID_4326);
    const fingerprint = checksum.addRow(buf, rowStart, o);
    rowHashes?.set(String(id), lanesToHex(fingerprint));
  }
  // An exact-size copy: the scratch buffer is reused, and a worker's result is structured-cloned
  // whole (a view would drag its entire backing buffer along).
  const copy = new Uint8Array(o);
  copy.set(buf.subarray(0, o));
  return { chunkIndex, firstId, rows, copy, checksum: checksum.value(), ...(rowHashes ? { rowHashes } : {}) };
}
