/**
 * Who may call the end-user routes, in each AUTH_MODE. In jwt mode the function verifies the
 * Bearer token itself against a JWKS served on loopback (signature, expiry, issuer, audience,
 * key rotation) or a configured PEM key; in gateway mode it only insists a token is there; none
 * is for local runs and says so loudly. Also the local run's sign-in stand-in, end to end.
 */
import assert from 'node:assert/strict';
import { spawnTsx, type Spawned } from './support/spawned.js';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { serve } from '@hono/node-server';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { ManualClock } from '../src/clock.js';
import { composeServices } from '../src/compose.js';
import { ConfigError, loadConfig, type Config } from '../src/config.js';
import { createDevSignin } from '../src/dev/signin.js';
import { createAccessCheck } from '../src/function/access.js';
import { createApp } from '../src/function/app.js';
import { silentLogger } from '../src/log.js';
import { startStack, TEST_APP_ID, TEST_APP_SECRET, type CallResult, type Stack } from './support/stack.js';

const ISSUER = 'https://env-test.ap-shanghai.tcb-api.tencentcloudapi.com';
const AUDIENCE = 'env-test';

interface SigningKey {
  kid: string;
  alg: string;
  privateKey: CryptoKey;
  jwk: JWK;
  publicKey: CryptoKey;
}

