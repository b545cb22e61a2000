import seedrandom from 'seedrandom';
import {
  ARRIVAL_JITTER_SEC, CHUNK_ROWS, CITIES, CLUSTERED_SHARE, KIND_SHARES, LAYER_COUNT, LINESTRING, MEAN_UPDATE_DELAY_SEC,
  METERS_PER_DEGREE_LAT, POLYGON, SOURCES, SRID, TAGS, TIME_END_SEC, TIME_START_SEC, UNIFORM_BBOX, UPDATED_SHARE,
  citySigmaKm, pickFromCdf, zipfCdf,
} from './model.ts';
import { Checksum, hashRow, type ChecksumValue } from './checksum.ts';
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

/** Column order of the binary COPY tuples the generator writes. */
export const COPY_COLUMNS = ['id', 'layer_id', 'created_at', 'updated_at', 'props', 'geom'] as const;

const PG_EPOCH_SEC = Date.UTC(2000, 0, 1) / 1000;
const TWO_32 = 4294967296;
const CITY_CDF = zipfCdf(CITIES.length);
const LAYER_CDF = zipfCdf(LAYER_COUNT);
const TAG_CDF = zipfCdf(TAGS.length, 0.8);
const MAX_COORDS = Math.max(POLYGON.maxVertices + 1, LINESTRING.maxVertices);
/** Upper bound of one tuple's bytes: fixed fields + props + the largest geometry. */
const MAX_TUPLE_BYTES = 2 + 4 * 6 + 8 + 4 + 8 + 8 + 1 + 160 + 8 + wkbLength(WKB_POLYGON, MAX_COORDS);

