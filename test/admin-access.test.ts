/**
 * Admin routes act on the whole account (the global access_token, and every later route that
 * uses it): they answer only a caller with ADMIN_API_KEY in X-Api-Key, and are off when no key is
 * configured. A test app adds an admin route of its own beside the real ones; /token/get is
 * checked too when the route table has it.
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { serve } from '@hono/node-server';
import * as v from 'valibot';
import { ManualClock } from '../src/clock.js';
import { composeServices } from '../src/compose.js';
import { ConfigError, loadConfig } from '../src/config.js';
import { createDevSignin } from '../src/dev/signin.js';
import { sameSecret } from '../src/function/access.js';
import { createApp } from '../src/function/app.js';
import { defineRoute, type RouteDef } from '../src/function/route.js';
import { groups, routes } from '../src/apis/index.js';
import { createLogger } from '../src/log.js';
import { logLines } from './support/log-lines.js';
import { startStack, TEST_APP_ID, TEST_APP_SECRET } from './support/stack.js';

const ADMIN_KEY = 'adm1n-k3y-for-tests-0123456789abcdef';

const adminEcho = defineRoute({
  path: '/test/admin-echo',
  access: 'admin',
  summary: 'Answers who the caller is; stands in for the admin routes.',
  body: v.object({}),
  handler: async (_body, { caller, services }) => {
    // Deliberately log what the request carried, to prove the logger keeps the key out.
    services.logger.info({ adminKeySeen: services.config.adminApiKey }, 'admin echo');
    return { caller: caller.kind };
  },
});

interface Served {
  url: string;
  logs: string[];
  responses: string[];
  call(path: string, headers?: Record<string, string>): Promise<{ status: number; body: any; text: string }>;
  close(): Promise<void>;
}

async function serveApp(env: Record<string, string>, extra: RouteDef[] = [adminEcho]): Promise<Served> {
  const clock = new ManualClock();
  const config = loadConfig({ appId: TEST_APP_ID, appSecret: TEST_APP_SECRET, WECHAT_API_BASE_URL: 'http://127.0.0.1:9', ...env });
  const { lines: logs, destination } = logLines();
  const logger = createLogger({ level: 'debug', secrets: [config.appSecret, config.adminApiKey], destination });
  const composed = await composeServices({ config, clock, logger });
  const app = createApp({ services: composed.services, groups: [...groups, { name: 'test', description: 'Test routes.', routes: extra }] });
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const responses: string[] = [];
  return {
    url,
    logs,
    responses,
    async call(path, headers = {}) {
      const response = await fetch(url + path, { method: path === '/' ? 'GET' : 'POST', headers: { 'content-type': 'application/json', ...headers }, body: path === '/' ? undefined : '{}' });
      const text = await response.text();
      responses.push(text);
      return { status: response.status, body: JSON.parse(text), text };
    },
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await composed.close();
    },
  };
}

describe('admin routes with no key configured', () => {
  let fn: Served;
  before(async () => {
    fn = await serveApp({ AUTH_MODE: 'gateway' });
  });
  after(() => fn.close());

  it('are off: 403 saying how to turn them on, whatever the caller sends', async () => {
    for (const headers of [{}, { 'x-api-key': ADMIN_KEY }, { 'x-api-key': '' }] as Array<Record<string, string>>) {
      const result = await fn.call('/test/admin-echo', headers);
      assert.equal(result.status, 403);
      assert.equal(result.body.code, -1);
      assert.equal(result.body.data, null);
      assert.match(result.body.msg, /Admin routes are off: set ADMIN_API_KEY/);
    }
  });

  it('and GET / says so', async () => {
    const health = await fn.call('/');
    assert.equal(health.status, 200);
    assert.match(health.body.data.features.adminRoutes, /^off \(set ADMIN_API_KEY\)$/);
  });
});

describe('admin routes with ADMIN_API_KEY', () => {
  let fn: Served;
  before(async () => {
    fn = await serveApp({ AUTH_MODE: 'gateway', ADMIN_API_KEY: ADMIN_KEY, RATE_LIMIT_PER_MINUTE: '1' });
  });
  after(() => fn.close());

  it('answer the right key', async () => {
    const result = await fn.call('/test/admin-echo', { 'x-api-key': ADMIN_KEY });
    assert.equal(result.status, 200, result.text);
    assert.deepEqual(result.body, { code: 0, msg: 'success', data: { caller: 'admin' } });
    assert.equal((await fn.call('/', {})).body.data.features.adminRoutes, 'on');
  });

  it('refuse a missing or wrong key with 403 in the envelope', async () => {
    const wrong: Array<Record<string, string>> = [
      {},
      { 'x-api-key': '' },
      { 'x-api-key': 'nope' },
      { 'x-api-key': ADMIN_KEY.slice(0, -1) },
      { 'x-api-key': `${ADMIN_KEY}x` },
      { 'x-api-key': ADMIN_KEY.toUpperCase() },
      { 'x-api-key': ` ${ADMIN_KEY}x` },
    ];
    for (const headers of wrong) {
      // From an address of its own: each wrong key counts against the address it came from.
      const result = await fn.call('/test/admin-echo', { ...headers, 'x-forwarded-for': '198.51.100.1' });
      assert.equal(result.status, 403, JSON.stringify(headers));
      assert.equal(result.body.code, -1);
      assert.match(result.body.msg, /needs the admin key in the X-Api-Key header/);
    }
  });

  it('take the key only from X-Api-Key, never from a user token or the body', async () => {
    const { access_token } = await createDevSignin().issue('someone');
    const from = { 'x-forwarded-for': '198.51.100.2' };
    assert.equal((await fn.call('/test/admin-echo', { ...from, authorization: `Bearer ${access_token}` })).status, 403);
    assert.equal((await fn.call('/test/admin-echo', { ...from, authorization: `Bearer ${ADMIN_KEY}` })).status, 403);
    const inBody = await fetch(`${fn.url}/test/admin-echo`, { method: 'POST', headers: { ...from, 'content-type': 'application/json' }, body: JSON.stringify({ apiKey: ADMIN_KEY }) });
    assert.equal(inBody.status, 403);
  });

  it('work on every path form', async () => {
    for (const path of ['/my-fn/test/admin-echo', '/v1/functions/my-fn/test/admin-echo?webfn=true']) {
      assert.equal((await fn.call(path, { 'x-api-key': ADMIN_KEY })).status, 200, path);
      assert.equal((await fn.call(path, { 'x-forwarded-for': '198.51.100.3' })).status, 403, path);
    }
  });

  it('are not subject to the end-user rate limit', async () => {
    for (let i = 0; i < 5; i++) assert.equal((await fn.call('/test/admin-echo', { 'x-api-key': ADMIN_KEY })).status, 200);
  });

  it('never show the key in a response or a log line', () => {
    assert.ok(fn.logs.some((line) => line.includes('admin echo')), 'the handler logged');
    for (const line of fn.logs) assert.ok(!line.includes(ADMIN_KEY), `log line leaks the admin key: ${line}`);
    for (const text of fn.responses) assert.ok(!text.includes(ADMIN_KEY), `response leaks the admin key: ${text}`);
  });
});

describe('the admin key itself', () => {
  it('must be long enough to resist guessing', () => {
    assert.throws(
      () => loadConfig({ appId: TEST_APP_ID, appSecret: TEST_APP_SECRET, ADMIN_API_KEY: 'short-key' }),
      (error: unknown) => error instanceof ConfigError && error.variable === 'ADMIN_API_KEY',
    );
  });

  it('is compared whole, whatever the lengths', () => {
    assert.equal(sameSecret(ADMIN_KEY, ADMIN_KEY), true);
    assert.equal(sameSecret('', ADMIN_KEY), false);
    assert.equal(sameSecret(ADMIN_KEY.slice(0, 16), ADMIN_KEY), false);
    assert.equal(sameSecret(ADMIN_KEY + ADMIN_KEY, ADMIN_KEY), false);
  });
});

describe('/token/get, the account-wide token', () => {
  it('is an admin route: refused without the key, served with it', async () => {
    // Fails, rather than skipping, when the route is renamed or dropped.
    const route = routes.find((r) => r.path === '/token/get');
    assert.ok(route, '/token/get is in the route table');
    assert.equal(route.access, 'admin');
    const off = await startStack({ env: { AUTH_MODE: 'gateway' } });
    try {
      const result = await off.call('/token/get', {});
      assert.equal(result.status, 403);
      assert.match(result.body.msg, /Admin routes are off/);
    } finally {
      await off.close();
    }
    const stack = await startStack({ env: { AUTH_MODE: 'gateway', ADMIN_API_KEY: ADMIN_KEY } });
    try {
      const { access_token } = await createDevSignin({ clock: stack.clock }).issue('page-user');
      const asUser = await stack.call('/token/get', {}, { authorization: `Bearer ${access_token}` });
      assert.equal(asUser.status, 403, 'an end user never gets the account token');
      assert.equal((await stack.call('/token/get', {}, { 'x-api-key': 'wrong-key-wrong-key' })).status, 403);
      const asAdmin = await stack.call('/token/get', {}, { 'x-api-key': ADMIN_KEY });
      assert.equal(asAdmin.status, 200, asAdmin.text);
      assert.equal(asAdmin.body.code, 0);
      const token = asAdmin.body.data.access_token as string;
      assert.ok(token);
      assert.ok(!stack.logs.some((line) => line.includes(token) || line.includes(ADMIN_KEY)), 'neither the token nor the key is logged');
    } finally {
      await stack.close();
    }
  });
});