async function signingKey(kid: string, alg = 'ES256'): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { kid, alg, privateKey, publicKey, jwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

interface Claims {
  sub?: string;
  iss?: string;
  aud?: string;
  /** Lifetime in seconds from the clock's now; negative for an already expired token. */
  ttl?: number;
  header?: Record<string, unknown>;
}

function sign(key: SigningKey, clock: ManualClock, claims: Claims = {}): Promise<string> {
  const now = Math.floor(clock.now() / 1000);
  const jwt = new SignJWT({}).setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT', ...claims.header }).setIssuedAt(now);
  if (claims.sub !== '') jwt.setSubject(claims.sub ?? 'user-123');
  jwt.setIssuer(claims.iss ?? ISSUER).setAudience(claims.aud ?? AUDIENCE).setExpirationTime(now + (claims.ttl ?? 7200));
  return jwt.sign(key.privateKey);
}

/** A JWKS endpoint on loopback whose keys can be swapped, counting how often it is fetched. */
class KeyServer {
  fetches = 0;
  url = '';
  private keys: JWK[] = [];
  private server: Server = createServer((request, response) => {
    this.fetches++;
    if (this.down) {
      response.writeHead(503).end();
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: this.keys }));
  });
  down = false;

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/auth/v1/certs`;
    return this;
  }

  publish(...keys: SigningKey[]): void {
    this.keys = keys.map((key) => key.jwk);
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

function assertRefused(result: CallResult, status: number, msg: RegExp): void {
  assert.equal(result.status, status, result.text);
  assert.equal(result.body.code, -1);
  assert.equal(result.body.data, null);
  assert.match(result.body.msg, msg);
}

function assertAccepted(result: CallResult): void {
  assert.equal(result.status, 200, result.text);
  assert.equal(result.body.code, 0);
  assert.equal(result.body.data.appId, TEST_APP_ID);
}

describe('AUTH_MODE=jwt against a JWKS URL', () => {
  let keys: KeyServer;
  let stack: Stack;
  let current: SigningKey;
  before(async () => {
    keys = await new KeyServer().start();
    current = await signingKey('key-2026-a');
    keys.publish(current);
    stack = await startStack({ env: { AUTH_MODE: 'jwt', JWKS_URL: keys.url, JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE } });
  });
  after(async () => {
    await stack.close();
    await keys.close();
  });

  it('accepts a valid token and logs only the user id', async () => {
    const token = await sign(current, stack.clock, { sub: 'cloudbase-user-7' });
    assertAccepted(await stack.call('/oauth/config', {}, bearer(token)));
    // Every path form: a gateway-style path is still checked.
    assertAccepted(await stack.call('/v1/functions/oa/oauth/config?webfn=true', {}, bearer(token)));
    const line = stack.logs.map((l) => JSON.parse(l)).find((l) => l.path === '/oauth/config' && l.status === 200);
    assert.equal(line.user, 'cloudbase-user-7');
    assert.ok(!stack.logs.some((l) => l.includes(token)), 'the token never reaches the log');
  });

  it('refuses a request without a token', async () => {
    assertRefused(await stack.call('/oauth/config'), 401, /Missing Authorization: Bearer/);
  });

  it('refuses malformed credentials', async () => {
    assertRefused(await stack.call('/oauth/config', {}, { authorization: 'Basic dXNlcjpwYXNz' }), 401, /must be "Bearer <accessToken>"/);
    assertRefused(await stack.call('/oauth/config', {}, bearer('not-a-jwt')), 401, /not a well-formed JWT/);
    assertRefused(await stack.call('/oauth/config', {}, bearer('e30.e30.e30')), 401, /not a well-formed JWT/);
    assertRefused(await stack.call('/oauth/config', {}, bearer('x'.repeat(9000))), 401, /too long/);
    // A valid token with its signature cut off, or with a byte of its payload changed.
    const token = await sign(current, stack.clock);
    const [head, payload, signature] = token.split('.');
    assertRefused(await stack.call('/oauth/config', {}, bearer(`${head}.${payload}.`)), 401, /signature is not valid|not a well-formed/);
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), sub: 'admin' })).toString('base64url');
    assertRefused(await stack.call('/oauth/config', {}, bearer(`${head}.${forged}.${signature}`)), 401, /signature is not valid/);
  });

  it('refuses an expired token, judged on the injected clock', async () => {
    const token = await sign(current, stack.clock, { ttl: 600 });
    assertAccepted(await stack.call('/oauth/config', {}, bearer(token)));
    stack.clock.advance(11 * 60_000);
    assertRefused(await stack.call('/oauth/config', {}, bearer(token)), 401, /expired; sign in again/);
  });

  it('refuses a token from another issuer or for another audience', async () => {
    assertRefused(await stack.call('/oauth/config', {}, bearer(await sign(current, stack.clock, { iss: 'https://evil.example' }))), 401, /another issuer/);
    assertRefused(await stack.call('/oauth/config', {}, bearer(await sign(current, stack.clock, { aud: 'another-env' }))), 401, /another audience/);
  });

  it('refuses a token without a subject, or whose subject is not a non-empty string', async () => {
    assertRefused(await stack.call('/oauth/config', {}, bearer(await sign(current, stack.clock, { sub: '' }))), 401, /"sub" claim must be a non-empty string/);
    const now = Math.floor(stack.clock.now() / 1000);
    for (const sub of [42, { id: 'u' }, ['u'], true]) {
      const token = await new SignJWT({ sub } as never)
        .setProtectedHeader({ alg: current.alg, kid: current.kid, typ: 'JWT' })
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setExpirationTime(now + 600)
        .sign(current.privateKey);
      assertRefused(await stack.call('/oauth/token', { code: stack.code() }, bearer(token)), 401, /"sub" claim must be a non-empty string/);
    }
  });

  it('refuses a token signed with a key it does not know, and one forged under a known kid', async () => {
    const stranger = await signingKey('key-unknown');
    assertRefused(await stack.call('/oauth/config', {}, bearer(await sign(stranger, stack.clock))), 401, /unknown kid/);
    const impostor = await signingKey(current.kid);
    assertRefused(await stack.call('/oauth/config', {}, bearer(await sign(impostor, stack.clock))), 401, /signature is not valid/);
  });

  it('refuses unsigned and shared-secret tokens', async () => {
    const now = Math.floor(stack.clock.now() / 1000);
    const claims = Buffer.from(JSON.stringify({ sub: 'u', iss: ISSUER, aud: AUDIENCE, exp: now + 600 })).toString('base64url');
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${claims}.`;
    assertRefused(await stack.call('/oauth/config', {}, bearer(none)), 401, /algorithm|well-formed/);
    const hs = await new SignJWT({ sub: 'u' })
      .setProtectedHeader({ alg: 'HS256', kid: current.kid })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setExpirationTime(now + 600)
      .sign(new TextEncoder().encode('a-guessable-shared-secret-value!'));
    assertRefused(await stack.call('/oauth/config', {}, bearer(hs)), 401, /algorithm this function does not accept/);
  });

  it('caches the key set, and a flood of made-up kids does not hammer the JWKS URL', async () => {
    const before = keys.fetches;
    const token = await sign(current, stack.clock);
    for (let i = 0; i < 20; i++) assertAccepted(await stack.call('/oauth/config', {}, bearer(token)));
    const stranger = await signingKey('made-up');
    for (let i = 0; i < 20; i++) {
      const made = await sign(stranger, stack.clock, { header: { kid: `made-up-${i}` } });
      assertRefused(await stack.call('/oauth/config', {}, bearer(made)), 401, /unknown kid/);
    }
    assert.ok(keys.fetches - before <= 1, `JWKS fetched ${keys.fetches - before} times for 40 requests`);
  });
});

