/**
 * What the function writes to its log: one JSON object per line, each request line carrying the
 * request id (the platform's, or one made up) and, when WeChat refused, WeChat's errcode and rid.
 * And what it never writes: the AppSecret, any token, codes, x-cloudbase-context, the
 * Authorization header; whether they are logged on purpose or arrive in requests.
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { serve } from '@hono/node-server';
import * as v from 'valibot';
import { ManualClock } from '../src/clock.js';
import { composeServices } from '../src/compose.js';
import { loadConfig } from '../src/config.js';
import { createDevSignin } from '../src/dev/signin.js';
import { createApp } from '../src/function/app.js';
import { defineRoute } from '../src/function/route.js';
import { groups } from '../src/apis/index.js';
import { createLogger, REDACTED } from '../src/log.js';
import { logLines } from './support/log-lines.js';
import { startStack, TEST_APP_ID, TEST_APP_SECRET, type Stack } from './support/stack.js';

const ADMIN_KEY = 'logging-admin-key-0123456789abcdef';

/** A value that looks like what the platform injects: base64 JSON with temporary cloud credentials. */
const CLOUDBASE_CONTEXT = Buffer.from(
  JSON.stringify({ environ: 'env-1', TENCENTCLOUD_SECRETID: 'AKIDctxSecretId0000', TENCENTCLOUD_SECRETKEY: 'ctxSecretKey1111', TENCENTCLOUD_SESSIONTOKEN: 'ctxSessionToken2222' }),
).toString('base64');

describe('request lines', () => {
  let stack: Stack;
  let bearer: Record<string, string>;
  before(async () => {
    const clock = new ManualClock(Date.UTC(2026, 10, 24, 4, 0, 0));
    const signin = createDevSignin({ clock });
    // Every route closed to callers without a Bearer, so a refused call shows in the lines too.
    stack = await startStack({ clock, env: { ...signin.env, PUBLIC_ROUTES: '' } });
    bearer = { authorization: `Bearer ${(await signin.issue('log-user')).access_token}` };
  });
  after(() => stack.close());

  const lineFor = (reqId: string) => stack.logs.map((line) => JSON.parse(line)).find((line) => line.reqId === reqId);

  it('are JSON objects with the request id the platform sent', async () => {
    await stack.call('/oauth/config', {}, { ...bearer, 'x-cloudbase-request-id': 'cb-req-0001' });
    await stack.call('/oauth/config', {}, { ...bearer, 'x-request-id': 'plain-req-0002' });
    await stack.call('/oauth/config', {}, { ...bearer, 'x-cloudbase-request-id': 'cb-req-0003', 'x-request-id': 'plain-req-0003' });
    for (const line of stack.logs) assert.equal(typeof JSON.parse(line), 'object');
    const first = lineFor('cb-req-0001');
    assert.equal(first.method, 'POST');
    assert.equal(first.path, '/oauth/config');
    assert.equal(first.status, 200);
    assert.equal(typeof first.ms, 'number');
    assert.equal(first.user, 'log-user');
    assert.ok(lineFor('plain-req-0002'));
    assert.ok(lineFor('cb-req-0003'), "CloudBase's own id wins when both are sent");
  });

  it('make up an id when none (or a hostile one) is sent, and the answer carries the same id', async () => {
    const none = await stack.call('/oauth/config', {});
    const id = none.headers.get('x-request-id')!;
    assert.match(id, /^[0-9a-f-]{36}$/);
    assert.equal(none.body.requestId, id);
    assert.equal(lineFor(id).status, 401);
    const hostile = await stack.call('/oauth/config', {}, { ...bearer, 'x-request-id': 'x","level":60,"msg":"forged' });
    assert.match(hostile.headers.get('x-request-id')!, /^[0-9a-f-]{36}$/);
    assert.ok(!stack.logs.some((line) => line.includes('forged')), 'a request id cannot inject a log line');
  });

  it("carry WeChat's errcode and rid when WeChat refused", async () => {
    const result = await stack.call('/oauth/token', { code: 'never-issued-code' }, { ...bearer, 'x-request-id': 'wx-fail-0004' });
    assert.equal(result.status, 400);
    assert.equal(result.body.errcode, 40029);
    assert.ok(result.body.rid, 'the answer has the rid');
    const line = lineFor('wx-fail-0004');
    assert.equal(line.errcode, 40029);
    assert.equal(line.rid, result.body.rid);
    assert.match(line.error, /WeChat API error \[40029\]/);
  });

  it('leave out every credential a request carries', async () => {
    const code = stack.code('snsapi_userinfo', 'log-scan');
    const headers = { ...bearer, 'x-cloudbase-context': CLOUDBASE_CONTEXT, 'x-api-key': ADMIN_KEY, cookie: 'session=cookie-value-3333' };
    const token = (await stack.call('/oauth/token', { code }, headers)).body.data;
    await stack.call('/oauth/userinfo', { access_token: token.access_token, openid: token.openid }, headers);
    await stack.call('/oauth/refresh', { refresh_token: token.refresh_token }, headers);
    await stack.call('/oauth/refresh', { refresh_token: 'bogus-refresh-token-4444' }, headers);
    await stack.call('/oauth/token', { code: TEST_APP_SECRET }, headers);
    await stack.call('/nowhere', { code }, headers);
    const log = stack.logs.join('\n');
    const secrets = [
      TEST_APP_SECRET,
      bearer.authorization.slice('Bearer '.length),
      CLOUDBASE_CONTEXT,
      'ctxSecretKey1111',
      ADMIN_KEY,
      'cookie-value-3333',
      code,
      token.access_token,
      token.refresh_token,
      'bogus-refresh-token-4444',
    ];
    for (const secret of secrets) assert.ok(!log.includes(secret), `the log holds ${secret.slice(0, 12)}…`);
  });
});

