/**
 * Public sign-in routes (PUBLIC_ROUTES) over HTTP against the real function and emulator: what
 * opens and what never does, the PKCE-bound state a public caller needs when /oauth/token issues
 * CloudBase tickets (refused before WeChat sees the code otherwise), the origin and per-address
 * limits, and the custom-login key kept out of every answer and log line.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes, verify } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { loadConfig, ConfigError } from '../src/config.js';
import { announce } from '../src/lifecycle.js';
import { customLoginKey, ENV_ID } from './support/custom-login-key.js';
import { gatewayBearer, startStack, TEST_APP_ID, TEST_APP_SECRET, type Stack } from './support/stack.js';

const SIGNIN = '/oauth/config,/oauth/state,/oauth/token';
const PAGE = 'https://h5.example.com';
const ADMIN_KEY = 'admin-key-admin-key-admin-key-01';

const exchanges = (s: Stack) => s.emulator.counts()['/sns/oauth2/access_token'] ?? 0;

/** A fresh client address per use, so the per-address limit of one test does not reach another. */
let lastOctet = 0;
const newAddress = () => `203.0.113.${++lastOctet}`;

function pkce() {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** A public caller: no Authorization header, one client address. */
function publicCaller(stack: Stack, address = newAddress()) {
  return (path: string, body: object = {}, headers: Record<string, string> = {}) => stack.call(path, body, { 'x-forwarded-for': address, ...headers });
}

/** The page's side of a public sign-in, up to the code: a state bound to a fresh verifier. */
async function startSignin(stack: Stack, call = publicCaller(stack)) {
  const { verifier, challenge } = pkce();
  const result = await call('/oauth/state', { code_challenge: challenge });
  assert.equal(result.status, 200, result.text);
  return { verifier, state: result.body.data.state as string, call };
}

describe('PUBLIC_ROUTES in the configuration', () => {
  const creds = { appId: TEST_APP_ID, appSecret: TEST_APP_SECRET };
  const variableOf = (env: Record<string, string>) => {
    try {
      loadConfig({ ...creds, ...env });
    } catch (error) {
      assert.ok(error instanceof ConfigError);
      return error.variable;
    }
    return undefined;
  };

  it('opens only the sign-in routes: admin and token-holding routes never', () => {
    assert.deepEqual(loadConfig({ ...creds, PUBLIC_ROUTES: ` ${SIGNIN}, /jssdk/config` }).publicRoutes, [...SIGNIN.split(','), '/jssdk/config']);
    for (const path of ['/token/get', '/token/stable', '/oauth/userinfo', '/oauth/refresh', '/oauth/verify', '*', '/oauth/*']) {
      assert.equal(variableOf({ PUBLIC_ROUTES: `/oauth/config,${path}` }), 'PUBLIC_ROUTES', path);
    }
    assert.equal(variableOf({ PUBLIC_ROUTES: '/token/get' }), 'PUBLIC_ROUTES');
  });

  it('is allowed in production, but not with the per-address limit turned off', () => {
    assert.deepEqual(loadConfig({ ...creds, NODE_ENV: 'production', PUBLIC_ROUTES: SIGNIN }).publicRoutes.length, 3);
    assert.equal(variableOf({ NODE_ENV: 'production', PUBLIC_ROUTES: SIGNIN, RATE_LIMIT_PER_MINUTE: '0' }), 'RATE_LIMIT_PER_MINUTE');
  });
});

describe('without PUBLIC_ROUTES', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({ env: { AUTH_MODE: 'gateway' } });
  });
  after(() => stack.close());

  it('every user route needs a Bearer token', async () => {
    for (const path of ['/oauth/config', '/oauth/state', '/oauth/token']) {
      assert.equal((await stack.call(path, { code: 'x' })).status, 401, path);
    }
  });
});