describe('JWKS key rotation', () => {
  let keys: KeyServer;
  let close: () => Promise<void>;
  let url: string;
  const clock = new ManualClock(Date.UTC(2026, 10, 24, 4, 0, 0));
  before(async () => {
    keys = await new KeyServer().start();
    const config = loadConfig({
      appId: TEST_APP_ID,
      appSecret: TEST_APP_SECRET,
      AUTH_MODE: 'jwt',
      JWKS_URL: keys.url,
      JWT_ISSUER: ISSUER,
      JWT_AUDIENCE: AUDIENCE,
    });
    // The production cooldown (30 s of real time between refetches) is shortened so the test need not wait it out.
    ({ url, close } = await serveWith(config, clock, createAccessCheck(config, { clock, jwks: { cooldownMs: 0 } })));
  });
  after(async () => {
    await close();
    await keys.close();
  });

  it('accepts a token with a new kid once the JWKS publishes it, and drops the retired key', async () => {
    const old = await signingKey('2026-01');
    const next = await signingKey('2026-02');
    keys.publish(old);
    const call = async (token: string) => {
      const response = await fetch(`${url}/oauth/config`, { method: 'POST', headers: { 'content-type': 'application/json', ...bearer(token) }, body: '{}' });
      return { status: response.status, body: (await response.json()) as { code: number; msg: string } };
    };
    assert.equal((await call(await sign(old, clock))).status, 200);
    assert.equal(keys.fetches, 1);

    // The signer rotates: the JWKS now lists only the new key, and tokens carry the new kid.
    keys.publish(next);
    const fresh = await call(await sign(next, clock));
    assert.equal(fresh.status, 200, fresh.body.msg);
    assert.equal(keys.fetches, 2, 'the unknown kid made the function refetch the JWKS once');
    assert.equal((await call(await sign(next, clock))).status, 200);
    assert.equal(keys.fetches, 2, 'and the new set is cached');

    const retired = await call(await sign(old, clock));
    assert.equal(retired.status, 401);
    assert.match(retired.body.msg, /unknown kid/);
  });

  it('answers 503, not 401, when the JWKS cannot be fetched', async () => {
    keys.down = true;
    try {
      const stranger = await signingKey('2026-03');
      const response = await fetch(`${url}/oauth/config`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...bearer(await sign(stranger, clock)) },
        body: '{}',
      });
      assert.equal(response.status, 503);
      const body = (await response.json()) as { code: number; msg: string; data: null };
      assert.equal(body.code, -1);
      assert.match(body.msg, /Could not fetch the keys/);
    } finally {
      keys.down = false;
    }
  });
});

describe('AUTH_MODE=jwt with JWT_PUBLIC_KEY', () => {
  let stack: Stack;
  let key: SigningKey;
  before(async () => {
    key = await signingKey('pem', 'RS256');
    // Flattened newlines, as an environment editor might store them.
    const pem = (await exportSPKI(key.publicKey)).trim().replace(/\n/g, '\\n');
    stack = await startStack({ env: { AUTH_MODE: 'jwt', JWT_PUBLIC_KEY: pem, JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE } });
  });
  after(() => stack.close());

  it('accepts a token signed by the configured key', async () => {
    assertAccepted(await stack.call('/oauth/config', {}, bearer(await sign(key, stack.clock))));
  });

  it('refuses one signed by another key or with another algorithm', async () => {
    assertRefused(await stack.call('/oauth/config', {}, bearer(await sign(await signingKey('pem', 'RS256'), stack.clock))), 401, /signature is not valid/);
    assertRefused(await stack.call('/oauth/config', {}, bearer(await sign(await signingKey('pem', 'ES256'), stack.clock))), 401, /algorithm/);
  });

  it('refuses expired, wrong-issuer and wrong-audience tokens', async () => {
    assertRefused(await stack.call('/oauth/config', {}, bearer(await sign(key, stack.clock, { ttl: -120 }))), 401, /expired/);
    assertRefused(await stack.call('/oauth/config', {}, bearer(await sign(key, stack.clock, { iss: 'someone-else' }))), 401, /issuer/);
    assertRefused(await stack.call('/oauth/config', {}, bearer(await sign(key, stack.clock, { aud: 'someone-else' }))), 401, /audience/);
  });
});

