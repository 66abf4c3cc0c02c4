/**
 * Reading request headers without building a web `Headers` object. Through the web Request the
 * first `c.req.header()` turns Node's raw headers into a web `Headers`, validating every name and
 * value, which measured at 10 to 20 µs a request: a fifth of a whole call. Node has already parsed
 * them into `incoming.headers`, so hot paths read that; elsewhere (app.request() in tests, another
 * runtime) the web Request is used.
 */
import type { IncomingMessage } from 'node:http';
import type { Context } from 'hono';

/** The one method the access check and the rate limit need; a web `Headers` has it too. */
export interface HeaderSource {
  get(name: string): string | null | undefined;
}

const incomingOf = (c: Context): IncomingMessage | undefined => (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;

/** `name` in lower case. */
export function requestHeader(c: Context, name: string): string | undefined {
  const incoming = incomingOf(c);
  if (!incoming?.headers) return c.req.header(name);
  const value = incoming.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

export function requestHeaders(c: Context): HeaderSource {
  return incomingOf(c)?.headers ? { get: (name) => requestHeader(c, name) } : c.req.raw.headers;
}

/** The peer address when served on node:http; absent under app.request() in tests. */
export function socketAddress(c: Context): string | undefined {
  return incomingOf(c)?.socket?.remoteAddress;
}