describe('public sign-in with CloudBase tickets', () => {
  let stack: Stack;
  const key = customLoginKey();
  before(async () => {
    stack = await startStack({
      env: {
        AUTH_MODE: 'gateway',
        PUBLIC_ROUTES: SIGNIN,
        ADMIN_API_KEY: ADMIN_KEY,
        CLOUDBASE_CUSTOM_LOGIN_KEY: key.json,
        TCB_ENV: ENV_ID,
        corsAllowOrigin: PAGE,
        RATE_LIMIT_PER_MINUTE: '10',
      },
    });
  });
  after(() => stack.close());

  it('answers the opened routes without a Bearer, and no others', async () => {
    const call = publicCaller(stack);
    const config = await call('/oauth/config');
    assert.equal(config.status, 200);
    assert.equal(config.body.data.appId, TEST_APP_ID);
    for (const path of ['/oauth/userinfo', '/oauth/refresh', '/oauth/verify', '/jssdk/config']) {
      assert.equal((await call(path, {})).status, 401, path);
    }
  });

  it('keeps the admin routes closed whatever the setting', async () => {
    const call = publicCaller(stack);
    for (const path of ['/token/get', '/token/stable']) {
      assert.equal((await call(path)).status, 403, path);
      assert.equal((await call(path, {}, gatewayBearer('someone'))).status, 403, path);
    }
  });

  it('signs a public caller in: state for a code_challenge, then code, state and code_verifier give a ticket', async () => {
    const { verifier, state, call } = await startSignin(stack);
    const result = await call('/oauth/token', { code: stack.code('snsapi_base', 'alice'), state, code_verifier: verifier });
    assert.equal(result.status, 200, result.text);
    const { openid, ticket } = result.body.data;
    const [kid, jwt] = ticket.split('/@@/');
    assert.equal(kid, 'a1b2c3d4-key');
    const [header, payload, signature] = jwt.split('.');
    assert.ok(verify('sha256', Buffer.from(`${header}.${payload}`), key.publicKey, Buffer.from(signature, 'base64url')), 'the ticket verifies with the public half');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    assert.equal(claims.uid, openid);
    assert.equal(claims.env, ENV_ID);
    assert.equal(claims.iat, stack.clock.now());
    assert.equal(claims.exp - claims.iat, 600_000);
  });

  it('refuses a public /oauth/token without the state and its verifier before WeChat sees the code', async () => {
    const { verifier, state, call } = await startSignin(stack);
    const code = stack.code('snsapi_base', 'bob');
    const before = exchanges(stack);
    const refusals = [
      { code },
      { code, state },
      { code, code_verifier: verifier },
      { code, state, code_verifier: pkce().verifier },
      { code, state: (await startSignin(stack)).state, code_verifier: verifier },
    ];
    for (const body of refusals) {
      const result = await call('/oauth/token', body);
      assert.ok(result.status === 401 || result.status === 400, `${JSON.stringify(Object.keys(body))}: ${result.status}`);
      assert.equal(result.body.code, -1);
      assert.equal(result.body.data, null);
    }
    assert.equal(exchanges(stack), before, 'WeChat saw none of these codes');
    // The code was not spent: its rightful page still signs in with it.
    const good = await call('/oauth/token', { code, state, code_verifier: verifier });
    assert.equal(good.status, 200, good.text);
  });

  it('answers a repeated code only to the holder of the verifier, never to another public caller', async () => {
    const first = await startSignin(stack);
    const code = stack.code('snsapi_base', 'carol');
    const answer = await first.call('/oauth/token', { code, state: first.state, code_verifier: first.verifier });
    assert.equal(answer.status, 200);
    // The same page again (a double tap): the same user, no second exchange.
    const before = exchanges(stack);
    const again = await first.call('/oauth/token', { code, state: first.state, code_verifier: first.verifier });
    assert.equal(again.status, 200);
    assert.equal(again.body.data.openid, answer.body.data.openid);
    assert.equal(exchanges(stack), before);
    // Someone else with the used code and a state of their own goes to WeChat, which refuses it.
    const thief = await startSignin(stack);
    const stolen = await thief.call('/oauth/token', { code, state: thief.state, code_verifier: thief.verifier });
    assert.equal(stolen.status, 400);
    assert.equal(stolen.body.data, null);
    assert.doesNotMatch(stolen.text, new RegExp(answer.body.data.openid));
  });

  it('gives no state to a public caller without a code_challenge, and does not trust an unverified Bearer on a public route', async () => {
    const call = publicCaller(stack);
    assert.equal((await call('/oauth/state')).status, 400);
    // Gateway mode: the HTTP access service may have let this token past without a check.
    assert.equal((await call('/oauth/state', {}, gatewayBearer('alice'))).status, 400);
  });

  it('needs an allowed origin for a browser call', async () => {
    const call = publicCaller(stack);
    const evil = await call('/oauth/config', {}, { origin: 'https://evil.example' });
    assert.equal(evil.status, 403);
    assert.match(evil.body.msg, /corsAllowOrigin/);
    assert.equal((await call('/oauth/config', {}, { origin: 'null' })).status, 403);
    const allowed = await call('/oauth/config', {}, { origin: PAGE });
    assert.equal(allowed.status, 200);
    assert.equal(allowed.headers.get('access-control-allow-origin'), PAGE);
    // A page served by the function itself.
    assert.equal((await call('/oauth/config', {}, { origin: stack.fn.url })).status, 200);
  });

  it('limits public callers per client address', async () => {
    const call = publicCaller(stack);
    for (let i = 0; i < 10; i++) assert.equal((await call('/oauth/config')).status, 200);
    const limited = await call('/oauth/config');
    assert.equal(limited.status, 429);
    assert.ok(Number(limited.headers.get('retry-after')) >= 1);
    assert.equal((await publicCaller(stack)('/oauth/config')).status, 200, 'another address has its own allowance');
  });

  it('says which routes are public when it starts, and never shows the key', async () => {
    announce(stack.fn, stack.config);
    await new Promise((resolve) => setImmediate(resolve));
    assert.ok(stack.logs.some((line) => line.includes('public routes') && line.includes('/oauth/token') && !line.includes('/token/get')));
    const health = await stack.raw('/');
    assert.deepEqual(health.body.data.features.publicRoutes, SIGNIN.split(','));
    for (const text of [...stack.logs, ...stack.responses]) {
      assert.ok(!text.includes(key.pemBody), 'the private key appears in no log line or answer');
      assert.ok(!text.includes('PRIVATE KEY'));
    }
  });
});

