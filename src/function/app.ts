/**
 * The HTTP surface: the API groups' routes turned into a Hono app. Paths work bare
 * (/oauth/token), behind a function-name prefix (/my-fn/oauth/token) and in the
 * gateway's form (/v1/functions/my-fn/oauth/token?webfn=true).
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Hono, type Context } from 'hono';
import { cors as honoCors } from 'hono/cors';
import { getPath } from 'hono/utils/url';
import { createCorsPolicy } from './cors.js';
import { AppError, isAppError } from '../errors.js';
import { createAccessCheck, type AccessCheck } from './access.js';
import { readBody, readBodyText } from './body.js';
import { requestHeader, requestHeaders, socketAddress } from './request-headers.js';
import { clientAddress, createFailureLimit, createRateLimit, type FailureLimit, type RateLimit } from './rate-limit.js';
import { createLineSampler } from './line-sampler.js';
import { canonicalPath } from './canonical-path.js';
import { failure, success } from './envelope.js';
import { jsonAnswer, plainAnswer } from './plain-response.js';
import { DEFAULT_BODY_LIMIT, methodsByPath, methodsOf, type Caller, type InputKind, type OutputKind, type RawBody, type RouteDef, type UploadedFile } from './route.js';
import { groups as defaultGroups, routesOf } from '../apis/index.js';
import type { ApiGroup } from '../apis/group.js';
import type { Services } from './services.js';
import { parseJsonBody, validate } from './validation.js';
import { openToUsers } from './user-routes.js';

export interface AppOptions {
  services: Services;
  /** The API groups served; src/apis/index.ts's list when absent. */
  groups?: readonly ApiGroup[];
  access?: AccessCheck;
  /** Per-caller limit on end-user routes; built from RATE_LIMIT_PER_MINUTE when not given. */
  rateLimit?: RateLimit;
  /** Failed admin-key attempts per client address; 10 a minute when not given. */
  adminFailures?: FailureLimit;
  /** Extra surfaces mounted before the 404 handler (the dev run's demo page, the API reference). */
  mount?: (app: Hono<AppEnv>) => void;
}

export type AppEnv = {
  Variables: {
    requestId: string;
    error?: AppError;
    caller?: Caller;
    /** The methods a 405 names in Allow. */
    allow?: string;
    /** Vary: Origin is owed (a call without Origin that skipped the CORS middleware). */
    vary?: boolean;
    /** The answer came from `send`, with the request id and Vary already on it. */
    sent?: boolean;
  };
};

/**
 * A JSON answer with its headers as a plain record (served on node:http, a PlainResponse: no web
 * Response, no web Headers). Routes, errors and the health check, the answers a cold start's first call gets,
 * answer this way; the rest (the API document, preflights, the local pages) use Hono's helpers.
 */
function send(c: Context<AppEnv>, status: number, payload: unknown, extra: Record<string, string> = {}): Response {
  c.set('sent', true);
  return jsonAnswer(c.env, status, payload, {
    'x-request-id': c.get('requestId'),
    // Answers hold tokens, signatures and per-user results: no cache on the way may keep one.
    'cache-control': 'no-store',
    ...(c.get('vary') && { vary: 'Origin' }),
    ...extra,
  });
}