function writeInt64(buf: Buffer, o: number, value: number): void {
  // value < 2^53: split into 32-bit halves (faster than BigInt)
  const hi = Math.floor(value / TWO_32);
  buf.writeInt32BE(hi, o);
  buf.writeUInt32BE(value - hi * TWO_32, o + 4);
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
  const buf = Buffer.allocUnsafe(rows * MAX_TUPLE_BYTES);
  const wkb = Buffer.allocUnsafe(wkbLength(WKB_POLYGON, MAX_COORDS));
  const coords = new Float64Array(2 * MAX_COORDS);
  const checksum = new Checksum();
  const rowHashes = options.rowHashes ? new Map<string, string>() : undefined;
  const span = TIME_END_SEC - TIME_START_SEC;
  const gauss = (): number => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
  let o = 0;

  for (let r = 0; r < rows; r++) {
    const id = firstId + r;
    // Where: 80% around a zipf-chosen city, 20% anywhere in Brazil's bounding box.
    let lon: number;
    let lat: number;
    let place: string;
    if (rng() < CLUSTERED_SHARE) {
      const c = pickFromCdf(CITY_CDF, rng());
      const city = CITIES[c]!;
      const sigmaM = citySigmaKm(c + 1) * 1000;
      lat = city.lat + (gauss() * sigmaM) / METERS_PER_DEGREE_LAT;
      lon = city.lon + (gauss() * sigmaM) / (METERS_PER_DEGREE_LAT * Math.cos((city.lat * Math.PI) / 180));
      place = city.name;
    } else {
      lon = UNIFORM_BBOX.minLon + rng() * (UNIFORM_BBOX.maxLon - UNIFORM_BBOX.minLon);
      lat = UNIFORM_BBOX.minLat + rng() * (UNIFORM_BBOX.maxLat - UNIFORM_BBOX.minLat);
      place = 'rural';
    }
    const mPerDegLon = METERS_PER_DEGREE_LAT * Math.cos((lat * Math.PI) / 180);

    // What: point, star-shaped polygon (always valid: strictly increasing angles), or random-walk line.
    const k = rng();
    let type: number;
    let n: number;
    if (k < KIND_SHARES.point) {
      type = WKB_POINT;
      n = 1;
      coords[0] = lon;
      coords[1] = lat;
    } else if (k < KIND_SHARES.point + KIND_SHARES.polygon) {
      type = WKB_POLYGON;
      const vertices = POLYGON.minVertices + Math.floor(rng() * (POLYGON.maxVertices - POLYGON.minVertices + 1));
      const radius = POLYGON.minRadiusM + rng() * (POLYGON.maxRadiusM - POLYGON.minRadiusM);
      for (let v = 0; v < vertices; v++) {
        const angle = ((v + 0.8 * rng()) * 2 * Math.PI) / vertices;
        const rr = radius * (0.5 + 0.5 * rng());
        coords[2 * v] = lon + (rr * Math.cos(angle)) / mPerDegLon;
        coords[2 * v + 1] = lat + (rr * Math.sin(angle)) / METERS_PER_DEGREE_LAT;
      }
      coords[2 * vertices] = coords[0]!;
      coords[2 * vertices + 1] = coords[1]!;
      n = vertices + 1;
    } else {
      type = WKB_LINESTRING;
      n = LINESTRING.minVertices + Math.floor(rng() * (LINESTRING.maxVertices - LINESTRING.minVertices + 1));
      let heading = rng() * 2 * Math.PI;
      let x = lon;
      let y = lat;
      for (let v = 0; v < n; v++) {
        coords[2 * v] = x;
        coords[2 * v + 1] = y;
        const step = LINESTRING.minStepM + rng() * (LINESTRING.maxStepM - LINESTRING.minStepM);
        heading += 0.5 * gauss();
        x += (step * Math.cos(heading)) / mPerDegLon;
        y += (step * Math.sin(heading)) / METERS_PER_DEGREE_LAT;
      }
    }

    // When: ids follow arrival time (uniform over 36 months) with a few hours of jitter.
    const layerId = pickFromCdf(LAYER_CDF, rng()) + 1;
    const ideal = TIME_START_SEC + ((id - 1 + rng()) / spec.totalRows) * span + gauss() * ARRIVAL_JITTER_SEC;
    const created = Math.min(TIME_END_SEC - 1, Math.max(TIME_START_SEC, Math.floor(ideal)));
    const updated = rng() < UPDATED_SHARE
      ? Math.min(TIME_END_SEC - 1, created + Math.floor(-Math.log(1 - rng()) * MEAN_UPDATE_DELAY_SEC))
      : created;
    const tag = TAGS[pickFromCdf(TAG_CDF, rng())]!;
    const source = 1 + Math.floor(rng() * SOURCES);
    // Canonical JSON (keys sorted), ASCII only, so string length = byte length.
    const props = `{"name":"${place} ${tag} ${id}","source":${source},"tag":"${tag}"}`;

    // Binary COPY tuple.
    buf.writeInt16BE(6, o);
    buf.writeInt32BE(8, o + 2);
    writeInt64(buf, o + 6, id);
    buf.writeInt32BE(4, o + 14);
    buf.writeInt32BE(layerId, o + 18);
    buf.writeInt32BE(8, o + 22);
    writeInt64(buf, o + 26, (created - PG_EPOCH_SEC) * 1e6);
    buf.writeInt32BE(8, o + 34);
    writeInt64(buf, o + 38, (updated - PG_EPOCH_SEC) * 1e6);
    o += 46;
    buf.writeInt32BE(props.length + 1, o);
    buf[o + 4] = 1; // jsonb binary format version
    buf.write(props, o + 5, 'latin1');
    o += 5 + props.length;
    const ewkbLen = wkbLength(type, n) + 4;
    buf.writeInt32BE(ewkbLen, o);
    o = writeWkb(buf, o + 4, type, coords, n, SRID);

    const wkbEnd = writeWkb(wkb, 0, type, coords, n);
    const digest = hashRow({
      id: String(id), layerId, createdMicros: String(created * 1e6), updatedMicros: String(updated * 1e6), props, wkb: wkb.subarray(0, wkbEnd),
    });
    checksum.addRowHash(digest);
    rowHashes?.set(String(id), digest.toString('hex'));
  }
  return { chunkIndex, firstId, rows, copy: buf.subarray(0, o), checksum: checksum.value(), ...(rowHashes ? { rowHashes } : {}) };
}