describe('whose id the ticket carries', () => {
  const ticketUid = (ticket: string) => JSON.parse(Buffer.from(ticket.split('/@@/')[1].split('.')[1], 'base64url').toString()).uid;
  let stack: Stack;
  before(async () => {
    stack = await startStack({
      openPlatform: true,
      env: { AUTH_MODE: 'gateway', PUBLIC_ROUTES: SIGNIN, CLOUDBASE_CUSTOM_LOGIN_KEY: customLoginKey().json, TCB_ENV: ENV_ID, CLOUDBASE_TICKET_UID: 'unionid' },
    });
  });
  after(() => stack.close());

  it('is the unionid when so configured and WeChat sends one', async () => {
    const { verifier, state, call } = await startSignin(stack);
    const result = await call('/oauth/token', { code: stack.code('snsapi_base', 'alice'), state, code_verifier: verifier });
    assert.equal(result.status, 200, result.text);
    assert.ok(result.body.data.unionid);
    assert.equal(ticketUid(result.body.data.ticket), result.body.data.unionid);
  });

  it('is none for a Moments snapshot visitor, whose openid is a stand-in', async () => {
    const { verifier, state, call } = await startSignin(stack);
    const result = await call('/oauth/token', { code: stack.code('snsapi_base', 'alice', { snapshot: true }), state, code_verifier: verifier });
    assert.equal(result.status, 200, result.text);
    assert.equal(result.body.data.is_snapshotuser, 1);
    assert.equal(result.body.data.ticket, undefined);
  });
});

describe('public sign-in without tickets', () => {
  let stack: Stack;
  let strict: Stack;
  before(async () => {
    stack = await startStack({ env: { AUTH_MODE: 'gateway', PUBLIC_ROUTES: SIGNIN } });
    strict = await startStack({ env: { AUTH_MODE: 'gateway', PUBLIC_ROUTES: SIGNIN, OAUTH_REQUIRE_STATE: '1' } });
  });
  after(async () => {
    await stack.close();
    await strict.close();
  });

  it('exchanges a code sent alone, as CloudBase\'s demo page sends it, with no ticket', async () => {
    const result = await publicCaller(stack)('/oauth/token', { code: stack.code('snsapi_base', 'dave') });
    assert.equal(result.status, 200, result.text);
    assert.equal(result.body.data.ticket, undefined);
  });

  it('checks a state when one is sent, before WeChat sees the code', async () => {
    const call = publicCaller(stack);
    const before = exchanges(stack);
    assert.equal((await call('/oauth/token', { code: stack.code(), state: 'STATE' })).status, 400);
    const { state } = await startSignin(stack, call);
    assert.equal((await call('/oauth/token', { code: stack.code(), state })).status, 400, 'a state bound to a verifier needs it');
    assert.equal(exchanges(stack), before);
  });

  it('requires the state when the operator says so (OAUTH_REQUIRE_STATE=1)', async () => {
    const call = publicCaller(strict);
    const before = exchanges(strict);
    const refused = await call('/oauth/token', { code: strict.code() });
    assert.equal(refused.status, 400);
    assert.match(refused.body.msg, /OAUTH_REQUIRE_STATE/);
    assert.equal(exchanges(strict), before);
    const { verifier, state } = await startSignin(strict, call);
    assert.equal((await call('/oauth/token', { code: strict.code(), state, code_verifier: verifier })).status, 200);
  });
});
