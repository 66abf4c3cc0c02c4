/**
 * The CloudBase custom-login ticket: the same bytes as CloudBase's own server SDK makes
 * (`createTicket` in @cloudbase/node-sdk) for the same key, uid and instant; verifiable with the
 * key's public half; and the key is checked at start and never shown.
 */
import assert from 'node:assert/strict';
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import tcb from '@cloudbase/node-sdk';
import { ManualClock } from '../src/clock.js';
import { createTicketSigner, parseCustomLoginKey } from '../src/cloudbase/custom-login.js';
import { ConfigError, loadConfig } from '../src/config.js';
import { customLoginKey, ENV_ID } from './support/custom-login-key.js';

const creds = { appId: 'wx1234567890abcdef', appSecret: 'S3cretS3cretS3cretS3cretS3cret42' };
const OPENID = 'oAbCdEfGhIjKlMnOpQrStUvWxYz0';

function decode(ticket: string) {
  const [kid, jwt] = ticket.split('/@@/');
  const [header, payload, signature] = jwt.split('.');
  return {
    kid,
    header: JSON.parse(Buffer.from(header, 'base64url').toString()),
    claims: JSON.parse(Buffer.from(payload, 'base64url').toString()),
    verifies: (key: KeyObject) => verify('sha256', Buffer.from(`${header}.${payload}`), key, Buffer.from(signature, 'base64url')),
  };
}

function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${error}`);
    return error;
  }
  assert.fail('expected the start to stop');
}

describe('custom-login ticket', () => {
  it('is byte for byte what @cloudbase/node-sdk createTicket makes with the same key, uid and instant', (t) => {
    const { json, publicKey } = customLoginKey();
    const now = Date.UTC(2026, 11, 2, 1, 30, 0, 123);
    const ours = createTicketSigner(parseCustomLoginKey(json), new ManualClock(now)).sign(OPENID);

    t.mock.timers.enable({ apis: ['Date'], now });
    const app = tcb.init({ env: ENV_ID, credentials: JSON.parse(json) });
    const official = app.auth().createTicket(OPENID);
    t.mock.timers.reset();

    assert.equal(ours, official);
    const ticket = decode(ours);
    assert.equal(ticket.kid, 'a1b2c3d4-key');
    assert.deepEqual(ticket.header, { alg: 'RS256', typ: 'JWT' });
    assert.equal(ticket.claims.env, ENV_ID);
    assert.equal(ticket.claims.uid, OPENID);
    assert.equal(ticket.claims.iat, now);
    assert.equal(ticket.claims.exp, now + 10 * 60_000);
    assert.ok(ticket.verifies(publicKey), 'the signature verifies with the public half of the key');
    assert.ok(!ticket.verifies(customLoginKey().publicKey), 'and with no other key');
  });

  it('signs with a key under 2048 bits, as the server SDK does', () => {
    const { json, publicKey } = customLoginKey(ENV_ID, 1024);
    const ticket = decode(createTicketSigner(parseCustomLoginKey(json), new ManualClock(1)).sign(OPENID));
    assert.ok(ticket.verifies(publicKey));
  });

  it('refuses a uid CloudBase would refuse', () => {
    const signer = createTicketSigner(parseCustomLoginKey(customLoginKey().json), new ManualClock(1));
    assert.throws(() => signer.sign('abc'), RangeError);
    assert.throws(() => signer.sign('has space in it'), RangeError);
  });
});

describe('CLOUDBASE_CUSTOM_LOGIN_KEY at start', () => {
  it('takes the JSON or a path to it, for the environment in TCB_ENV', () => {
    const { json, publicKey } = customLoginKey();
    const fromJson = loadConfig({ ...creds, CLOUDBASE_CUSTOM_LOGIN_KEY: json, TCB_ENV: ENV_ID }).customLoginKey;
    assert.equal(fromJson?.envId, ENV_ID);
    const file = join(mkdtempSync(join(tmpdir(), 'oa-key-')), 'tcb_custom_login.json');
    writeFileSync(file, json);
    const fromFile = loadConfig({ ...creds, CLOUDBASE_CUSTOM_LOGIN_KEY: file, TCB_ENV: ENV_ID }).customLoginKey!;
    assert.deepEqual(createPublicKey(fromFile.privateKey).export({ format: 'jwk' }), publicKey.export({ format: 'jwk' }));
  });

  it('stops a misconfigured start naming the variable, without quoting the key', () => {
    const { json, pemBody } = customLoginKey();
    const cases: Array<[Record<string, string>, string, RegExp]> = [
      [{ CLOUDBASE_CUSTOM_LOGIN_KEY: json, TCB_ENV: 'other-env' }, 'CLOUDBASE_CUSTOM_LOGIN_KEY', /environment "prod-7gq1x2y3".*"other-env"/],
      [{ CLOUDBASE_CUSTOM_LOGIN_KEY: json }, 'TCB_ENV', /needs TCB_ENV/],
      [{ CLOUDBASE_CUSTOM_LOGIN_KEY: '{"private_key_id":"x"}', TCB_ENV: ENV_ID }, 'CLOUDBASE_CUSTOM_LOGIN_KEY', /"private_key"/],
      [{ CLOUDBASE_CUSTOM_LOGIN_KEY: json.replace(pemBody, 'garbage'), TCB_ENV: ENV_ID }, 'CLOUDBASE_CUSTOM_LOGIN_KEY', /not a PEM private key/],
      [{ CLOUDBASE_CUSTOM_LOGIN_KEY: '{not json', TCB_ENV: ENV_ID }, 'CLOUDBASE_CUSTOM_LOGIN_KEY', /not JSON/],
      [{ CLOUDBASE_CUSTOM_LOGIN_KEY: '/nonexistent/tcb_custom_login.json', TCB_ENV: ENV_ID }, 'CLOUDBASE_CUSTOM_LOGIN_KEY', /readable file/],
    ];
    for (const [env, variable, message] of cases) {
      const error = configError(() => loadConfig({ ...creds, ...env }));
      assert.equal(error.variable, variable);
      assert.match(error.message, message);
      assert.ok(!error.message.includes(pemBody), 'the message does not quote the key');
    }
  });

  it('keeps the key out of a logged or serialized configuration', () => {
    const { json, pemBody } = customLoginKey();
    const config = loadConfig({ ...creds, CLOUDBASE_CUSTOM_LOGIN_KEY: json, TCB_ENV: ENV_ID });
    assert.ok(!JSON.stringify(config).includes(pemBody));
    assert.ok(!JSON.stringify(config).includes('BEGIN'));
  });
});

describe("the local run's sign-in stand-in", () => {
  it('redeems a ticket signed with the key it made, and no other, for 10 minutes', async () => {
    const { createDevSignin } = await import('../src/dev/signin.js');
    const clock = new ManualClock(Date.UTC(2026, 11, 2, 2, 0, 0));
    const signin = createDevSignin({ clock });
    const config = loadConfig({ ...creds, ...signin.env });
    const ticket = createTicketSigner(config.customLoginKey!, clock).sign(OPENID);
    assert.equal(signin.redeem(ticket), OPENID);
    const foreign = createTicketSigner(parseCustomLoginKey(customLoginKey('local-dev').json), clock).sign(OPENID);
    assert.throws(() => signin.redeem(foreign), /refused/);
    const [head, jwt] = ticket.split('/@@/');
    assert.throws(() => signin.redeem(`${head}/@@/${jwt.slice(0, -4)}AAAA`), /signature/);
    clock.advance(10 * 60_000);
    assert.throws(() => signin.redeem(ticket), /expired/);
  });
});
