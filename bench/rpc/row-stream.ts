/**
 * A function's rows streamed as one JSON array, batch by batch through a server-side portal
 * (pg-query-stream), so the server process holds one batch of rows and one chunk of text at a
 * time whatever the row cap: memory stays flat under it (docs/rpc.md, measured by
 * stream-memory.bench.ts). The first batch is read before anything is returned, so an error of
 * the call (bad argument, timeout, lost server) still becomes a proper error status.
 */
import type pg from 'pg';
import QueryStream from 'pg-query-stream';

/** Rows a fetch asks the server for; also the most rows held in memory at a time. */
export const STREAM_BATCH_ROWS = 100;
/** Text collected before a chunk is handed to the socket. */
const CHUNK_CHARS = 64 * 1024;

export interface RowStatement {
  readonly text: string;
  readonly values: readonly (string | null)[];
}

/**
 * Runs `statement` (one JSON text column per row) on a client of `pool` and resolves, once its
 * first batch arrived, with the body chunks of the JSON array. The client goes back to the pool
 * when the chunks are consumed; a consumer that stops early (the HTTP client went away) destroys
 * the stream and the connection with it (a portal half read is not worth reusing).
 */
export async function streamJsonArray(pool: pg.Pool, statement: RowStatement): Promise<AsyncIterable<string>> {
  const client = await pool.connect();
  // A checked-out client whose backend dies emits 'error' (pool.query listens for it; here we must,
  // or the process crashes): the failure reaches us through the stream as well.
  // Destroying the stream settles a read still waiting on the dead connection (else the client
  // would never go back to the pool and `pool.end()` would wait for it forever).
  let stream: QueryStream | undefined;
  const onClientError = (err: Error): void => void stream?.destroy(err);
  client.on('error', onClientError);
  const release = (err?: Error | boolean): void => {
    client.off('error', onClientError);
    client.release(err);
  };
  stream = client.query(new QueryStream(statement.text, [...statement.values], { batchSize: STREAM_BATCH_ROWS, highWaterMark: STREAM_BATCH_ROWS, rowMode: 'array' }));
  const rows = stream[Symbol.asyncIterator]() as AsyncIterator<[string]>;
  let first: IteratorResult<[string]>;
  try {
    first = await rows.next();
  } catch (err) {
    release(err as Error);
    throw err;
  }
  return (async function* chunks(): AsyncGenerator<string> {
    let finished = false;
    let failure: Error | undefined;
    try {
      let chunk = '[';
      let separator = '';
      for (let r = first; !r.done; r = await rows.next()) {
        chunk += separator + r.value[0];
        separator = ',';
        if (chunk.length >= CHUNK_CHARS) {
          yield chunk;
          chunk = '';
        }
      }
      yield `${chunk}]`;
      finished = true;
    } catch (err) {
      failure = err as Error;
      throw err;
    } finally {
      if (!finished) stream.destroy();
      release(finished ? undefined : (failure ?? true));
    }
  })();
}
