/**
 * "System Stability" of a load run: the share of intended operations that completed without an
 * error. In the open model an operation the scheduler had to drop (the server fell too far
 * behind) is a request production would have lost, so it counts against stability like an error
 * or a timeout. Late operations still got their answer; their delay belongs to the latency KPIs,
 * so they are reported, not counted. Pure.
 */
export interface StabilityCounts {
  /** Operations completed without error. */
  readonly ops: number;
  readonly errors: number;
  readonly timeouts: number;
  /** Open model: intended operations never sent; null in the closed model. */
  readonly dropped: number | null;
  readonly late?: number | null;
}

export interface Stability {
  readonly share: number | null;
  readonly intended: number;
  readonly failed: number;
}

/** 1 − (errors + timeouts + dropped) / (ops + errors + timeouts + dropped); null without intended operations. */
export function stability(c: StabilityCounts): Stability {
  const failed = c.errors + c.timeouts + (c.dropped ?? 0);
  const intended = c.ops + failed;
  return { share: intended > 0 ? 1 - failed / intended : null, intended, failed };
}
