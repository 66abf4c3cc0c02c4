/**
 * The floor plus the per-call work the function owes its operators, done the cheapest way on
 * node:http with the same libraries the function uses: a request id (the caller's, else a new
 * UUID), the caller's user id read from the gateway-verified Bearer token, a per-user
 * count against the rate limit (an in-memory map with expiry), the body checked against the
 * route's schema (valibot), the id and `Vary: Origin` on every answer, the CORS headers a page
 * on a listed origin needs to read the answer, and one JSON log line per call (pino,
 * asynchronous stdout). No framework, no preflights, no code-exchange cache.
 *
 * What it costs over the floor is what any implementation with these duties pays; what the
 * function costs over it is the price of the framework and of the function's own structure.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { pino } from 'pino';
import * as v from 'valibot';
import { startFloor } from './floor-server.js';

const log = pino({ base: undefined }, pino.destination({ dest: 1, sync: false }));
const schemas: Record<string, v.GenericSchema> = {
  '/oauth/config': v.object({}),
  '/oauth/token': v.object({ code: v.pipe(v.string(), v.minLength(1), v.maxLength(512)), state: v.optional(v.pipe(v.string(), v.maxLength(128))) }),
};

// The origins listed in corsAllowOrigin, each with the headers its pages' calls are answered with.
const corsHeaders = new Map(
  (process.env.corsAllowOrigin ?? '')
    .split(',')
    .map((origin) => origin.trim())
    .filter(Boolean)
    .map((origin) => [origin, { 'access-control-allow-origin': origin, 'access-control-expose-headers': 'X-Request-Id,Retry-After' }]),
);

const WINDOW_MS = 60_000;
const LIMIT = Number(process.env.RATE_LIMIT_PER_MINUTE ?? 1_000_000);
const counts = new Map<string, { count: number; expiresAt: number }>();
let writes = 0;

interface Call {
  id: string;
  user?: string;
  started: number;
}
// On the request itself: a WeakMap with an entry per call costs the collector more than the rest of the call's record.
const CALL = Symbol('call');
type Tracked = IncomingMessage & { [CALL]: Call };

startFloor({
  begin(req) {
    const given = req.headers['x-request-id'];
    const id = typeof given === 'string' && /^[\w.:-]{1,128}$/.test(given) ? given : randomUUID();
    const call: Call = { id, started: performance.now() };
    (req as Tracked)[CALL] = call;
    const token = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1];
    if (token) {
      try {
        const sub: unknown = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'))?.sub;
        call.user = typeof sub === 'string' ? sub.slice(0, 128) : undefined;
      } catch {
        call.user = undefined;
      }
    }
    const now = Date.now();
    const key = `${Math.floor(now / WINDOW_MS)}:${call.user ? `u:${call.user}` : `ip:${req.socket.remoteAddress}`}`;
    const entry = counts.get(key);
    if (entry && entry.expiresAt > now) entry.count++;
    else counts.set(key, { count: 1, expiresAt: now + WINDOW_MS + 5_000 });
    if (++writes % 4096 === 0) for (const [k, e] of counts) if (e.expiresAt <= now) counts.delete(k);
    if (counts.get(key)!.count > LIMIT) return [429, 'Too many requests from this caller'];
    const origin = req.headers.origin;
    return { headers: { 'x-request-id': id, vary: 'Origin', ...(origin !== undefined && corsHeaders.get(origin)) } };
  },
  check(route, body) {
    const schema = schemas[route];
    if (!schema) return undefined;
    const result = v.safeParse(schema, body);
    return result.success ? undefined : result.issues.map((issue) => issue.path?.map((item) => String(item.key)).join('.') ?? 'body').join('; ');
  },
  end(req, status) {
    const call = (req as Tracked)[CALL];
    const line = { reqId: call.id, method: req.method, path: (req.url ?? '').slice(0, 256), status, ms: Math.round((performance.now() - call.started) * 10) / 10, ...(call.user && { user: call.user }) };
    if (status >= 500) log.error(line, 'request failed');
    else log.info(line, 'request');
  },
});
