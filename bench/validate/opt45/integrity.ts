/**
 * Checklist items "Live summary exact" and "Dataset verify after restart, maintenance and marker
 * cleanup": what the validation must leave intact once every marker row is removed.
 */
import type pg from 'pg';
import type { VerifyResult } from '../../dataset/verify.ts';
import { booleanCheck, type Check } from '../checks.ts';
import { scalar } from './shared.ts';

/** The live summary against a fresh GROUP BY of geometrias: rows that differ either way. */
const LIVE_DIFF = `
  WITH fresh AS (
    SELECT layer_id, (created_at AT TIME ZONE 'UTC')::date AS day, count(*) AS n,
           count(*) FILTER (WHERE ST_Dimension(geom) = 0) AS n_point,
           count(*) FILTER (WHERE ST_Dimension(geom) = 1) AS n_line,
           count(*) FILTER (WHERE ST_Dimension(geom) = 2) AS n_polygon,
           min(created_at) AS first_created_at, max(created_at) AS last_created_at
      FROM geometrias GROUP BY 1, 2),
  live AS (SELECT layer_id, day, n, n_point, n_line, n_polygon, first_created_at, last_created_at FROM geometrias_layer_day_live)
  SELECT count(*) AS n FROM (
    (SELECT * FROM fresh EXCEPT SELECT * FROM live) UNION ALL (SELECT * FROM live EXCEPT SELECT * FROM fresh)) d`;

/** Rows of the live summary that differ from a fresh GROUP BY, either way. */
export async function liveSummaryDiff(client: pg.Client): Promise<number> {
  return Number(await scalar<string>(client, LIVE_DIFF));
}

export function liveExactCheck(differingRows: number): Check {
  return booleanCheck('Live summary exact after the validation (vs a fresh GROUP BY of geometrias)', differingRows === 0, differingRows === 0 ? 'exact' : `${differingRows} rows differ`, { differingRows });
}

export function verifyCheck(verify: VerifyResult): Check {
  return booleanCheck('Dataset verify after restart, maintenance and marker cleanup', verify.ok, verify.ok ? `ok (${verify.manifest.totalRows} rows, ${verify.seconds.toFixed(1)} s)` : `FAILED: ${verify.badChunks.length} chunks differ; missing ${verify.mismatches.missing.slice(0, 5).join(', ')}`, { ok: verify.ok, rowsOutsideRange: verify.rowsOutsideRange, mismatches: verify.mismatches });
}
