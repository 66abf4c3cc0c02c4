/**
 * A route is data: its path, who may call it, the schema of its body and its handler.
 * The router, the access check and the OpenAPI document are all derived from these.
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
}

export interface RouteDef<S extends GenericSchema = GenericSchema> {
  path: string;
  access: Access;
  summary: string;
  /** Schema of the JSON body; unknown fields are ignored. */
  body: S;
  /** Shape of `data` on success, for the API document. */
  response?: GenericSchema;
  // A method, so the table's erased RouteDef accepts every route's narrower handler.
  handler(body: InferOutput<S>, context: RouteContext): Promise<unknown>;
}

/** Keeps the body type flowing from the schema into the handler. */
export const defineRoute = <S extends GenericSchema>(route: RouteDef<S>): RouteDef<S> => route;
