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
  /** The CORS headers for an answer to a call that carried this Origin header (or none). */
  headersFor(origin: string | undefined): Record<string, string>;
}

export function createCorsPolicy(allowOrigins: string[]): CorsPolicy {
  const any = allowOrigins.includes('*');
  const exposeHeaders = ['X-Request-Id', 'Retry-After'];
  // Every answer depends on the Origin header, so caches must key on it; built once, not per call.
  const varyOnly = { vary: 'Origin' };
  const exposed = exposeHeaders.join(',');
  const allowed = (origin: string) => (any || allowOrigins.includes(origin) ? origin : null);
  return {
    allowed,
    exposeHeaders,
    headersFor(origin) {
      const allow = origin === undefined ? null : allowed(origin);
      if (!allow) return varyOnly;
      return { ...varyOnly, 'access-control-allow-origin': allow, 'access-control-expose-headers': exposed };
    },
  };
}
