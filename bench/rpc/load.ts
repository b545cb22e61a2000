/**
 * HTTP load against an RPC endpoint — ours (`geobench rpc serve`) or a real PostgREST / Supabase
 * URL — with autocannon, closed model: `connections` keep-alive connections, each sending its next
 * request when the last one answered.
 *
 * Latency: autocannon's own histogram records its millisecond float response times with
 * `recordValue`, i.e. in whole milliseconds (and `skipAggregateResult` only hands back that same
 * histogram, encoded), which is useless for sub-millisecond calls. So every response is taken from
 * the `response` event — responseTime is a float in ms from process.hrtime — converted to integer
 * microseconds and recorded into one latency histogram of bench/metrics/histogram.ts, like every
 * other latency in geobench.
 *
 * Measurement window: one autocannon run of warmup + duration; a request belongs to the window when
 * it was sent (response time minus latency) inside it; the connections stay open across the
 * boundary. autocannon stops only on its next 1-second tick after its duration, so requests in
 * flight at the window's end finish and count; requests sent after it are discarded. Only 2xx
 * responses go into the histogram; non-2xx responses, socket errors and timeouts are counted.
 */
import { createRequire } from 'node:module';
import seedrandom from 'seedrandom';
import { GeobenchError } from '../core/errors.ts';
import { redact, registerSecret } from '../db/redact.ts';
import { createLatencyHistogram, encodeHistogram, microsFromMillis, recordMicros, summarize, type LatencySummary } from '../metrics/histogram.ts';

// --- the part of autocannon 9's programmatic API used here (no @types/autocannon) ---------------
interface AcRequestData {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  [key: string]: unknown;
}
interface AcRequest extends AcRequestData {
  setupRequest?: (req: AcRequestData, context: Record<string, unknown>) => AcRequestData;
  onResponse?: (status: number, body: string, context: Record<string, unknown>, headers: Record<string, unknown>) => void;
}
interface AcOptions {
  url: string;
  connections: number;
  duration: number;
  timeout?: number;
  pipelining?: number;
  requests: AcRequest[];
  skipAggregateResult?: boolean;
}
interface AcResult {
  errors: number;
  timeouts: number;
  non2xx: number;
}
interface AcInstance extends PromiseLike<AcResult> {
  on(event: 'response', fn: (client: unknown, statusCode: number, resBytes: number, responseTimeMs: number) => void): this;
  on(event: 'reqError', fn: (err: Error) => void): this;
  on(event: 'error', fn: (err: Error) => void): this;
  stop(): void;
}
const autocannon = createRequire(import.meta.url)('autocannon') as (opts: AcOptions) => AcInstance;
// -------------------------------------------------------------------------------------------------

export interface RpcLoadOptions {
  /** Base URL of the API: `http://127.0.0.1:3000` (ours) or `https://<ref>.supabase.co/rest/v1`; `/rpc/<fn>` is appended. */
  readonly url: string;
  /** Function name (the path segment after /rpc/). */
  readonly fn: string;
  /** Draws one request's named arguments from the connection's seeded stream. */
  readonly args: (rng: () => number) => object;
  /** Connection i draws from `alea("<seed>:<i>")`. */
  readonly seed: number | string;
  readonly connections: number;
  readonly durationSec: number;
  /** Load sent before the window, not recorded (default 0). */
  readonly warmupSec?: number;
  /** Sent as `apikey` and `Authorization: Bearer` (Supabase); redacted from every message. */
  readonly apiKey?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Permit a host that is not this machine (default: refuse). */
  readonly allowRemote?: boolean;
  /** Per-request timeout in seconds (default 10). */
  readonly timeoutSec?: number;
  /** Stops the run early; what was measured so far is returned. */
  readonly signal?: AbortSignal;
}

export interface RpcLoadResult {
  /** Responses (any status) to requests sent inside the window. */
  readonly requests: number;
  readonly non2xx: number;
  /** Socket errors (refused, reset …) in the window, timeouts not included. */
  readonly errors: number;
  readonly timeouts: number;
  /** Length of the window (shorter when stopped by the signal). */
  readonly durationSec: number;
  /** Successful (2xx) responses per second: an error answered fast is not throughput. */
  readonly rps: number;
  /** 2xx latencies, integer µs. */
  readonly latency: LatencySummary;
  /** The same histogram, HdrHistogram V2 compressed base64 (bench/metrics/histogram.ts). */
  readonly encoded: string;
  /** Responses by HTTP status. */
  readonly statusCodes: Readonly<Record<string, number>>;
  /** Up to 5 distinct non-2xx responses ("status body", truncated), to say why. */
  readonly errorSamples: readonly string[];
}

/** 127.0.0.0/8, ::1 and localhost. */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h === 'localhost.' || h === '::1') return true;
  const m = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(h);
  return !!m && m.slice(1).every((o) => Number(o) <= 255);
}

