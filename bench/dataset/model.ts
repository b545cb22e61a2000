/**
 * The synthetic `geometrias` dataset model (documented in datasets/README.md). Constants only:
 * the generator reads them, the docs describe them, the query parameter generators of the load
 * engine draw from the same cities and time range so their windows land where the data is.
 */

/** Scale 1.0 is the roadmap's table: 12.4M geometries. */
export const ROWS_AT_SCALE_1 = 12_400_000;

/** Rows per chunk. A chunk's content depends only on (seed, scale, chunk index). Never change casually: it is part of the checksum's identity. */
export const CHUNK_ROWS = 10_000;

/** Bumped when the generated content changes; recorded in the manifest. */
export const GENERATOR_VERSION = 1;

export const SRID = 4326;

/** created_at spans 36 months: 2023-01-01 .. 2026-01-01 (UTC), whole seconds. */
export const TIME_START_SEC = Date.UTC(2023, 0, 1) / 1000;
export const TIME_END_SEC = Date.UTC(2026, 0, 1) / 1000;
export const MONTHS = 36;

/** Share of rows by geometry kind. */
export const KIND_SHARES = { point: 0.6, polygon: 0.25, linestring: 0.15 } as const;

/** Share of rows clustered around cities; the rest are uniform over the bounding box. */
export const CLUSTERED_SHARE = 0.8;
export const UNIFORM_BBOX = { minLon: -74, maxLon: -34, minLat: -34, maxLat: 5 } as const;

export const LAYER_COUNT = 50;

/** ~40 Brazilian city centres (lon, lat), largest first: city k is picked with p ∝ 1/k (zipf). */
export const CITIES: ReadonlyArray<{ readonly name: string; readonly lon: number; readonly lat: number }> = [
  { name: 'Sao Paulo', lon: -46.633, lat: -23.55 },
  { name: 'Rio de Janeiro', lon: -43.173, lat: -22.907 },
  { name: 'Brasilia', lon: -47.883, lat: -15.794 },
  { name: 'Salvador', lon: -38.501, lat: -12.971 },
  { name: 'Fortaleza', lon: -38.543, lat: -3.719 },
  { name: 'Belo Horizonte', lon: -43.938, lat: -19.92 },
  { name: 'Manaus', lon: -60.025, lat: -3.119 },
  { name: 'Curitiba', lon: -49.273, lat: -25.428 },
  { name: 'Recife', lon: -34.877, lat: -8.048 },
  { name: 'Goiania', lon: -49.254, lat: -16.686 },
  { name: 'Belem', lon: -48.504, lat: -1.456 },
  { name: 'Porto Alegre', lon: -51.23, lat: -30.033 },
  { name: 'Guarulhos', lon: -46.533, lat: -23.454 },
  { name: 'Campinas', lon: -47.063, lat: -22.906 },
  { name: 'Sao Luis', lon: -44.302, lat: -2.53 },
  { name: 'Sao Goncalo', lon: -43.054, lat: -22.827 },
  { name: 'Maceio', lon: -35.735, lat: -9.666 },
  { name: 'Duque de Caxias', lon: -43.312, lat: -22.786 },
  { name: 'Natal', lon: -35.209, lat: -5.795 },
  { name: 'Teresina', lon: -42.804, lat: -5.089 },
  { name: 'Campo Grande', lon: -54.62, lat: -20.469 },
  { name: 'Sao Bernardo do Campo', lon: -46.565, lat: -23.694 },
  { name: 'Joao Pessoa', lon: -34.861, lat: -7.115 },
  { name: 'Nova Iguacu', lon: -43.451, lat: -22.759 },
  { name: 'Santo Andre', lon: -46.538, lat: -23.664 },
  { name: 'Osasco', lon: -46.792, lat: -23.532 },
  { name: 'Sao Jose dos Campos', lon: -45.887, lat: -23.179 },
  { name: 'Jaboatao', lon: -35.015, lat: -8.112 },
  { name: 'Ribeirao Preto', lon: -47.81, lat: -21.177 },
  { name: 'Uberlandia', lon: -48.277, lat: -18.918 },
  { name: 'Contagem', lon: -44.054, lat: -19.932 },
  { name: 'Sorocaba', lon: -47.458, lat: -23.501 },
  { name: 'Aracaju', lon: -37.073, lat: -10.947 },
  { name: 'Feira de Santana', lon: -38.966, lat: -12.267 },
  { name: 'Cuiaba', lon: -56.097, lat: -15.601 },
  { name: 'Joinville', lon: -48.846, lat: -26.304 },
  { name: 'Juiz de Fora', lon: -43.35, lat: -21.764 },
  { name: 'Londrina', lon: -51.163, lat: -23.31 },
  { name: 'Aparecida de Goiania', lon: -49.244, lat: -16.823 },
  { name: 'Florianopolis', lon: -48.548, lat: -27.595 },
];

/** Gaussian spread of a city's cluster in km: larger cities sprawl more (16 km for rank 1, ~7.6 km for rank 40). */
export function citySigmaKm(rank1Based: number): number {
  return 6 + 10 / Math.sqrt(rank1Based);
}

/** Polygons: star-shaped, 5–12 vertices, radius 5–250 m (10–500 m across). */
export const POLYGON = { minVertices: 5, maxVertices: 12, minRadiusM: 5, maxRadiusM: 250 } as const;
/** Linestrings: 3–20 vertices, a random walk with 20–200 m steps. */
export const LINESTRING = { minVertices: 3, maxVertices: 20, minStepM: 20, maxStepM: 200 } as const;

/** Share of rows that were updated after creation; updated_at = created_at otherwise. */
export const UPDATED_SHARE = 0.3;
export const MEAN_UPDATE_DELAY_SEC = 30 * 86_400;
/** Arrival jitter: ids follow time order (rows arrive roughly chronologically), ± a few hours. */
export const ARRIVAL_JITTER_SEC = 3 * 3600;

export const TAGS = [
  'building', 'road', 'parcel', 'poi', 'river', 'lake', 'park', 'school', 'hospital', 'bus_stop',
  'sensor', 'tree', 'lamp', 'hydrant', 'bridge', 'rail', 'farm', 'forest', 'power_line', 'well',
] as const;
export const SOURCES = 5;

export const METERS_PER_DEGREE_LAT = 111_320;

export function rowsForScale(scale: number): number {
  return Math.max(1, Math.round(ROWS_AT_SCALE_1 * scale));
}

export function chunkCount(totalRows: number): number {
  return Math.ceil(totalRows / CHUNK_ROWS);
}

/** Cumulative distribution with p(k) ∝ 1/k^s, k = 1..n, for zipf-like skewed choices. */
export function zipfCdf(n: number, s = 1): Float64Array {
  const cdf = new Float64Array(n);
  let total = 0;
  for (let k = 1; k <= n; k++) total += 1 / k ** s;
  let acc = 0;
  for (let k = 1; k <= n; k++) {
    acc += 1 / k ** s / total;
    cdf[k - 1] = acc;
  }
  cdf[n - 1] = 1;
  return cdf;
}

/** Index of the first cdf entry ≥ u (binary search). */
export function pickFromCdf(cdf: Float64Array, u: number): number {
  let lo = 0;
  let hi = cdf.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cdf[mid]! < u) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
