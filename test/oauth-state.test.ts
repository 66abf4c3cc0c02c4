/**
 * The signed OAuth state: the signer on its own (a ManualClock for its lifetime), then
 * /oauth/state and /oauth/token over HTTP against the real function and emulator, where a bad
 * state must stop the code before it reaches WeChat.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../src/clock.js';
import { createOAuthStateSigner, STATE_LIFETIME_S } from '../src/function/oauth-state.js';
import { startStack, TEST_APP_SECRET, type Stack, gatewayBearer } from './support/stack.js';

/** WeChat's rule for the authorize URL's state parameter. */
const WECHAT_STATE = /^[a-zA-Z0-9]{1,128}$/;

/** The state with one character at `index` changed to another of the same alphabet. */
function flip(state: string, index: number): string {
  const c = state[index];
  return state.slice(0, index) + (c === '0' ? '1' : '0') + state.slice(index + 1);
}

describe('signer', () => {
  const clock = new ManualClock(Date.UTC(2026, 3, 1, 8, 0, 0));
  const signer = createOAuthStateSigner(TEST_APP_SECRET, clock);

  it('issues states WeChat accepts, each different, that verify for the same caller', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const { state, expires_in } = signer.issue('user-1');
      assert.match(state, WECHAT_STATE);
      assert.equal(expires_in, 600);
      assert.deepEqual(signer.verify(state, 'user-1'), { ok: true });
      seen.add(state);
    }
    assert.equal(seen.size, 50);
  });

  it('verifies on another instance that has the same AppSecret, and not on one with another', () => {
    const { state } = signer.issue('user-1');
    assert.deepEqual(createOAuthStateSigner(TEST_APP_SECRET, clock).verify(state, 'user-1'), { ok: true });
    assert.deepEqual(createOAuthStateSigner('AnotherSecretAnotherSecret000001', clock).verify(state, 'user-1'), { ok: false, reason: 'signature' });
  });

  it('refuses a state with any one character changed: issue time, nonce or signature', () => {
    const { state } = signer.issue('user-1');
    for (const index of [0, state.length - 65, state.length - 40, state.length - 20, state.length - 1]) {
      const tampered = flip(state, index);
      assert.notEqual(tampered, state);
      assert.deepEqual(signer.verify(tampered, 'user-1'), { ok: false, reason: 'signature' }, `changed at ${index}`);
    }
  });

  it('lives 10 minutes on the injected clock', () => {
    const local = new ManualClock(Date.UTC(2026, 3, 1, 8, 0, 0));
    const s = createOAuthStateSigner(TEST_APP_SECRET, local);
    const { state } = s.issue('user-1');
    local.advance(STATE_LIFETIME_S * 1000);
    assert.deepEqual(s.verify(state, 'user-1'), { ok: true }, 'still good at 10 minutes');
    local.advance(1000);
    assert.deepEqual(s.verify(state, 'user-1'), { ok: false, reason: 'expired' });
  });

  it('refuses a state stamped well in the future (an instance whose clock ran ahead, or a forgery)', () => {
    const local = new ManualClock(Date.UTC(2026, 3, 1, 8, 0, 0));
    const s = createOAuthStateSigner(TEST_APP_SECRET, local);
    local.advance(5 * 60_000);
    const { state } = s.issue('user-1');
    local.advance(-5 * 60_000);
    assert.deepEqual(s.verify(state, 'user-1'), { ok: false, reason: 'expired' });
  });

  it("refuses another user's state, and compares identities whole", () => {
    const { state } = signer.issue('user-1');
    assert.deepEqual(signer.verify(state, 'user-2'), { ok: false, reason: 'signature' });
    assert.deepEqual(signer.verify(state, 'user-1'), { ok: true });
    const long = 'u'.repeat(200);
    assert.deepEqual(signer.verify(signer.issue(`${long}a`).state, `${long}b`), { ok: false, reason: 'signature' });
  });

  it('refuses anything not in its shape without computing a signature', () => {
    const { state } = signer.issue('user-1');
    for (const bad of [
      '',
      'abc123',
      '0123456789abcdef0123456789abcdef', // what the SDK makes when the function has no /oauth/state
      state.toUpperCase(),
      `${state}0`.padStart(129, '1'),
      `${state.slice(0, -1)}g`,
      `${state.slice(0, -1)}_`,
      ` ${state}`,
      `${state}\n`,
      state.slice(-64), // no issue time
    ]) {
      assert.deepEqual(signer.verify(bad, 'user-1'), { ok: false, reason: 'malformed' }, JSON.stringify(bad));
    }
  });
});

