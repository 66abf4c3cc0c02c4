/**
 * Which browser origins may read the function's answers (corsAllowOrigin), in one place for
 * both paths that answer them: hono's CORS middleware answers preflights and the calls that pass
 * through the middleware chain; route calls, which do not, take their headers from `headersFor`.
 */
export interface CorsPolicy {
  /** The value for Access-Control-Allow-Origin, or null when the origin is not allowed. */
  allowed(origin: string): string | null;
  /** Headers a page may read from an answer. */
  exposeHeaders: string[];
  /** The CORS headers for an answer to a call that carried this Origin header (or none); shared, read-only. */
  headersFor(origin: string | undefined): Readonly<Record<string, string>>;
}

export function createCorsPolicy(allowOrigins: string[]): CorsPolicy {
  const any = allowOrigins.includes('*');
  const exposeHeaders = ['X-Request-Id', 'Retry-After'];
  // Every answer depends on the Origin header, so caches must key on it.
  const varyOnly = Object.freeze({ vary: 'Origin' });
  const exposed = exposeHeaders.join(',');
  const headersOf = (origin: string) => Object.freeze({ ...varyOnly, 'access-control-allow-origin': origin, 'access-control-expose-headers': exposed });
  // A listed origin's headers are built once; only `*` builds them per call, for whatever origin came.
  const listed = new Map(allowOrigins.filter((origin) => origin !== '*').map((origin) => [origin, headersOf(origin)]));
  const allowed = (origin: string) => (any || listed.has(origin) ? origin : null);
  return {
    allowed,
    exposeHeaders,
    headersFor(origin) {
      if (origin === undefined) return varyOnly;
      return listed.get(origin) ?? (any ? headersOf(origin) : varyOnly);
    },
  };
}
