/**
 * The HTTP surface: the route table turned into a Hono app. Paths work bare
 * (/oauth/token), behind a function-name prefix (/my-fn/oauth/token) and in the
 * gateway's form (/v1/functions/my-fn/oauth/token?webfn=true).
 */
import { randomUUID } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { AppError, isAppError } from '../errors.js';
import { createAccessCheck, type AccessCheck } from './access.js';
import { failure, success } from './envelope.js';
import type { RouteDef } from './route.js';
import { routes as defaultRoutes } from './routes/index.js';
import type { Services } from './services.js';
import { parseJsonBody, validate } from './validation.js';

export const MAX_BODY_BYTES = 64 * 1024;

export interface AppOptions {
  services: Services;
  routes?: RouteDef[];
  access?: AccessCheck;
  /** Extra surfaces mounted before the 404 handler (the dev run's demo page, the API reference). */
  mount?: (app: Hono<AppEnv>) => void;
}

export type AppEnv = { Variables: { requestId: string; error?: AppError } };

const REQUEST_ID = /^[\w.:-]{1,128}$/;

/** Every form a route's path may arrive in. */
export function pathForms(path: string): string[] {
  return [path, `/:fn{[^/]+}${path}`, `/v1/functions/:fn{[^/]+}${path}`];
}

export function createApp(options: AppOptions): Hono<AppEnv> {
  const { services } = options;
  const { config, logger } = services;
  const routes = options.routes ?? defaultRoutes;
  const access = options.access ?? createAccessCheck(config);
  const app = new Hono<AppEnv>();

  const fail = (c: Context<AppEnv>, error: AppError) => {
    c.set('error', error);
    if (error.details.retryAfter) c.header('Retry-After', String(error.details.retryAfter));
    return c.json(failure(error, c.get('requestId')), error.status as 400);
  };

  app.use(async (c, next) => {
    const incoming = c.req.header('x-cloudbase-request-id') ?? c.req.header('x-request-id');
    const requestId = incoming && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    c.set('requestId', requestId);
    const started = performance.now();
    await next();
    c.header('x-request-id', requestId);
    const error = c.get('error');
    const line = {
      reqId: requestId,
      method: c.req.method,
      path: c.req.path.slice(0, 256),
      status: c.res.status,
      ms: Math.round((performance.now() - started) * 10) / 10,
      ...(error?.details.errcode !== undefined && { errcode: error.details.errcode }),
      ...(error?.details.rid && { rid: error.details.rid }),
      ...(error && { msg: error.message }),
    };
    if (c.res.status >= 500) logger.error(line, 'request failed');
    else logger.info(line, 'request');
  });

  app.use(
    cors({
      origin: (origin) => (config.corsAllowOrigins.includes(origin) || config.corsAllowOrigins.includes('*') ? origin : null),
      allowMethods: ['POST', 'GET', 'OPTIONS'],
      allowHeaders: ['Content-Type', 'Authorization', 'X-Api-Key', 'X-Request-Id'],
      exposeHeaders: ['X-Request-Id', 'Retry-After'],
      maxAge: 600,
    }),
  );

  app.use(
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: (c) => fail(c as Context<AppEnv>, new AppError('payload_too_large', `Request body is larger than ${MAX_BODY_BYTES / 1024} KiB`)),
    }),
  );

  const health = (c: Context<AppEnv>) =>
    c.json(
      success({
        name: 'offiaccount-common',
        version: services.version,
        status: 'ok',
        mode: config.mode,
        features: {
          adminRoutes: config.adminApiKey ? 'on' : 'off (set ADMIN_API_KEY)',
          auth: config.authMode,
          cors: config.corsAllowOrigins.length ? config.corsAllowOrigins : 'off',
        },
      }),
    );
  for (const path of ['/', '/v1/functions/:fn{[^/]+}', '/v1/functions/:fn{[^/]+}/']) {
    app.get(path, health);
    app.all(path, (c) => fail(c, methodNotAllowed(c, 'GET')));
  }

  for (const route of routes) {
    const forms = pathForms(route.path);
    for (const form of forms) {
      app.post(form, async (c) => {
        const caller = await access.check(route.access, c.req.raw.headers);
        const type = c.req.header('content-type');
        if (type && !/^application\/([\w.+-]*\+)?json\b/i.test(type)) {
          throw new AppError('unsupported_media_type', `Content-Type must be application/json; got "${type.slice(0, 100)}"`);
        }
        const body = validate(route.body, parseJsonBody(await c.req.text()));
        const data = await route.handler(body, { services, caller, requestId: c.get('requestId') });
        return c.json(success(data));
      });
      app.all(form, (c) => fail(c, methodNotAllowed(c, 'POST')));
    }
  }

  options.mount?.(app);

  app.notFound((c) => fail(c, new AppError('not_found', `No route ${c.req.method} ${c.req.path.slice(0, 200)}`, { hint: 'Routes are POST /oauth/*, /token/*, /jssdk/*; see /openapi.json.' })));

  app.onError((error, c) => {
    if (isAppError(error)) return fail(c, error);
    logger.error({ reqId: c.get('requestId'), err: { type: (error as Error)?.name, message: (error as Error)?.message, stack: (error as Error)?.stack } }, 'unexpected error');
    return fail(c, new AppError('internal', 'Internal error; the function logged it under this requestId'));
  });

  return app;
}

function methodNotAllowed(c: Context<AppEnv>, allowed: string): AppError {
  c.header('Allow', allowed);
  return new AppError('method_not_allowed', `Method not allowed; use ${allowed}`);
}
