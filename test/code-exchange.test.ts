/**
 * What one instance remembers of exchanged codes: the same code from the same caller is
 * answered once for its 5 minutes, concurrent presentations share one upstream call, failures
 * are not kept, and memory stays bounded however many codes arrive.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../src/clock.js';
import { CodeExchange } from '../src/wechat/code-exchange.js';
import type { OAuthToken } from '../src/wechat/oauth.js';

/** An upstream that counts its calls and can be told to fail the next one. */
function upstream() {
  const calls: string[] = [];
  let failNext = false;
  return {
    calls,
    failOnce: () => {
      failNext = true;
    },
    api: {
      async exchangeCode(code: string): Promise<OAuthToken> {
        calls.push(code);
        if (failNext) {
          failNext = false;
          throw new Error('WeChat is down');
        }
        return { openid: `o-${code}`, access_token: `at-${code}-${calls.length}`, refresh_token: 'rt', expires_in: 7200, scope: 'snsapi_base' };
      },
    },
  };
}

describe('the code-exchange memory', () => {
  it('answers a repeat within 5 minutes from memory, and asks WeChat again after', async () => {
    const clock = new ManualClock();
    const wechat = upstream();
    const codes = new CodeExchange(wechat.api, clock);
    const first = await codes.exchange('c1', 'alice');
    clock.advance(5 * 60_000 - 1);
    assert.deepEqual(await codes.exchange('c1', 'alice'), first);
    assert.deepEqual(wechat.calls, ['c1']);
    clock.advance(2);
    const later = await codes.exchange('c1', 'alice');
    assert.deepEqual(wechat.calls, ['c1', 'c1'], 'an expired result is not replayed');
    assert.notEqual(later.access_token, first.access_token);
  });

  it('keys by caller: the same code from someone else goes to WeChat', async () => {
    const wechat = upstream();
    const codes = new CodeExchange(wechat.api, new ManualClock());
    await codes.exchange('c1', 'alice');
    await codes.exchange('c1', 'mallory');
    assert.deepEqual(wechat.calls, ['c1', 'c1']);
  });

  it('shares one upstream call between concurrent presentations', async () => {
    const wechat = upstream();
    const codes = new CodeExchange(wechat.api, new ManualClock());
    const results = await Promise.all(Array.from({ length: 20 }, () => codes.exchange('c1', 'alice')));
    assert.equal(wechat.calls.length, 1);
    assert.equal(new Set(results.map((result) => result.access_token)).size, 1);
  });

  it('does not keep a failure: the next presentation asks WeChat again', async () => {
    const wechat = upstream();
    const codes = new CodeExchange(wechat.api, new ManualClock());
    wechat.failOnce();
    await assert.rejects(codes.exchange('c1', 'alice'), /WeChat is down/);
    assert.equal(codes.size, 0);
    const retried = await codes.exchange('c1', 'alice');
    assert.equal(retried.openid, 'o-c1');
    assert.equal(wechat.calls.length, 2);
  });

  it('remembers nothing for a caller without an identity: each presentation goes to WeChat', async () => {
    const wechat = upstream();
    const codes = new CodeExchange(wechat.api, new ManualClock());
    await codes.exchange('c1', undefined);
    await codes.exchange('c1', undefined);
    assert.deepEqual(wechat.calls, ['c1', 'c1']);
    assert.equal(codes.size, 0);
  });

  it('stays within its bound, forgetting the least recently presented code first', async () => {
    const wechat = upstream();
    const codes = new CodeExchange(wechat.api, new ManualClock(), { maxEntries: 3 });
    for (const code of ['a', 'b', 'c']) await codes.exchange(code, 'alice');
    await codes.exchange('a', 'alice'); // presented again: now the most recent
    await codes.exchange('d', 'alice'); // over the bound: 'b' goes
    assert.equal(codes.size, 3);
    assert.deepEqual(wechat.calls, ['a', 'b', 'c', 'd']);
    await codes.exchange('a', 'alice');
    await codes.exchange('c', 'alice');
    assert.equal(wechat.calls.length, 4, "'a' and 'c' are still remembered");
    await codes.exchange('b', 'alice');
    assert.deepEqual(wechat.calls.slice(4), ['b'], "'b' was forgotten and goes to WeChat again");
  });

  it('refuses a bound or a lifetime that is not a whole number of at least 1, naming it', () => {
    const wechat = upstream();
    for (const [name, value] of [['maxEntries', 0], ['maxEntries', 2.5], ['ttlMs', -1], ['ttlMs', Number.NaN]] as const) {
      assert.throws(() => new CodeExchange(wechat.api, new ManualClock(), { [name]: value }), new RegExp(`CodeExchange ${name} must be a whole number of at least 1`));
    }
  });

  it('holds 10 000 codes by default and no more', async () => {
    const wechat = upstream();
    const codes = new CodeExchange(wechat.api, new ManualClock());
    for (let i = 0; i < 10_050; i++) await codes.exchange(`code-${i}`, 'alice');
    assert.equal(codes.size, 10_000);
    await codes.exchange('code-10049', 'alice');
    assert.equal(wechat.calls.length, 10_050, 'the newest is remembered');
    await codes.exchange('code-0', 'alice');
    assert.equal(wechat.calls.length, 10_051, 'the oldest was forgotten');
  });
});
