/**
 * How the function answers anything that is not a well-formed call: bad bodies, other
 * methods, unknown paths, prefixed paths, WeChat being slow or down. And that the
 * AppSecret shows up in no response and no log line throughout.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { freePort } from './support/ports.js';
import { rawExchange } from './support/raw-socket.js';
import { startStack, TEST_APP_ID, TEST_APP_SECRET, type CallResult, type Stack } from './support/stack.js';
import { ManualClock } from '../src/clock.js';
import { composeServices } from '../src/compose.js';
import { loadConfig } from '../src/config.js';
import { createApp } from '../src/function/app.js';
import { createLogger } from '../src/log.js';

let stack: Stack;
before(async () => {
  stack = await startStack({ env: { WECHAT_TIMEOUT_MS: '300' } });
});
after(async () => {
  await stack.close();
});

const post = (path: string, body: string, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
  stack.raw(path, { method: 'POST', headers, body });

function assertEnvelopeError(result: { status: number; body: any; text: string }, status: number, msg: RegExp) {
  assert.equal(result.status, status, result.text);
  assert.equal(result.body.code, -1);
  assert.equal(result.body.data, null);
  assert.match(result.body.msg, msg);
  assert.doesNotMatch(result.text, /at .*\.(ts|js):\d+/, 'no stack trace');
  assert.doesNotMatch(result.text, /SyntaxError|Unexpected token|ZodError/, 'no parser text');
}

describe('request bodies', () => {
  it('answers malformed JSON in our words, not the parser’s', async () => {
    assertEnvelopeError(await post('/oauth/token', '{"code": '), 400, /^Request body is not valid JSON$/);
  });

  it('wants a JSON object', async () => {
    assertEnvelopeError(await post('/oauth/token', '["code"]'), 400, /must be a JSON object/);
    assertEnvelopeError(await post('/oauth/token', 'null'), 400, /must be a JSON object/);
    assertEnvelopeError(await post('/oauth/token', '"code"'), 400, /must be a JSON object/);
  });

  it('names the missing or mistyped field', async () => {
    assertEnvelopeError(await stack.call('/oauth/token', {}), 400, /^Invalid request body: code is required$/);
    assertEnvelopeError(await stack.call('/oauth/token', { code: 42 }), 400, /code must be a string/);
    assertEnvelopeError(await stack.call('/oauth/token', { code: '' }), 400, /code must not be empty/);
    assertEnvelopeError(await stack.call('/oauth/token', { code: 'c'.repeat(513) }), 400, /code must be at most 512 characters/);
    assertEnvelopeError(await stack.call('/oauth/userinfo', { access_token: 'a' }), 400, /openid is required/);
    assertEnvelopeError(await stack.call('/oauth/refresh', { refresh_token: ['x'] }), 400, /refresh_token must be a string/);
  });

  it('refuses bodies over 64 KiB with 413', async () => {
    const big = JSON.stringify({ code: 'x', pad: 'p'.repeat(70 * 1024) });
    assertEnvelopeError(await post('/oauth/token', big), 413, /larger than 64 KiB/);
  });

  it('refuses a body that is not JSON by content type with 415', async () => {
    assertEnvelopeError(await post('/oauth/token', 'code=abc', { 'content-type': 'application/x-www-form-urlencoded' }), 415, /application\/json/);
  });

  it('ignores fields it does not know', async () => {
    const result = await stack.call('/oauth/config', { extra: { nested: true }, __proto__: { polluted: 1 } });
    assert.equal(result.status, 200);
    assert.equal(({} as any).polluted, undefined);
  });
});

describe('paths and methods', () => {
  it('serves a health check at GET /', async () => {
    const result = await stack.raw('/');
    assert.equal(result.status, 200);
    assert.equal(result.body.code, 0);
    assert.equal(result.body.data.name, 'offiaccount-common');
    assert.equal(result.body.data.status, 'ok');
    assert.equal(result.body.data.mode, 'wechat');
  });

  it('works behind a function-name prefix', async () => {
    const result = await stack.call('/offiaccount-abc123/oauth/config');
    assert.equal(result.status, 200);
    assert.equal(result.body.data.appId, stack.config.appId);
  });

  it('works in the gateway form the seed page calls', async () => {
    const code = stack.code('snsapi_base', 'gateway-user');
    const result = await stack.call('/v1/functions/offiaccount-abc123/oauth/token?webfn=true', { code });
    assert.equal(result.status, 200);
    assert.ok(result.body.data.openid);
  });

  it('answers other methods with 405 and the allowed one', async () => {
    const result = await stack.raw('/oauth/token');
    assertEnvelopeError(result, 405, /use POST/);
    assert.equal(result.headers.get('allow'), 'POST');
    assertEnvelopeError(await stack.raw('/oauth/token', { method: 'PUT', body: '{}' }), 405, /use POST/);
    assertEnvelopeError(await stack.raw('/', { method: 'DELETE' }), 405, /use GET/);
  });

  it('answers unknown paths with 404', async () => {
    assertEnvelopeError(await stack.call('/oauth/nothing'), 404, /No route POST \/oauth\/nothing/);
    assertEnvelopeError(await stack.call('/a/b/oauth/token'), 404, /No route/);
  });

  it('treats the gateway and prefix forms exactly as the bare paths, and names unknown ones as sent', async () => {
    for (const path of ['/v1/functions/oa', '/v1/functions/oa/', '/v1/functions/oa?webfn=true']) {
      const health = await stack.raw(path);
      assert.equal(health.status, 200, path);
      assert.equal(health.body.data.name, 'offiaccount-common');
    }
    const wrongMethod = await stack.raw('/v1/functions/oa/oauth/token?webfn=true');
    assertEnvelopeError(wrongMethod, 405, /use POST/);
    assert.equal(wrongMethod.headers.get('allow'), 'POST');
    assertEnvelopeError(await stack.raw('/oa/oauth/config'), 405, /use POST/);
    // Either prefix stands only before a route (or alone, for the health check); the empty function name is no gateway form.
    assertEnvelopeError(await stack.call('/v1/functions/oa/oauth/nothing'), 404, /No route POST \/v1\/functions\/oa\/oauth\/nothing/);
    assertEnvelopeError(await stack.call('/oa/openapi.json'), 404, /No route/);
    assertEnvelopeError(await stack.raw('/v1/functions/oa/openapi.json'), 404, /No route GET \/v1\/functions\/oa\/openapi.json/);
    assertEnvelopeError(await stack.call('/v1/functions//oauth/config'), 404, /No route/);
    assertEnvelopeError(await stack.raw('/oa/'), 404, /No route GET \/oa\//);
  });

  it('answers requests Node’s HTTP parser rejects in the envelope too', async () => {
    const send = (payload: string) => rawExchange(stack.fn.url, payload);
    const badMethod = await send('FOO /oauth/token HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.match(badMethod, /^HTTP\/1\.1 400 /);
    assert.deepEqual(JSON.parse(badMethod.slice(badMethod.indexOf('{'))), { code: -1, msg: 'Malformed HTTP request', data: null });
    const hugeHeader = await send(`GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    assert.match(hugeHeader, /^HTTP\/1\.1 431 /);
    assert.equal(JSON.parse(hugeHeader.slice(hugeHeader.indexOf('{'))).msg, 'Request headers are too large');
    const noHost = await send('GET / HTTP/1.1\r\nConnection: close\r\n\r\n');
    assert.match(noHost, /^HTTP\/1\.1 200 /);
    assert.equal(JSON.parse(noHost.slice(noHost.indexOf('{'))).data.status, 'ok');
    // Targets that make no URL, or a different one once parsed, never reach the app.
    for (const target of ['/oauth\\config', '/\\evil.example/oauth/config']) {
      const backslash = await send(`POST ${target} HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}`);
      assert.match(backslash, /^HTTP\/1\.1 400 /);
      assert.deepEqual(JSON.parse(backslash.slice(backslash.indexOf('{'))), { code: -1, msg: 'The request target is not a valid path', data: null });
    }
    const badHost = await send('GET / HTTP/1.1\r\nHost: a@b\r\nConnection: close\r\n\r\n');
    assert.match(badHost, /^HTTP\/1\.1 400 /);
    assert.equal(JSON.parse(badHost.slice(badHost.indexOf('{'))).msg, 'The Host header must be a host name or address, with an optional port');
    assert.equal((await stack.raw('/')).status, 200, 'the server carries on');
  });

  it('echoes a sane request id and makes one up otherwise', async () => {
    const given = await stack.call('/oauth/config', {}, { 'x-cloudbase-request-id': 'req-123' });
    assert.equal(given.headers.get('x-request-id'), 'req-123');
    const bad = await stack.call('/oauth/nothing', {}, { 'x-request-id': 'bad id with spaces' });
    assert.match(bad.headers.get('x-request-id')!, /^[0-9a-f-]{36}$/);
    assert.equal(bad.body.requestId, bad.headers.get('x-request-id'));
  });
});

describe('WeChat slow or down', () => {
  it('answers 504 when WeChat does not answer in time, without retrying the code', async () => {
    stack.emulator.resetCounts();
    stack.emulator.setDelay('/sns/oauth2/access_token', 1500);
    try {
      const result = await stack.call('/oauth/token', { code: stack.code('snsapi_base', 'slow') });
      assertEnvelopeError(result, 504, /did not answer .* within 300 ms/);
      assert.equal(stack.emulator.counts()['/sns/oauth2/access_token'], 1, 'a code exchange is never retried');
    } finally {
      stack.emulator.setDelay('/sns/oauth2/access_token', 0);
    }
  });

  it('does not retry a call that timed out, so a request stays inside the platform’s timeout', async () => {
    const token = (await stack.call('/oauth/token', { code: stack.code('snsapi_base', 'slow-verify') })).body.data;
    stack.emulator.resetCounts();
    stack.emulator.setDelay('/sns/auth', 1500);
    try {
      const result = await stack.call('/oauth/verify', { access_token: token.access_token, openid: token.openid });
      assertEnvelopeError(result, 504, /within 300 ms/);
      assert.equal(stack.emulator.counts()['/sns/auth'], 1);
    } finally {
      stack.emulator.setDelay('/sns/auth', 0);
    }
  });

  it('retries a busy WeChat (-1) for calls that may be repeated', async () => {
    const token = (await stack.call('/oauth/token', { code: stack.code('snsapi_base', 'busy') })).body.data;
    stack.emulator.failNext('/sns/auth', -1, 1);
    const result = await stack.call('/oauth/verify', { access_token: token.access_token, openid: token.openid });
    assert.deepEqual(result.body.data, { valid: true });
  });

  it('answers 502 with a hint when WeChat cannot be reached', async () => {
    const closedPort = await freePort();
    const down = await startStack({ env: { WECHAT_API_BASE_URL: `http://127.0.0.1:${closedPort}` } });
    try {
      const result = await down.call('/oauth/token', { code: 'anything' });
      assertEnvelopeError(result, 502, /Could not reach WeChat .*ECONNREFUSED/);
      assert.match(result.body.hint, /WECHAT_API_BASE_URL/);
    } finally {
      await down.close();
    }
  });
});

describe('configuration errors from WeChat', () => {
  /** The end user learns only that the function is misconfigured; the operator's details are in the log line of that request. */
  const assertMasked = (result: CallResult, logs: string[]) => {
    assert.equal(result.status, 500);
    assert.match(result.body.msg, /configuration needs attention/);
    assert.equal(result.body.errcode, undefined);
    assert.equal(result.body.hint, undefined);
    const line = logs.map((text) => JSON.parse(text)).find((entry) => entry.reqId === result.body.requestId && entry.msg === 'request failed');
    assert.ok(line, 'the failure is logged under the request id the caller was given');
    return line;
  };

  it('says to re-paste the AppSecret on 40125, in the log', async () => {
    const wrong = await startStack({ env: { appSecret: 'WrongWrongWrongWrongWrong1234567' } });
    try {
      const result = await wrong.call('/oauth/token', { code: wrong.code() });
      const line = assertMasked(result, wrong.logs);
      assert.equal(line.errcode, 40125);
      assert.match(line.hint, /AppSecret/);
      assert.doesNotMatch(result.text, /AppSecret|40125/);
      assert.ok(!result.text.includes('WrongWrongWrongWrongWrong1234567'));
      assert.ok(!wrong.logs.join('\n').includes('WrongWrongWrongWrongWrong1234567'));
    } finally {
      await wrong.close();
    }
  });

  it('says the AppID is wrong on 40013, in the log', async () => {
    const wrong = await startStack({ env: { appId: 'wxffffffffffffffff' } });
    try {
      const line = assertMasked(await wrong.call('/oauth/token', { code: 'some-code' }), wrong.logs);
      assert.equal(line.errcode, 40013);
      assert.match(line.hint, /appId/);
    } finally {
      await wrong.close();
    }
  });
});

