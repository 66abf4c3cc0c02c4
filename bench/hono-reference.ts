/**
 * A reference point between the floor and the function: the floor's work (bench/floor.ts)
 * written the ordinary Hono way on @hono/node-server, the framework the function is built
 * on. The gap between it and the floor is what the framework costs; the gap between the
 * function and it is what the function's own features cost (request ids, logging, CORS,
 * schemas, access checks, rate limiting, the code-exchange cache).
 *
 * Environment: PORT, HOST, WECHAT_API_BASE_URL, appId, appSecret.
 */
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { Agent, request } from 'undici';

const upstream = (process.env.WECHAT_API_BASE_URL ?? 'https://api.weixin.qq.com').replace(/\/+$/, '');
const appId = process.env.appId ?? '';
const appSecret = process.env.appSecret ?? '';
const openBase = process.env.WECHAT_OPEN_BASE_URL ?? 'https://open.weixin.qq.com';
const agent = new Agent({ connections: 128, keepAliveTimeout: 10_000, headersTimeout: 5000, bodyTimeout: 5000 });

const fail = (msg: string) => ({ code: -1, msg, data: null });

const app = new Hono();

app.use(async (c, next) => {
  if (!/^Bearer \S+$/.test(c.req.header('authorization') ?? '')) return c.json(fail('Missing Authorization: Bearer <accessToken>'), 401);
  await next();
});

async function body(text: Promise<string>): Promise<Record<string, unknown> | undefined> {
  try {
    const raw = await text;
    return raw ? JSON.parse(raw) : {};
  } catch {
    return undefined;
  }
}

app.post('/oauth/config', async (c) => {
  if (!(await body(c.req.text()))) return c.json(fail('Request body is not valid JSON'), 400);
  return c.json({
    code: 0,
    msg: 'success',
    data: { appId, authorizeUrl: `${openBase}/connect/oauth2/authorize`, scopes: ['snsapi_base', 'snsapi_userinfo'], mode: 'wechat' },
  });
});

app.post('/oauth/token', async (c) => {
  const parsed = await body(c.req.text());
  if (!parsed) return c.json(fail('Request body is not valid JSON'), 400);
  const code = parsed.code;
  if (typeof code !== 'string' || code.length === 0 || code.length > 512) return c.json(fail('Invalid request body: code is required'), 400);
  try {
    const query = new URLSearchParams({ appid: appId, secret: appSecret, code, grant_type: 'authorization_code' });
    const response = await request(`${upstream}/sns/oauth2/access_token?${query}`, { dispatcher: agent, signal: AbortSignal.timeout(5000) });
    const answer = (await response.body.json()) as Record<string, unknown>;
    if (typeof answer.errcode === 'number' && answer.errcode !== 0) return c.json(fail(`WeChat API error [${answer.errcode}]: ${answer.errmsg}`), 400);
    const { openid, access_token, refresh_token, expires_in, scope, unionid } = answer;
    return c.json({ code: 0, msg: 'success', data: { openid, access_token, refresh_token, expires_in, scope, unionid } });
  } catch {
    return c.json(fail('Could not reach WeChat'), 502);
  }
});

const server = serve({ fetch: app.fetch, port: Number(process.env.PORT ?? 9000), hostname: process.env.HOST ?? '0.0.0.0' });
process.once('SIGTERM', () => {
  server.close();
  void agent.close();
});
