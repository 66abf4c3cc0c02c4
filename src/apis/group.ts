/**
 * An API group: one folder under src/apis/ with its routes, the WeChat endpoints they call,
 * its errcodes and its emulator part. src/apis/index.ts lists the groups; the router, the
 * access check, /openapi.json, the 404 hint, the errcode table and the emulator are derived
 * from that list.
 *
 * A group's index.ts is imported at every start: it holds declarations (paths, access,
 * schemas) and must stay cheap. Its emulator part is `emulator.ts` in the same folder, exporting
 * `part`: nothing the function imports refers to it, so it never reaches the deploy bundle, and
 * the emulator finds it by the group's name.
 */
import type { GenericSchema } from 'valibot';
import type { Query } from '../wechat/http.js';
import type { ErrcodeTable } from '../wechat/errcodes.js';
import { AppError } from '../errors.js';
import { WeChatError } from '../wechat/errcodes.js';
import { defineRoute, type Access, type RouteDef, type WeChatEndpoint } from '../function/route.js';

export interface ApiGroup {
  /** Its folder under src/apis/, the tag in /openapi.json, and the first segment of its paths. */
  name: string;
  /** The tag's description. */
  description: string;
  routes: readonly RouteDef[];
  /** Every WeChat endpoint the group calls (its routes' `calls` among them). */
  endpoints?: Readonly<Record<string, WeChatEndpoint>>;
  /** Merged into the one errcode table at start; a code declared differently elsewhere stops the start. */
  errcodes?: ErrcodeTable;
}

export const defineGroup = (group: ApiGroup): ApiGroup => group;

type ForwardRoute<S extends GenericSchema> = Omit<RouteDef<S>, 'handler' | 'calls' | 'access'> & { access?: Access };

/**
 * A route that passes its validated body to one WeChat endpoint with the account's token and
 * answers WeChat's reply as `data`: a GET's fields go in the query, a POST's as the JSON body.
 * Admin access unless the route says otherwise.
 */
export function forward<S extends GenericSchema>(endpoint: WeChatEndpoint, route: ForwardRoute<S>): RouteDef<S> {
  const host = endpoint.host;
  return defineRoute<S>({
    access: 'admin',
    ...route,
    calls: [endpoint],
    handler: (body, { services, signal }) =>
      endpoint.method === 'GET'
        ? services.account.get(endpoint.path, { query: body as Query, host, signal })
        : services.account.post(endpoint.path, body, { host, signal }),
  });
}

/** WeChat's refusal with the hint that fits this route (for `codes`, or any). */
export async function hinted<T>(call: Promise<T>, hint: string, codes?: readonly number[]): Promise<T> {
  try {
    return await call;
  } catch (error) {
    if (!(error instanceof WeChatError) || (codes && !codes.includes(error.errcode))) throw error;
    throw new AppError(error.kind, error.message, { ...error.details, hint });
  }
}
