/**
 * One HTTP request → one response, for `POST /rpc/<function>`. No sockets and no database here:
 * the body reader, the catalog and the query function are injected, so the unit tests run this
 * with fakes.
 */
import { buildCall, encodeArgValue, resolveCall, type CatalogFunction, type FunctionCatalog } from './catalog.ts';
import { apiError, errorFromDatabase, type ErrorResult } from './errors.ts';

/**
 * Runs a call (one JSON text per row) and resolves with the response body: the JSON array as one
 * string, or its chunks streamed (rejects, before any chunk, when the call fails).
 */
export type QueryFn = (query: { readonly name: string; readonly text: string; readonly values: readonly (string | null)[] }) => Promise<ResponseBody>;

/** A body held whole, or streamed in chunks (a JSON array of capped rows). */
export type ResponseBody = string | AsyncIterable<string>;

export interface RpcRequest {
  readonly method: string;
  /** Request target as sent: path and optional query string. */
  readonly url: string;
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  /** Reads the whole body; resolves `undefined` as soon as it exceeds `limit` bytes. */
  readBody(limit: number): Promise<Buffer | undefined>;
}

export interface RpcResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: ResponseBody;
}

export interface RpcHandlerOptions {
  readonly catalog: FunctionCatalog;
  readonly query: QueryFn;
  /** Largest accepted request body in bytes (default 64 KiB). */
  readonly bodyLimit?: number;
  /** Server-wide cap on the rows of a response (PostgREST's db-max-rows). */
  readonly maxRows?: number;
  /**
   * Host header names accepted (lower case, without port); others get 421, so a web page whose
   * DNS name was rebound to 127.0.0.1 cannot reach the server. Undefined = any (unit tests).
   */
  readonly allowedHosts?: ReadonlySet<string>;
  /** Where unexpected (500) and unavailable (503) errors are reported. */
  readonly log?: (line: string) => void;
}

export const DEFAULT_BODY_LIMIT = 64 * 1024;
export const DEFAULT_MAX_ROWS = 1000;

/** The bound address and the loopback names: what a Host header may say. */
export function allowedHostNames(boundHost: string): ReadonlySet<string> {
  return new Set(['localhost', '127.0.0.1', '::1', boundHost.toLowerCase().replace(/^\[|\]$/g, '')]);
}

/** The name part of a Host header (`[::1]:8080` → `::1`, `a.b:80` → `a.b`), lower case. */
export function hostName(header: string): string {
  const h = header.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(1, h.indexOf(']') < 0 ? undefined : h.indexOf(']'));
  const colon = h.lastIndexOf(':');
  return colon >= 0 && h.indexOf(':') === colon ? h.slice(0, colon) : h;
}

const JSON_TYPE = 'application/json; charset=utf-8';
const RPC_PATH = /^\/rpc\/([^/]+)$/;

const errorResponse = ({ status, error }: ErrorResult, extra: Record<string, string> = {}): RpcResponse =>
  ({ status, headers: { 'Content-Type': JSON_TYPE, ...extra }, body: JSON.stringify(error) });

const header = (req: RpcRequest, name: string): string | undefined => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : (v as string | undefined);
};

export function createRpcHandler(options: RpcHandlerOptions): (req: RpcRequest) => Promise<RpcResponse> {
  const { catalog, query } = options;
  const limit = options.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const log = options.log ?? (() => {});

  const fail = (err: unknown, where: string): RpcResponse => {
    const mapped = errorFromDatabase(err);
    if (mapped.status >= 500 && mapped.status !== 504) log(`rpc: ${where}: ${mapped.error.code} ${(err as Error)?.message ?? String(err)}`.split('\n')[0]!);
    return errorResponse(mapped);
  };

  return async (req) => {
    if (options.allowedHosts) {
      const host = header(req, 'host');
      if (host === undefined || !options.allowedHosts.has(hostName(host))) {
        return errorResponse(apiError(421, 'GB421', `Host ${(host ?? '(none)').slice(0, 100)} is not served here`, null, 'call the server by its bound address or a loopback name (see --host)'), { Connection: 'close' });
      }
    }
    const path = req.url.split('?')[0] ?? '';
    const match = RPC_PATH.exec(path);
    if (!match) return errorResponse(apiError(404, 'PGRST125', `Invalid path specified in request URL: ${path.slice(0, 200)}`, null, 'functions are called as POST /rpc/<function>'));
    if (req.method !== 'POST') {
      return errorResponse(apiError(405, 'PGRST101', `Method ${req.method.slice(0, 16)} is not allowed: functions are called with POST`), { Allow: 'POST' });
    }
    let name: string;
    try {
      name = decodeURIComponent(match[1]!);
    } catch {
      return errorResponse(apiError(404, 'PGRST125', 'Invalid path specified in request URL: bad percent-encoding'));
    }

    // Body: refuse an announced oversized body before reading it, and stop reading at the limit.
    const tooLarge = (): RpcResponse => errorResponse(apiError(413, 'GB413', `Request body larger than ${limit} bytes`, null, 'see --body-limit'), { Connection: 'close' });
    const announced = Number(header(req, 'content-length'));
    if (Number.isFinite(announced) && announced > limit) return tooLarge();
    const raw = await req.readBody(limit);
    if (raw === undefined) return tooLarge();

    const contentType = header(req, 'content-type')?.split(';')[0]?.trim().toLowerCase();
    // Required, not only checked: a web page can POST text/plain (or no type) to 127.0.0.1 without
    // a CORS preflight; application/json needs one, which this server never answers.
    if (contentType !== 'application/json') {
      return errorResponse(apiError(415, 'PGRST107', `Content-Type ${contentType ? contentType.slice(0, 100) : '(none)'} is not supported`, null, 'send the arguments as a JSON object with Content-Type: application/json'));
    }

    let candidates: readonly CatalogFunction[] | undefined;
    try {
      candidates = await catalog.lookup(name);
    } catch (err) {
      return fail(err, 'catalog');
    }
    if (!candidates) {
      return errorResponse(apiError(404, 'PGRST202', `Could not find the function ${catalog.schema}.${name.slice(0, 100)} in the schema cache`, null,
        `only functions of schema ${catalog.schema} are exposed`));
    }

    const text = raw.toString('utf8');
    let body: unknown;
    if (text.trim() === '') body = {};
    else {
      try {
        body = JSON.parse(text);
      } catch (err) {
        return errorResponse(apiError(400, 'PGRST102', 'Empty or invalid json', (err as Error).message));
      }
    }
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      return errorResponse(apiError(400, 'PGRST102', 'The request body must be a JSON object of named arguments', null, `got ${Array.isArray(body) ? 'an array' : body === null ? 'null' : typeof body}`));
    }

    const args = body as Record<string, unknown>;
    const resolved = resolveCall(candidates, args);
    if ('status' in resolved) return errorResponse(resolved);
    const statement = buildCall(resolved.fn, resolved.args, options.maxRows);
    const values = resolved.args.map((a) => encodeArgValue(args[a.name], a));
    try {
      const body = await query({ ...statement, values });
      return { status: 200, headers: { 'Content-Type': JSON_TYPE }, body };
    } catch (err) {
      // The function changed since the catalog was read: reload it for the next request.
      if ((err as { code?: string }).code === '42883') catalog.refresh().catch(() => {});
      return fail(err, `${catalog.schema}.${name}`);
    }
  };
}