describe('over HTTP', () => {
  let stack: Stack;
  let gated: Stack;
  before(async () => {
    stack = await startStack();
    gated = await startStack({ env: { AUTH_MODE: 'gateway' } });
  });
  after(async () => {
    await stack?.close();
    await gated?.close();
  });

  const exchanges = (s: Stack) => s.emulator.counts()['/sns/oauth2/access_token'] ?? 0;

  const bearer = gatewayBearer;

  it('POST /oauth/state answers a state for the authorize URL and its lifetime', async () => {
    const result = await stack.call('/oauth/state', {});
    assert.equal(result.status, 200);
    assert.equal(result.body.code, 0);
    assert.match(result.body.data.state, WECHAT_STATE);
    assert.equal(result.body.data.expires_in, 600);
    const again = await stack.call('/oauth/state');
    assert.notEqual(again.body.data.state, result.body.data.state);
  });

  it('/oauth/token with a state from /oauth/state exchanges the code', async () => {
    const { state } = (await stack.call('/oauth/state')).body.data;
    const result = await stack.call('/oauth/token', { code: stack.code('snsapi_base', 'alice'), state });
    assert.equal(result.status, 200, result.text);
    assert.match(result.body.data.openid, /^o[\w-]{27}$/);
  });

  it('a forged state is refused with 400 and the code never reaches WeChat', async () => {
    const { state } = (await stack.call('/oauth/state')).body.data;
    const before = exchanges(stack);
    for (const forged of [flip(state, state.length - 1), 'forged0123456789', '0123456789abcdef0123456789abcdef']) {
      const result = await stack.call('/oauth/token', { code: stack.code(), state: forged });
      assert.equal(result.status, 400, result.text);
      assert.deepEqual(
        { code: result.body.code, data: result.body.data, msg: result.body.msg },
        { code: -1, data: null, msg: 'The state was not issued by this function, has expired, or belongs to another user; sign in again' },
      );
      assert.match(result.body.hint, /10 minutes/);
      assert.equal(result.body.errcode, undefined, 'not a WeChat error: WeChat was not asked');
    }
    assert.equal(exchanges(stack), before);
  });

  it('a state older than 10 minutes is refused, and the code is kept from WeChat', async () => {
    const { state } = (await stack.call('/oauth/state')).body.data;
    stack.clock.advance(10 * 60_000 + 1000);
    const code = stack.code();
    const before = exchanges(stack);
    const result = await stack.call('/oauth/token', { code, state });
    assert.equal(result.status, 400);
    assert.match(result.body.msg, /expired/);
    assert.equal(exchanges(stack), before);
    // The code itself is unharmed: presented without the stale state it still exchanges.
    assert.equal((await stack.call('/oauth/token', { code })).status, 200);
  });

  it("a state issued to another signed-in user is refused (someone else's state cannot carry their code into your page)", async () => {
    const { state } = (await gated.call('/oauth/state', {}, bearer('mallory'))).body.data;
    const before = exchanges(gated);
    const refused = await gated.call('/oauth/token', { code: gated.code('snsapi_base', 'mallory'), state }, bearer('victim'));
    assert.equal(refused.status, 400);
    assert.equal(exchanges(gated), before);
    const own = await gated.call('/oauth/token', { code: gated.code('snsapi_base', 'mallory'), state }, bearer('mallory'));
    assert.equal(own.status, 200, own.text);
  });

  it('a state that is not a string of at most 128 characters is a bad request', async () => {
    const before = exchanges(stack);
    for (const state of ['a'.repeat(129), 42, null, ['x']]) {
      const result = await stack.call('/oauth/token', { code: stack.code(), state });
      assert.equal(result.status, 400, JSON.stringify(state));
      assert.equal(result.body.code, -1);
    }
    assert.equal(exchanges(stack), before);
  });

  it('the AppSecret appears in no answer or log line', () => {
    for (const text of [...stack.responses, ...stack.logs, ...gated.responses, ...gated.logs]) assert.ok(!text.includes(TEST_APP_SECRET));
  });
});