describe('secrets', () => {
  it('never puts the AppSecret or user tokens in a response or a log line', async () => {
    // Run a full flow so the logs hold every kind of line, then scan everything this file saw.
    const token = (await stack.call('/oauth/token', { code: stack.code('snsapi_userinfo', 'scan') })).body.data;
    await stack.call('/oauth/userinfo', { access_token: token.access_token, openid: token.openid });
    await stack.call('/oauth/refresh', { refresh_token: token.refresh_token });
    await stack.call('/oauth/token', { code: TEST_APP_SECRET });
    assert.ok(stack.logs.length > 10, 'the function logged its requests');
    for (const line of stack.logs) {
      assert.ok(!line.includes(TEST_APP_SECRET), `log line leaks the AppSecret: ${line}`);
      assert.ok(!line.includes(token.access_token) && !line.includes(token.refresh_token), `log line leaks a token: ${line}`);
    }
    for (const text of stack.responses) assert.ok(!text.includes(TEST_APP_SECRET), `response leaks the AppSecret: ${text}`);
  });
});

describe('the app served by something else', () => {
  it('answers routes, errors and the health check with web Responses, as another adapter or runtime needs', async () => {
    const config = loadConfig({ appId: TEST_APP_ID, appSecret: TEST_APP_SECRET, AUTH_MODE: 'none', WECHAT_API_BASE_URL: 'http://127.0.0.1:9' });
    const composed = await composeServices({ config, clock: new ManualClock(), logger: createLogger({ level: 'silent' }) });
    try {
      const app = createApp({ services: composed.services });
      const calls: [string, RequestInit, number][] = [
        ['/oauth/config', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }, 200],
        ['/', {}, 200],
        ['/no/such/route', { method: 'POST', body: '{}' }, 404],
      ];
      for (const [path, init, status] of calls) {
        const response = await app.request(path, init);
        assert.ok(response instanceof Response, `${path} answered with a web Response`);
        assert.equal(response.status, status);
        assert.match(response.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
        assert.equal(((await response.json()) as { code: number }).code, status === 200 ? 0 : -1);
      }
    } finally {
      await composed.close();
    }
  });
});
