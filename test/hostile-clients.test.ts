/**
 * What a hostile or careless client meets: slow headers cut near the bound with a 408, a Host
 * that is not a host answered in the envelope, no answer a cache may keep, one spelling per
 * route path, wrong admin keys limited per address, and floods of refused requests that do not
 * write a log line each.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/log.js';
import { startFunction } from '../src/server.js';
import { ADMIN_KEY } from './support/random-account.js';
import { rawExchange } from './support/raw-socket.js';
import { startStack, TEST_APP_ID, TEST_APP_SECRET, type Stack } from './support/stack.js';

const envelopeOf = (answer: string) => JSON.parse(answer.slice(answer.indexOf('{')));

let stack: Stack;
before(async () => {
  stack = await startStack({ env: { ADMIN_API_KEY: ADMIN_KEY, RATE_LIMIT_PER_MINUTE: '0' } });
});
after(() => stack.close());

describe('slow and malformed requests', () => {
  it('answers headers that never finish with 408 in the envelope', async () => {
    const config = loadConfig({ appId: TEST_APP_ID, appSecret: TEST_APP_SECRET, PORT: '0', HOST: '127.0.0.1', AUTH_MODE: 'none', WECHAT_API_BASE_URL: stack.emulatorUrl });
    const fn = await startFunction({ config, headersTimeoutMs: 1_000, logger: createLogger({ destination: new Writable({ write: (_c, _e, done) => done() }) }) });
    try {
      const answer = await rawExchange(fn.url, 'POST /oauth/config HTTP/1.1\r\nHost: x\r\nX-Slow: 1');
      assert.match(answer, /^HTTP\/1\.1 408 /);
      assert.equal(envelopeOf(answer).code, -1);
      assert.match(envelopeOf(answer).msg, /did not arrive in time/);
    } finally {
      await fn.close();
    }
  });

  it('answers a Host header that is not a host in the envelope', async () => {
    const answer = await rawExchange(stack.fn.url, 'GET / HTTP/1.1\r\nHost: user@elsewhere\r\nConnection: close\r\n\r\n');
    assert.match(answer, /^HTTP\/1\.1 400 /);
    assert.deepEqual(envelopeOf(answer), { code: -1, msg: 'The Host header must be a host name or address, with an optional port', data: null });
  });
});

describe('caching', () => {
  it('marks every answer in the envelope no-store, successes and failures alike', async () => {
    for (const result of [
      await stack.call('/oauth/config'),
      await stack.call('/token/get', {}, { 'x-api-key': ADMIN_KEY }),
      await stack.call('/oauth/token', { code: 'unknown' }),
      await stack.call('/no/such/route'),
      await stack.raw('/'),
    ]) {
      assert.equal(result.headers.get('cache-control'), 'no-store', result.text);
    }
  });
});

describe('route paths', () => {
  it('answers a route under one spelling only', async () => {
    for (const path of ['/%74oken/get', '/x/../token/get', '/./token/get', '/token/%67et', '/v1/functions/fn/%74oken/get']) {
      const answer = await rawExchange(stack.fn.url, `POST ${path} HTTP/1.1\r\nHost: x\r\nX-Api-Key: ${ADMIN_KEY}\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}`);
      assert.match(answer, /^HTTP\/1\.1 404 /, path);
      assert.match(envelopeOf(answer).msg, /write the path as \/.*token\/get/, path);
      assert.doesNotMatch(answer, /access_token/, path);
    }
    // The documented forms stay: bare, behind a function name, the gateway's.
    for (const path of ['/token/get', '/my-fn/token/get', '/v1/functions/my-fn/token/get']) {
      assert.equal((await stack.call(path, {}, { 'x-api-key': ADMIN_KEY })).status, 200, path);
    }
  });
});

describe('wrong admin keys', () => {
  it('refuse an address with 429 after ten failures in a minute, the right key too, and warn once', async () => {
    const from = { 'x-forwarded-for': '192.0.2.44' };
    for (let i = 0; i < 10; i++) assert.equal((await stack.call('/token/get', {}, { ...from, 'x-api-key': `wrong-${i}` })).status, 403);
    for (const key of ['wrong-again', ADMIN_KEY]) {
      const refused = await stack.call('/token/get', {}, { ...from, 'x-api-key': key });
      assert.equal(refused.status, 429);
      assert.match(refused.body.msg, /Too many failed attempts/);
      assert.ok(Number(refused.headers.get('retry-after')) > 0);
    }
    assert.equal((await stack.call('/token/get', {}, { 'x-forwarded-for': '192.0.2.45', 'x-api-key': ADMIN_KEY })).status, 200, 'other addresses are not affected');
    const warnings = stack.logs.filter((line) => line.includes('too many failed attempts'));
    assert.equal(warnings.length, 1, 'one warning for the burst');
    assert.equal(JSON.parse(warnings[0]).address, '192.0.2.44');
    stack.clock.advance(60_000);
    assert.equal((await stack.call('/token/get', {}, { ...from, 'x-api-key': ADMIN_KEY })).status, 200, 'the next minute the address may try again');
  });
});

describe('floods of refused requests', () => {
  it('write a sample of lines and a count, not a line per request', async () => {
    const before = stack.logs.length;
    for (let i = 0; i < 200; i++) await stack.call('/flood/nothing-here');
    const lines = stack.logs.slice(before).map((line) => JSON.parse(line));
    const notFound = lines.filter((line) => line.status === 404);
    assert.ok(notFound.length > 0 && notFound.length <= 20, `${notFound.length} lines for 200 requests`);
    stack.clock.advance(10_000);
    await stack.call('/flood/nothing-here');
    const summary = stack.logs.slice(before).map((line) => JSON.parse(line)).find((line) => line.msg === 'request lines not written');
    assert.ok(summary, 'the lines not written are counted');
    assert.equal(summary.notWritten['404'], 200 - notFound.length);
  });
});