/** The endpoint URL of `fn`, after the safety checks (http(s) only, loopback unless allowed). */
export function rpcEndpoint(base: string, fn: string, allowRemote = false): URL {
  let url: URL;
  try {
    url = new URL(base);
  } catch {
    throw new GeobenchError(`not a valid URL: ${redact(base)}`, { exitCode: 2 });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new GeobenchError(`RPC load needs an http:// or https:// URL, got '${url.protocol}'`, { exitCode: 2 });
  if (!isLoopbackHost(url.hostname) && !allowRemote) {
    throw new GeobenchError(`refusing to send load to '${url.hostname}': it is not on this machine`, {
      hint: 'load is only sent to loopback addresses (127.0.0.0/8, ::1, localhost) unless allowRemote is set for a server you own',
      exitCode: 2,
    });
  }
  if (!fn || /[/?#]/.test(fn)) throw new GeobenchError(`not a function name: '${fn}'`, { exitCode: 2 });
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/rpc/${encodeURIComponent(fn)}`;
  url.search = '';
  url.hash = '';
  return url;
}

export async function runRpcLoad(options: RpcLoadOptions): Promise<RpcLoadResult> {
  const warmupSec = options.warmupSec ?? 0;
  if (!Number.isInteger(options.connections) || options.connections < 1 || options.connections > 1000) throw new GeobenchError('connections must be an integer from 1 to 1000', { exitCode: 2 });
  if (!(options.durationSec > 0) || !Number.isFinite(options.durationSec)) throw new GeobenchError('durationSec must be a positive number', { exitCode: 2 });
  if (!(warmupSec >= 0) || !Number.isFinite(warmupSec)) throw new GeobenchError('warmupSec must be a number >= 0', { exitCode: 2 });
  registerSecret(options.apiKey);
  const endpoint = rpcEndpoint(options.url, options.fn, options.allowRemote);

  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json', ...options.headers };
  if (options.apiKey) {
    headers.apikey = options.apiKey;
    headers.authorization = `Bearer ${options.apiKey}`;
  }

  // autocannon deep-copies the request list per connection (lodash cloneDeep keeps functions by
  // reference), so `stream` is one object per connection; connections are built in order, each
  // building its first request at construction, so connection i gets stream i.
  let nextStream = 0;
  const seed = String(options.seed);
  const histogram = createLatencyHistogram();
  const statusCodes: Record<string, number> = {};
  const errorSamples: string[] = [];
  let requests = 0;
  let non2xx = 0;
  let errors = 0;
  let timeouts = 0;
  let argsError: Error | undefined;
  let instance: AcInstance | undefined = undefined;

  const started = performance.now();
  const windowStart = started + warmupSec * 1000;
  let windowEnd = windowStart + options.durationSec * 1000;
  const inWindow = (t: number): boolean => t >= windowStart && t < windowEnd;

  const request: AcRequest = {
    method: 'POST',
    path: endpoint.pathname,
    headers,
    stream: {},
    setupRequest(req) {
      const stream = req.stream as { rng?: () => number };
      stream.rng ??= seedrandom.alea(`${seed}:${nextStream++}`);
      try {
        return { ...req, body: JSON.stringify(options.args(stream.rng)) };
      } catch (err) {
        // A throwing generator must not crash autocannon's socket callbacks: stop and report it.
        argsError ??= err as Error;
        instance?.stop();
        return { ...req, body: '{}' };
      }
    },
    onResponse(status, body) {
      if ((status < 200 || status > 299) && errorSamples.length < 5) {
        const sample = `${status} ${redact(body.slice(0, 300))}`;
        if (!errorSamples.includes(sample)) errorSamples.push(sample);
      }
    },
  };

  instance = autocannon({
    url: endpoint.origin,
    connections: options.connections,
    // Past the window, so autocannon's stop (on its next 1-s tick) comes after the window's end.
    duration: warmupSec + options.durationSec + 0.05,
    timeout: options.timeoutSec ?? 10,
    requests: [request],
    skipAggregateResult: true,
  });

  if (argsError) instance.stop();
  instance.on('response', (_client, statusCode, _bytes, responseTimeMs) => {
    const now = performance.now();
    if (!inWindow(now - responseTimeMs)) return;
    requests++;
    statusCodes[statusCode] = (statusCodes[statusCode] ?? 0) + 1;
    if (statusCode >= 200 && statusCode <= 299) recordMicros(histogram, microsFromMillis(responseTimeMs));
    else non2xx++;
  });
  instance.on('reqError', (err) => {
    if (!inWindow(performance.now())) return;
    if (err.message === 'request timed out') timeouts++;
    else errors++;
  });

  const onAbort = (): void => {
    windowEnd = Math.max(windowStart, Math.min(windowEnd, performance.now()));
    instance.stop();
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted) onAbort();
  try {
    await instance;
  } catch (err) {
    throw new GeobenchError(`RPC load against ${redact(endpoint.href)} failed: ${redact((err as Error).message)}`);
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
  if (argsError) throw new GeobenchError(`the args generator of ${options.fn} failed: ${redact(argsError.message)}`, { exitCode: 2 });

  const durationSec = (windowEnd - windowStart) / 1000;
  return {
    requests, non2xx, errors, timeouts, durationSec,
    rps: successRate(requests, non2xx, durationSec),
    latency: summarize(histogram),
    encoded: encodeHistogram(histogram),
    statusCodes, errorSamples,
  };
}

/** 2xx responses per second: responses in the window minus the non-2xx ones, over the window (0 for an empty window). */
export function successRate(responses: number, non2xx: number, durationSec: number): number {
  return durationSec > 0 ? (responses - non2xx) / durationSec : 0;
}