describe('the logger', () => {
  it('redacts credentials logged on purpose, by field name and by value', () => {
    const { lines, destination } = logLines();
    const logger = createLogger({ level: 'debug', secrets: [TEST_APP_SECRET, ADMIN_KEY], destination });
    const values = {
      appSecret: TEST_APP_SECRET,
      access_token: 'acc-token-5555',
      refresh_token: 'ref-token-6666',
      ticket: 'jsapi-ticket-7777',
      code: 'oauth-code-8888',
      authorization: 'Bearer jwt-9999',
    };
    logger.info(values, 'top level');
    logger.info({ request: { headers: { authorization: 'Bearer nested-jwt-1010', 'x-cloudbase-context': CLOUDBASE_CONTEXT, 'x-api-key': ADMIN_KEY } } }, 'nested headers');
    logger.info({ wechat: { access_token: 'nested-acc-1111', code: 'nested-code-1212' } }, 'nested reply');
    logger.error(`the secret is ${TEST_APP_SECRET} and the key is ${ADMIN_KEY}`);
    logger.error({ err: new Error(`failed with appsecret=${TEST_APP_SECRET}`) }, 'error object');
    destination.end();

    assert.equal(lines.length, 5);
    const log = lines.join('\n');
    for (const value of [...Object.values(values), 'nested-jwt-1010', CLOUDBASE_CONTEXT, ADMIN_KEY, 'nested-acc-1111', 'nested-code-1212']) {
      assert.ok(!log.includes(value), `the log holds ${value.slice(0, 12)}…`);
    }
    const first = JSON.parse(lines[0]);
    for (const key of Object.keys(values)) assert.equal(first[key], REDACTED, key);
    assert.equal(JSON.parse(lines[1]).request.headers['x-cloudbase-context'], REDACTED);
    assert.match(JSON.parse(lines[3]).msg, /the secret is \[redacted\] and the key is \[redacted\]/);
  });

  it('keeps a crash’s details in the log and out of the answer, without the AppSecret', async () => {
    const { lines, destination } = logLines();
    const config = loadConfig({ appId: TEST_APP_ID, appSecret: TEST_APP_SECRET, AUTH_MODE: 'none', WECHAT_API_BASE_URL: 'http://127.0.0.1:9' });
    const logger = createLogger({ level: 'debug', secrets: [config.appSecret], destination });
    const composed = await composeServices({ config, clock: new ManualClock(), logger });
    const crash = defineRoute({
      path: '/test/crash',
      access: 'public',
      summary: 'Throws an unexpected error quoting the AppSecret.',
      body: v.object({}),
      handler: async () => {
        throw new TypeError(`cannot read appSecret ${TEST_APP_SECRET}`);
      },
    });
    const app = createApp({ services: composed.services, groups: [...groups, { name: 'test', description: 'Test routes.', routes: [crash] }] });
    const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
      const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
    });
    try {
      const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/test/crash`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-request-id': 'crash-0001' },
        body: '{}',
      });
      const text = await response.text();
      assert.equal(response.status, 500);
      assert.deepEqual(JSON.parse(text), { code: -1, msg: 'Internal error; the function logged it under this requestId', data: null, requestId: 'crash-0001' });
      await new Promise((resolve) => setImmediate(resolve));
      const crashLine = lines.map((line) => JSON.parse(line)).find((line) => line.msg === 'unexpected error');
      assert.equal(crashLine.reqId, 'crash-0001');
      assert.equal(crashLine.err.type, 'TypeError');
      assert.match(crashLine.err.stack, /test\/logging\.test\.ts/);
      assert.ok(!lines.join('\n').includes(TEST_APP_SECRET));
      assert.ok(!text.includes(TEST_APP_SECRET));
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await composed.close();
    }
  });
});