/** A binary or XML route's answer, sent as the handler gave it. */
function sendRaw(c: Context<AppEnv>, kind: OutputKind, raw: RawBody, extra: Record<string, string>): Response {
  if (typeof raw !== 'object' || raw === null || !(typeof raw.body === 'string' || raw.body instanceof Uint8Array)) {
    throw new Error(`a route with output "${kind}" returned something that is not a RawBody`);
  }
  c.set('sent', true);
  const filename = raw.filename?.replace(/["\\\r\n]/g, '_');
  return plainAnswer(c.env, 200, raw.body as string | Uint8Array<ArrayBuffer>, {
    'content-type': raw.contentType ?? (kind === 'xml' ? 'application/xml; charset=utf-8' : 'application/octet-stream'),
    'x-request-id': c.get('requestId'),
    ...(c.get('vary') && { vary: 'Origin' }),
    ...(filename && { 'content-disposition': `attachment; filename="${filename}"` }),
    ...extra,
  });
}

const JSON_TYPE = /^application\/([\w.+-]*\+)?json\b/i;
const XML_TYPE = /^(text|application)\/([\w.+-]*\+)?xml\b/i;
const MULTIPART_TYPE = /^multipart\/form-data\b/i;

/** What a route's schema validates: a JSON object (a GET's query), a form, or XML text. */
async function readInput(c: Context<AppEnv>, kind: InputKind, limit: number): Promise<unknown> {
  if (c.req.method === 'GET' && kind === 'json') return c.req.query();
  const type = requestHeader(c, 'content-type');
  const wrongType = (expected: string) =>
    new AppError('unsupported_media_type', `Content-Type must be ${expected}; got "${(type ?? '').slice(0, 100)}"`);
  switch (kind) {
    case 'json':
      if (type && !JSON_TYPE.test(type)) throw wrongType('application/json');
      // The size limit is enforced while reading (413), straight from the socket: see body.ts.
      return parseJsonBody(await readBodyText(c, limit));
    case 'xml':
      if (type && !XML_TYPE.test(type)) throw wrongType('text/xml');
      return readBodyText(c, limit);
    case 'multipart':
      if (!type || !MULTIPART_TYPE.test(type)) throw wrongType('multipart/form-data');
      return parseForm(await readBody(c, limit), type);
    case 'upload':
      if (type && MULTIPART_TYPE.test(type)) return parseForm(await readBody(c, limit), type);
      if (type && !JSON_TYPE.test(type)) throw wrongType('multipart/form-data or application/json');
      return parseJsonBody(await readBodyText(c, limit));
  }
}

/** A multipart body as fields (strings) and files, with Node's own parser (the web Response). */
async function parseForm(bytes: Buffer, type: string): Promise<Record<string, string | UploadedFile>> {
  let form: FormData;
  try {
    form = await new Response(bytes as Uint8Array<ArrayBuffer>, { headers: { 'content-type': type } }).formData();
  } catch {
    throw new AppError('bad_request', 'The multipart body could not be read', { hint: 'Send a multipart/form-data body with its boundary in Content-Type.' });
  }
  const fields: Record<string, string | UploadedFile> = {};
  for (const [name, value] of form) {
    fields[name] =
      typeof value === 'string' ? value : { filename: value.name, contentType: value.type || 'application/octet-stream', bytes: new Uint8Array(await value.arrayBuffer()) };
  }
  return fields;
}

const REQUEST_ID = /^[\w.:-]{1,128}$/;

const GATEWAY_PREFIX = '/v1/functions/';

/** Failed admin-key attempts one address may make in a minute before it is refused (429). */
const ADMIN_FAILURES_PER_MINUTE = 10;

/** Served on node:http: the Node request and response behind the web Request. */
const nodeOf = (c: Context) => c.env as { incoming?: IncomingMessage; outgoing?: ServerResponse } | undefined;

/**
 * The path the router matches: the gateway's form (/v1/functions/<fn>/oauth/token, and
 * /v1/functions/<fn> for the health check) and the function-name form (/<fn>/oauth/token)
 * reduced to the bare path. With only bare paths to match, Hono picks its RegExpRouter and
 * answers from a static map: about 1 µs a call less than walking three parameterized forms
 * of every route in a trie. `routePaths`: the paths either prefix may stand before; the
 * OpenAPI document and the local run's pages answer on their own paths only.
 */
export function routerPath(path: string, routePaths: ReadonlySet<string>): string {
  if (path.startsWith(GATEWAY_PREFIX)) {
    const end = path.indexOf('/', GATEWAY_PREFIX.length);
    if (end === -1) return path.length > GATEWAY_PREFIX.length ? '/' : path;
    if (end === GATEWAY_PREFIX.length) return path;
    if (path.length === end + 1) return '/';
    const bare = path.slice(end);
    return routePaths.has(bare) ? bare : path;
  }
  if (routePaths.has(path)) return path;
  const end = path.indexOf('/', 1);
  return end > 1 && routePaths.has(path.slice(end)) ? path.slice(end) : path;
}

export function createApp(options: AppOptions): Hono<AppEnv> {
  const { services } = options;
  const { config, logger } = services;
  const deadlineMs = config.wechatTimeoutMs;
  // A request line holds only the fields named in `logRequest`, none of them a credential, so
  // it skips pino's path redaction (about 35 µs a line with the wildcard paths, more than all
  // the rest of a call); the scrub of configured secret values still applies.
  const requestLog = logger.child({}, { redact: [] });
  // USER_ROUTES turns the named admin routes into user routes everywhere (router, access, document).
  const groups = openToUsers(options.groups ?? defaultGroups, config.userRoutes);
  const routes = routesOf(groups);
  const access = options.access ?? createAccessCheck(config, { clock: services.clock, logger });
  const rateLimit =
    options.rateLimit ??
    createRateLimit({ store: services.counters, clock: services.clock, perMinute: config.rateLimitPerMinute, namespace: `oa:{${config.appId}}:ratelimit`, logger });
  const adminFailures =
    options.adminFailures ??
    createFailureLimit({ store: services.counters, clock: services.clock, perMinute: ADMIN_FAILURES_PER_MINUTE, namespace: `oa:{${config.appId}}:admin-fail`, what: 'admin key', logger });
  const cors = createCorsPolicy(config.corsAllowOrigins);
  // Floods of refused requests (no token, no route, over the limit) are logged as a sample and a count.
  const sampler = createLineSampler({ clock: services.clock });
  const routePaths = new Set(routes.map((route) => route.path));
  // Only user routes can be opened; the configuration lists no other, and admin routes never are.
  const opened = new Set(routes.filter((route) => route.access === 'user' && config.publicRoutes.includes(route.path)));
  const userOpened = new Set(config.userRoutes);
  const app = new Hono<AppEnv>({ getPath: (request) => routerPath(getPath(request), routePaths) });

  const fail = (c: Context<AppEnv>, error: AppError, headers?: Record<string, string>) => {
    c.set('error', error);
    const allow = c.get('allow');
    const shown = forCaller(error, c.get('caller'));
    return send(c, error.status, failure(shown, c.get('requestId')), {
      ...headers,
      ...(error.details.retryAfter && { 'retry-after': String(error.details.retryAfter) }),
      ...(allow && { allow }),
    });
  };

  /** An AppError as it is; anything else is a fault of ours, logged in full and answered in general words. */
  const asAppError = (c: Context<AppEnv>, error: unknown): AppError => {
    if (isAppError(error)) return error;
    // The Error itself, so pino's serializer records its class, message, stack and cause.
    logger.error({ reqId: c.get('requestId'), err: error }, 'unexpected error');
    return new AppError('internal', 'Internal error; the function logged it under this requestId');
  };

  const logRequest = (c: Context<AppEnv>, started: number, status: number) => {
    const error = c.get('error');
    const userId = c.get('caller')?.userId;
    const line = {
      reqId: c.get('requestId'),
      method: c.req.method,
      // As the caller sent it, before the gateway or function-name prefix is taken off.
      path: getPath(c.req.raw).slice(0, 256),
      status,
      ms: Math.round((performance.now() - started) * 10) / 10,
      // The CloudBase user id only (never the token), so a support question can be traced to one user.
      ...(userId && { user: userId }),
      ...(error?.details.errcode !== undefined && { errcode: error.details.errcode }),
      ...(error?.details.rid && { rid: error.details.rid }),
      ...(error && { error: error.message }),
      // What the operator must fix, which end users are not shown.
      ...(error && OPERATOR_KINDS.has(error.kind) && error.details.hint && { hint: error.details.hint }),
    };
    if (status >= 500) requestLog.error(line, 'request failed');
    else if (sampler.admit(status, (summary) => requestLog.info(summary, 'request lines not written'))) requestLog.info(line, 'request');
  };

  const startRequest = (c: Context<AppEnv>) => {
    const incoming = requestHeader(c, 'x-cloudbase-request-id') ?? requestHeader(c, 'x-request-id');
    c.set('requestId', incoming && REQUEST_ID.test(incoming) ? incoming : randomUUID());
  };

  /**
   * A call to a route, start to finish: request id, CORS headers, access, rate limit, body,
   * handler, envelope, log line. Routes are registered before the middleware below and answer
   * without calling it, so the call every page makes runs through one function instead of a
   * middleware chain, and its answer is written in one step with every header already on it.
   */
  const serveRoute = async (c: Context<AppEnv>, route: RouteDef): Promise<Response> => {
    const started = performance.now();
    startRequest(c);
    const headers = cors.headersFor(requestHeader(c, 'origin'));
    // One deadline from arrival for everything the request waits on (the access check, Redis, a
    // pooled connection to WeChat, WeChat itself); the signal also fires when the caller leaves,
    // and ends the upstream calls the handler made with it (see WeChatHttp).
    const ended = new AbortController();
    const timer = setTimeout(() => ended.abort(), deadlineMs);
    const outgoing = nodeOf(c)?.outgoing;
    const left = () => ended.abort(CALLER_LEFT);
    outgoing?.once('close', left);
    // A caller can be gone before its request is served (its connection closed while it queued).
    if (outgoing?.socket?.destroyed) left();
    let response: Response;
    try {
      const data = await beforeDeadline(ended.signal, deadlineMs, handle(c, route, ended.signal));
      const output = route.output ?? 'envelope';
      response = output === 'envelope' ? send(c, 200, success(data), headers) : sendRaw(c, output, data as RawBody, headers);
    } catch (error) {
      response = fail(c, asAppError(c, error), headers);
    } finally {
      clearTimeout(timer);
      outgoing?.off('close', left);
    }
    logRequest(c, started, response.status);
    return response;
  };

  const handle = async (c: Context<AppEnv>, route: RouteDef, signal: AbortSignal): Promise<unknown> => {
    // Another spelling of a route's path (%74oken, /x/../token) is not that route: a rule at the edge
    // that fences the path it knows fences the route.
    const raw = nodeOf(c)?.incoming?.url ?? new URL(c.req.url).pathname;
    const canonical = canonicalPath(raw);
    if (canonical !== undefined) {
      throw new AppError('not_found', `No route ${c.req.method} ${raw.split('?')[0].slice(0, 200)}: write the path as ${canonical.slice(0, 200)}`);
    }
    const source = requestHeaders(c);
    const address = clientAddress(source, socketAddress(c));
    // A route USER_ROUTES opened still takes the backend's admin key, as it did before.
    const level = userOpened.has(route.path) && source.get('x-api-key') ? 'admin' : route.access;
    if (level === 'admin') await adminFailures.check(address);
    let caller: Caller;
    try {
      caller = await access.check(level, source, opened.has(route));
    } catch (error) {
      if (level === 'admin' && isAppError(error) && error.kind === 'forbidden' && config.adminApiKey) await adminFailures.failed(address);
      throw error;
    }
    c.set('caller', caller);
    await rateLimit.check(level, caller, address);
    const body = validate(route.body, await readInput(c, route.input ?? 'json', route.bodyLimit ?? DEFAULT_BODY_LIMIT));
    return route.handler(body, {
      services,
      caller,
      requestId: c.get('requestId'),
      signal,
      // Parsed only by a route that reads it.
      get query() {
        return c.req.query();
      },
    });
  };

  for (const route of routes) app.on([...methodsOf(route)], route.path, (c) => serveRoute(c, route));

  // Everything else (health, the API document, preflights, 404 and 405 answers, local pages)
  // passes through these two.
  app.use(async (c, next) => {
    const started = performance.now();
    startRequest(c);
    await next();
    // Answers that did not come from `send` get their headers here; Hono rebuilds those
    // responses to add them, which only the health check, the API document and local pages pay.
    if (!c.get('sent')) {
      c.header('x-request-id', c.get('requestId'));
      if (c.get('vary')) c.header('Vary', 'Origin');
      // The health answer and the API document are JSON too; the local run's pages may be cached.
      if (c.res.headers.get('content-type')?.startsWith('application/json') && !c.res.headers.has('cache-control')) c.header('Cache-Control', 'no-store');
    }
    logRequest(c, started, c.res.status);
  });

  const corsMiddleware = honoCors({
    origin: (origin) => cors.allowed(origin),
    allowMethods: ['POST', 'GET', 'OPTIONS'],
    // No X-Api-Key: the admin key belongs to a backend, never to a page in a browser.
    allowHeaders: ['Content-Type', 'Authorization', 'X-Request-Id'],
    exposeHeaders: cors.exposeHeaders,
    maxAge: 600,
  });
  // A call without an Origin header is not a cross-origin browser call: it skips the CORS
  // middleware, whose `Vary: Origin` added after the handler would rebuild every response
  // (a web Response and a stream per call), and gets the same Vary up front instead.
  app.use((c, next) => {
    if (requestHeader(c, 'origin') !== undefined) return corsMiddleware(c, next);
    c.set('vary', true);
    return next();
  });

  const health = (c: Context<AppEnv>) =>
    send(
      c,
      200,
      success({
        name: 'offiaccount-common',
        version: services.version,
        status: 'ok',
        mode: config.mode,
        features: {
          adminRoutes: config.adminApiKey ? 'on' : 'off (set ADMIN_API_KEY)',
          auth: config.authMode,
          cors: config.corsAllowOrigins.length ? config.corsAllowOrigins : 'off',
          redis: config.redisUrl ? 'on' : 'off',
          rateLimit: config.rateLimitPerMinute > 0 ? `${config.rateLimitPerMinute}/min` : 'off',
          publicRoutes: config.publicRoutes,
          cloudbaseTicket: config.customLoginKey ? 'on' : 'off (set CLOUDBASE_CUSTOM_LOGIN_KEY)',
          tokenSource: config.tokenSource,
        },
      }),
    );
  app.get('/', health);
  app.all('/', (c) => fail(c, methodNotAllowed(c, 'GET')));

  // The API document comes from the same table the router is built from; built (and its
  // JSON Schema converter loaded) on first ask.
  let openApi: Promise<string> | undefined;
  app.get('/openapi.json', async (c) => {
    openApi ??= import('./openapi.js').then(({ buildOpenApi }) => JSON.stringify(buildOpenApi(groups, { version: services.version })));
    return c.body(await openApi, 200, { 'content-type': 'application/json; charset=utf-8' });
  });
  app.all('/openapi.json', (c) => fail(c, methodNotAllowed(c, 'GET')));

  for (const [path, methods] of methodsByPath(routes)) app.all(path, (c) => fail(c, methodNotAllowed(c, methods.join(', '))));

  options.mount?.(app);

  const notFoundHint = `Routes are ${[...new Set(routes.map((route) => `/${route.path.split('/')[1]}/*`))].join(', ')}; see /openapi.json.`;
  app.notFound((c) => fail(c, new AppError('not_found', `No route ${c.req.method} ${getPath(c.req.raw).slice(0, 200)}`, { hint: notFoundHint })));

  app.onError((error, c) => fail(c, asAppError(c, error)));

  return app;
}

/** Kinds whose details are for the operator: an end user is told only that the function is misconfigured. */
const OPERATOR_KINDS = new Set<AppError['kind']>(['configuration', 'token']);

/** The error as this caller may see it: configuration details (egress IP, AppSecret, WeChat's words) go to admin callers and the log only. */
function forCaller(error: AppError, caller: Caller | undefined): AppError {
  if (!OPERATOR_KINDS.has(error.kind) || caller?.kind === 'admin') return error;
  return new AppError(error.kind, 'The function cannot serve this request: its configuration needs attention. The operator finds the details in the log under this requestId', {
    status: error.status,
  });
}

/** The abort reason of a request whose caller closed its connection. */
const CALLER_LEFT = 'caller left';

/**
 * The work's result, or an error once the signal fires: 504 at the deadline, and for a caller
 * that left, an answer nobody reads but the log line shows (499, as proxies note it). The work
 * may go on (a code exchange already sent) but is not waited for.
 */
function beforeDeadline<T>(signal: AbortSignal, deadlineMs: number, work: Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const expired = () =>
      reject(
        signal.reason === CALLER_LEFT
          ? new AppError('bad_request', 'The caller closed the connection before the answer', { status: 499 })
          : new AppError('timeout', `WeChat did not answer the request within ${deadlineMs} ms, its deadline from arrival (WECHAT_TIMEOUT_MS)`, {
              hint: 'WeChat is slow or unreachable from this server; try again shortly.',
            }),
      );
    signal.addEventListener('abort', expired, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', expired));
  });
}

function methodNotAllowed(c: Context<AppEnv>, allowed: string): AppError {
  c.set('allow', allowed);
  return new AppError('method_not_allowed', `Method not allowed; use ${allowed}`);
}