describe('jwt configuration', () => {
  const base = { appId: TEST_APP_ID, appSecret: TEST_APP_SECRET, AUTH_MODE: 'jwt' };
  const variable = (env: Record<string, string>) => {
    try {
      loadConfig(env);
    } catch (error) {
      assert.ok(error instanceof ConfigError, String(error));
      return error.variable;
    }
    return undefined;
  };

  it('needs a key source, an issuer and an audience', async () => {
    const pem = createDevSignin().publicKeyPem;
    assert.equal(variable({ ...base, JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE }), 'JWKS_URL');
    assert.equal(variable({ ...base, JWT_PUBLIC_KEY: pem, JWT_AUDIENCE: AUDIENCE }), 'JWT_ISSUER');
    assert.equal(variable({ ...base, JWT_PUBLIC_KEY: pem, JWT_ISSUER: ISSUER }), 'JWT_AUDIENCE');
    assert.equal(variable({ ...base, JWT_PUBLIC_KEY: pem, JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE }), undefined);
  });

  it('refuses a private key, a non-key, two key sources, and a plain-http JWKS in production', async () => {
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const { exportPKCS8 } = await import('jose');
    const full = { ...base, JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE };
    assert.equal(variable({ ...full, JWT_PUBLIC_KEY: await exportPKCS8(privateKey) }), 'JWT_PUBLIC_KEY');
    assert.equal(variable({ ...full, JWT_PUBLIC_KEY: 'hello' }), 'JWT_PUBLIC_KEY');
    assert.equal(variable({ ...full, JWT_PUBLIC_KEY: createDevSignin().publicKeyPem, JWKS_URL: 'https://x.example/certs' }), 'JWT_PUBLIC_KEY');
    assert.equal(variable({ ...full, NODE_ENV: 'production', JWKS_URL: 'http://keys.example/certs' }), 'JWKS_URL');
    assert.equal(variable({ ...full, NODE_ENV: 'production', JWKS_URL: 'https://keys.example/certs' }), undefined);
  });
});

describe('AUTH_MODE=gateway', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({ env: { AUTH_MODE: 'gateway' } });
  });
  after(() => stack.close());

  it('refuses a request that did not come with a Bearer token, in the envelope', async () => {
    const result = await stack.call('/oauth/config');
    assertRefused(result, 401, /Missing Authorization: Bearer <accessToken>/);
    assert.ok(result.body.requestId);
    assertRefused(await stack.call('/oauth/config', {}, { authorization: 'Token abc' }), 401, /must be "Bearer/);
  });

  it('lets a Bearer request through (the gateway verified it) and logs its user id', async () => {
    const signin = createDevSignin({ clock: stack.clock });
    const { access_token } = await signin.issue('gateway-user-1');
    assertAccepted(await stack.call('/oauth/config', {}, bearer(access_token)));
    const line = stack.logs.map((l) => JSON.parse(l)).find((l) => l.user === 'gateway-user-1');
    assert.ok(line, 'the request line names the user');
    assert.ok(!stack.logs.some((l) => l.includes(access_token)));
    // A token the function cannot decode is still the gateway's business; it is logged without a user.
    assertAccepted(await stack.call('/oauth/config', {}, bearer('opaque-gateway-token')));
  });
});

const spawnCli = (args: string[], env: Record<string, string>) => spawnTsx('src/cli.ts', args, { env });

