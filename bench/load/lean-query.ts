/**
 * A minimal prepared-statement query for the load loop, built on node-postgres's public
 * Submittable interface (the one pg-cursor and pg-query-stream use). Compared with pg's Query it
 * sends what `pgbench -M prepared` sends — Parse once per connection, then Bind/Execute/Sync —
 * without a Describe per execution, and it does not turn rows into JS values: the harness
 * measures the server, and per-row parsing is client cost pgbench does not pay either.
 */
import type pg from 'pg';

/** Text-format parameter values: numbers, strings, booleans, null and flat arrays of those. */
export function toParamText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) return `{${value.map((v) => (v === null ? 'NULL' : `"${String(v).replace(/["\\]/g, '\\$&')}"`)).join(',')}}`;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

interface PgConnection {
  parsedStatements: Record<string, string>;
  submittedNamedStatements: Record<string, string>;
  stream: { cork?: () => void; uncork?: () => void };
  parse(q: { text: string; name: string; types: unknown[] }): void;
  bind(c: { statement: string; values: unknown[]; valueMapper: (v: unknown) => unknown }): void;
  execute(c: { portal: string; rows: number }): void;
  sync(): void;
}

export class LeanQuery {
  private rows = 0;
  private error: Error | undefined;
  private finished = false;

  constructor(
    readonly name: string,
    readonly text: string,
    private readonly values: readonly unknown[],
    private readonly done: (err: Error | undefined, rows: number) => void,
  ) {}

  submit(connection: PgConnection): null {
    connection.stream.cork?.();
    try {
      if (connection.parsedStatements[this.name] === undefined && connection.submittedNamedStatements[this.name] === undefined) {
        connection.parse({ text: this.text, name: this.name, types: [] });
        connection.submittedNamedStatements[this.name] = this.text;
      }
      connection.bind({ statement: this.name, values: this.values as unknown[], valueMapper: toParamText });
      connection.execute({ portal: '', rows: 0 });
      connection.sync();
    } finally {
      connection.stream.uncork?.();
    }
    return null;
  }

  handleRowDescription(): void {}
  handleDataRow(): void {
    this.rows++;
  }
  handleCommandComplete(): void {}
  handleEmptyQuery(): void {}
  handlePortalSuspended(): void {}
  handleCopyInResponse(): void {}
  handleCopyData(): void {}
  /**
   * A server error (it carries a SQLSTATE) is followed by ReadyForQuery; a broken connection
   * ("Connection terminated", not queryable) is not, so it ends the query at once.
   */
  handleError(err: Error): void {
    this.error ??= err;
    const code = (err as { code?: unknown }).code;
    if (typeof code !== 'string' || !/^[0-9A-Z]{5}$/.test(code)) this.finish();
  }
  handleReadyForQuery(): void {
    this.finish();
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.done(this.error, this.rows);
  }
}

/** Runs a named prepared statement through LeanQuery; resolves with the row count. */
export function leanQuery(client: pg.Client, name: string, text: string, values: readonly unknown[]): Promise<number> {
  return new Promise((resolve, reject) => {
    client.query(new LeanQuery(name, text, values, (err, rows) => (err ? reject(err) : resolve(rows))) as unknown as pg.Submittable);
  });
}
