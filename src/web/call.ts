/**
 * How the SDK reaches the function: POST with a JSON body, the caller's Bearer token, and
 * the `{code, msg, data}` envelope unwrapped into data or a WebAuthError.
 */
import { WebAuthError } from './errors.js';

/** What a `callFunction` hook returns: the function's envelope, as its JSON body reads. */
export interface Envelope {
  code: number;
  msg?: string;
  data?: unknown;
  errcode?: number;
  rid?: string;
  hint?: string;
  requestId?: string;
}

export interface TransportOptions {
  /**
   * Where the function is: '' (the default) for the page's own origin, a local
   * 'http://localhost:9000', or the gateway form
   * 'https://ENV.api.tcloudbasegateway.com/v1/functions/FN?webfn=true' (the route path goes
   * before the query).
   */
  baseUrl?: string;
  /** Instead of baseUrl: your own transport, returning the function's envelope. */
  callFunction?: (path: string, body: object) => Promise<Envelope>;
  /** The CloudBase access token sent as `Authorization: Bearer …` (with baseUrl). */
  getAccessToken?: () => string | null | undefined | Promise<string | null | undefined>;
  fetch?: typeof fetch;
}

export type Call = <T>(path: string, body: object) => Promise<T>;

export function endpoint(baseUrl: string, path: string): string {
  const [base, query] = baseUrl.split('?');
  return base.replace(/\/+$/, '') + path + (query ? `?${query}` : '');
}

export function createCall(options: TransportOptions): Call {
  return async <T>(path: string, body: object): Promise<T> => {
    let envelope: Envelope | undefined;
    let status: number | undefined;
    if (options.callFunction) {
      try {
        envelope = await options.callFunction(path, body);
      } catch (error) {
        throw new WebAuthError('network', `Could not reach the function: ${(error as Error)?.message ?? error}`);
      }
    } else {
      const token = await options.getAccessToken?.();
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (token) headers.authorization = `Bearer ${token}`;
      let response: Response;
      try {
        response = await (options.fetch ?? fetch)(endpoint(options.baseUrl ?? '', path), {
          method: 'POST',
          headers,
          body: JSON.stringify(body),
        });
      } catch (error) {
        throw new WebAuthError('network', `Could not reach the function: ${(error as Error)?.message ?? error}`);
      }
      status = response.status;
      // A gateway or proxy in front of the function may answer with HTML; say so instead of a JSON parse error.
      envelope = await response.json().catch(() => undefined);
    }
    if (envelope?.code === 0) return envelope.data as T;
    const { msg, errcode, rid, hint, requestId } = envelope ?? {};
    throw new WebAuthError('function', msg || `The function answered HTTP ${status ?? '?'} without its {code, msg, data} envelope`, {
      status,
      errcode,
      rid,
      hint,
      requestId,
    });
  };
}