describe('AUTH_MODE=none', () => {
  it('says loudly at start that end-user routes are open', async () => {
    const child = spawnCli(['start'], {
      appId: TEST_APP_ID,
      appSecret: TEST_APP_SECRET,
      AUTH_MODE: 'none',
      PORT: '0',
      HOST: '127.0.0.1',
    });
    try {
      const [line] = await child.waitFor(/^.*AUTH_MODE=none.*$/m);
      const parsed = JSON.parse(line);
      assert.equal(parsed.level, 40, 'a warning');
      assert.match(parsed.msg, /without any credential\. For local development only/);
    } finally {
      await child.stop();
    }
  });

  it('is refused outright in production', () => {
    assert.throws(() => loadConfig({ appId: TEST_APP_ID, appSecret: TEST_APP_SECRET, AUTH_MODE: 'none', NODE_ENV: 'production' }), /refused in production/);
  });
});

describe('the local run signs users in through the stand-in', () => {
  let child: Spawned;
  let url: string;
  before(async () => {
    child = spawnCli(['dev'], { PORT: '0', EMULATOR_PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn' });
    url = (await child.waitFor(/function\s+(http:\/\/\S+)/))[1];
  });
  after(() => child.stop());

  it('issues short-lived tokens that the function verifies in jwt mode', async () => {
    const health = (await (await fetch(`${url}/`)).json()) as any;
    assert.equal(health.data.features.auth, 'jwt');

    const anonymous = await fetch(`${url}/oauth/verify`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    assert.equal(anonymous.status, 401);
    // The sign-in routes are public in the local run, as behind CloudBase's HTTP access service.
    const publicConfig = await fetch(`${url}/oauth/config`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    assert.equal(publicConfig.status, 200);

    const signin = await fetch(`${url}/__dev/signin`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"user":"demo-user"}' });
    assert.equal(signin.status, 200);
    const answer = (await signin.json()) as { code: number; msg: string; data: { access_token: string; token_type: string; expires_in: number } };
    assert.equal(answer.code, 0, 'the envelope, as every other route answers');
    assert.equal(answer.msg, 'success');
    const issued = answer.data;
    assert.equal(issued.token_type, 'Bearer');
    assert.ok(issued.expires_in > 0 && issued.expires_in <= 3600, 'short-lived');
    const [header, payload] = issued.access_token.split('.').slice(0, 2).map((part) => JSON.parse(Buffer.from(part, 'base64url').toString()));
    assert.equal(header.alg, 'ES256');
    assert.equal(payload.sub, 'demo-user');
    assert.ok(payload.iss && payload.aud && payload.exp);

    const jwks = (await (await fetch(`${url}/__dev/jwks.json`)).json()) as { keys: Array<{ kid: string; kty: string; d?: string }> };
    assert.equal(jwks.keys[0].kid, header.kid);
    assert.equal(jwks.keys[0].d, undefined, 'only the public half is published');

    const signedIn = await fetch(`${url}/oauth/config`, { method: 'POST', headers: { 'content-type': 'application/json', ...bearer(issued.access_token) }, body: '{}' });
    assert.equal(signedIn.status, 200);
    assert.equal(((await signedIn.json()) as any).code, 0);
  });

  it('answers a bad sign-in body in the envelope', async () => {
    const response = await fetch(`${url}/__dev/signin`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"user":"<script>"}' });
    assert.equal(response.status, 400);
    const body = (await response.json()) as any;
    assert.equal(body.code, -1);
    assert.match(body.msg, /user has characters that are not allowed/);
  });

  it('keeps an AUTH_MODE override working', async () => {
    const open = spawnCli(['dev'], { PORT: '0', EMULATOR_PORT: '0', HOST: '127.0.0.1', AUTH_MODE: 'none' });
    try {
      const openUrl = (await open.waitFor(/function\s+(http:\/\/\S+)/))[1];
      const response = await fetch(`${openUrl}/oauth/config`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      assert.equal(response.status, 200);
      await open.waitFor(/"level":40.*AUTH_MODE=none: end-user routes accept callers without any credential/);
    } finally {
      await open.stop();
    }
  });
});

/** Serves createApp on loopback with a given access check (for policies the configuration does not expose). */
async function serveWith(config: Config, clock: ManualClock, access: ReturnType<typeof createAccessCheck>) {
  const composed = await composeServices({ config, clock, logger: silentLogger });
  const app = createApp({ services: composed.services, access });
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await composed.close();
    },
  };
}
