/**
 * A route is data: its path, methods, who may call it, the schema of its input, what it
 * answers with and its handler. The router, the access check and the OpenAPI document are all
 * derived from these.
 */
import type { GenericSchema, InferOutput } from 'valibot';
import type { Services } from './services.js';

/**
 * public: anyone (health, config).
 * user: a page in WeChat calls it on behalf of a signed-in user.
 * admin: only the business backend, with the admin key; it acts on the whole account.
 */
export type Access = 'public' | 'user' | 'admin';

export interface Caller {
  kind: 'anonymous' | 'user' | 'admin';
  /** CloudBase user id (the token's `sub`, whole), for logs. */
  userId?: string;
  /**
   * Who this caller is for everything bound to a caller: the repeated-code answer, the signed
   * state and the rate limit. Derived from the whole `sub` (hashed when long), or in gateway mode
   * from a digest of the whole Bearer token when it carries no string `sub`. Absent for callers
   * with no identity, who get none of the bound features.
   */
  identity?: string;
}

export interface RouteContext {
  services: Services;
  caller: Caller;
  requestId: string;
  /**
   * Fires at the request's deadline or when its caller leaves. Pass it to upstream calls whose
   * result belongs to this request alone; calls whose result is shared or kept (the account's
   * token, a code exchange) go without it.
   */
  signal: AbortSignal;
  /** The query string's parameters (the first of each name). */
  query: Record<string, string>;
}

export type Method = 'GET' | 'POST';

/**
 * json: a JSON object (on GET, the query string's parameters instead).
 * multipart: a form; fields are strings, files `{ filename, contentType, bytes }`.
 * xml: the body as text, for the route to parse (the message server).
 * upload: a form as for multipart, or a JSON object (a file sent as base64 in a field), by Content-Type.
 */
export type InputKind = 'json' | 'multipart' | 'xml' | 'upload';

/**
 * envelope: `{code, msg, data}` with the handler's result as data.
 * binary, xml: the handler returns a RawBody, sent as it is.
 */
export type OutputKind = 'envelope' | 'binary' | 'xml';

/** What a binary or XML route answers with. */
export interface RawBody {
  body: string | Uint8Array;
  contentType?: string;
  /** For a download: the file name the browser saves it under. */
  filename?: string;
}

/** A file in a multipart body, as the route's schema sees it. */
export interface UploadedFile {
  filename: string;
  contentType: string;
  bytes: Uint8Array;
}

/** The WeChat endpoint a route calls, for the emulator coverage check and the API document. */
export interface WeChatEndpoint {
  method: Method;
  path: string;
  /** api: the API base (default); mp: mp.weixin.qq.com, where a few answers point. */
  host?: 'api' | 'mp';
}

/** 64 KiB: far above any JSON body WeChat's own APIs accept. Uploads set their own. */
export const DEFAULT_BODY_LIMIT = 64 * 1024;

export interface RouteDef<S extends GenericSchema = GenericSchema> {
  path: string;
  /** POST when absent. */
  methods?: readonly Method[];
  access: Access;
  /**
   * false: no setting may open this route to end users (USER_ROUTES): it spends or reveals what
   * belongs to the whole account (its quota, its records).
   */
  openable?: false;
  summary: string;
  /** json when absent. */
  input?: InputKind;
  /** envelope when absent. */
  output?: OutputKind;
  /** Bytes; DEFAULT_BODY_LIMIT when absent. */
  bodyLimit?: number;
  /** Schema of the input; unknown fields are ignored. */
  body: S;
  /** Shape of `data` on success, for the API document. */
  response?: GenericSchema;
  /** The WeChat endpoints the handler calls; each must have an emulator counterpart. */
  calls?: readonly WeChatEndpoint[];
  // A method, so the table's erased RouteDef accepts every route's narrower handler.
  handler(body: InferOutput<S>, context: RouteContext): Promise<unknown>;
}

export const methodsOf = (route: RouteDef): readonly Method[] => route.methods ?? ['POST'];

/** The methods served on each path: one path may have a route per method (GET reads the query, POST a body). */
export function methodsByPath(routes: readonly RouteDef[]): Map<string, Method[]> {
  const byPath = new Map<string, Method[]>();
  for (const route of routes) {
    const methods = byPath.get(route.path) ?? [];
    for (const method of methodsOf(route)) {
      if (methods.includes(method)) throw new Error(`two routes serve ${method} ${route.path}`);
      methods.push(method);
    }
    byPath.set(route.path, methods);
  }
  return byPath;
}

/** Keeps the body type flowing from the schema into the handler. */
export const defineRoute = <S extends GenericSchema>(route: RouteDef<S>): RouteDef<S> => route;
