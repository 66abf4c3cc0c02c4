/**
 * One handling per push: retries during and after handling get the same reply, in one process
 * and across two instances sharing the real Redis.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { ManualClock } from '../src/clock.js';
import { Deduplicator } from '../src/apis/callback/dedupe.js';
import { MemoryStore } from '../src/store/memory.js';
import { RedisStore } from '../src/store/redis.js';
import { randomAppId, REDIS_URL } from './support/random-account.js';

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A handler the test finishes when it likes, counting its calls. */
function gatedHandler() {
  const gate = deferred<string>();
  const started = deferred<void>();
  let calls = 0;
  return {
    gate,
    started: started.promise,
    get calls() {
      return calls;
    },
    handle: () => {
      calls += 1;
      started.resolve();
      return gate.promise;
    },
  };
}

describe('dedupe in one process', () => {
  const prefix = `oa:{${randomAppId()}}:callback:`;

  it('answers a retry during handling with the same reply, and a retry after it from the store', async () => {
    const dedupe = new Deduplicator({ store: new MemoryStore(new ManualClock()), keyPrefix: prefix });
    const handler = gatedHandler();
    const first = dedupe.once('msg:1', handler.handle);
    await handler.started;
    const retry = dedupe.once('msg:1', handler.handle);
    handler.gate.resolve('<xml>reply</xml>');
    assert.deepEqual(await first, { reply: '<xml>reply</xml>', handled: true });
    assert.deepEqual(await retry, { reply: '<xml>reply</xml>', handled: false });
    assert.deepEqual(await dedupe.once('msg:1', handler.handle), { reply: '<xml>reply</xml>', handled: false });
    assert.equal(handler.calls, 1);
    assert.deepEqual(await dedupe.once('msg:2', async () => 'success'), { reply: 'success', handled: true });
  });

  it('lets a retry handle the push again when the first handling failed', async () => {
    const dedupe = new Deduplicator({ store: new MemoryStore(new ManualClock()), keyPrefix: prefix });
    await assert.rejects(dedupe.once('msg:3', async () => Promise.reject(new Error('boom'))));
    assert.deepEqual(await dedupe.once('msg:3', async () => 'second'), { reply: 'second', handled: true });
  });

  it('handles the push again once the reply has expired', async () => {
    const clock = new ManualClock();
    const dedupe = new Deduplicator({ store: new MemoryStore(clock), keyPrefix: prefix, replyTtlMs: 1000 });
    await dedupe.once('msg:4', async () => 'one');
    clock.advance(1001);
    assert.deepEqual(await dedupe.once('msg:4', async () => 'two'), { reply: 'two', handled: true });
  });

  it('handles the push when the store fails, rather than lose it', async () => {
    const failing = new MemoryStore(new ManualClock());
    failing.setIfAbsent = () => Promise.reject(new Error('down'));
    failing.set = () => Promise.reject(new Error('down'));
    const dedupe = new Deduplicator({ store: failing, keyPrefix: prefix });
    assert.deepEqual(await dedupe.once('msg:5', async () => 'handled'), { reply: 'handled', handled: true });
  });
});

describe('dedupe across two instances sharing Redis', () => {
  const keyPrefix = `oa:{${randomAppId()}}:callback:`;
  const a = new RedisStore(REDIS_URL);
  const b = new RedisStore(REDIS_URL);
  const raw = new Redis(REDIS_URL);
  after(async () => {
    const keys = await raw.keys(`${keyPrefix}*`);
    if (keys.length) await raw.del(...keys);
    raw.disconnect();
    await a.close();
    await b.close();
  });

  it('handles a push once when both instances receive it, and both answer with its reply', async () => {
    assert.equal(await a.connect(), true);
    assert.equal(await b.connect(), true);
    const instanceA = new Deduplicator({ store: a, keyPrefix, pollMs: 10 });
    const instanceB = new Deduplicator({ store: b, keyPrefix, pollMs: 10 });
    const handler = gatedHandler();
    const first = instanceA.once('msg:42', handler.handle);
    await handler.started;
    const retry = instanceB.once('msg:42', handler.handle);
    handler.gate.resolve('<xml>same</xml>');
    assert.deepEqual(await first, { reply: '<xml>same</xml>', handled: true });
    assert.deepEqual(await retry, { reply: '<xml>same</xml>', handled: false });
    assert.deepEqual(await instanceB.once('msg:42', handler.handle), { reply: '<xml>same</xml>', handled: false });
    assert.equal(handler.calls, 1);
  });

  it('gives up waiting when told to, while the other instance still holds the push', async () => {
    const instanceA = new Deduplicator({ store: a, keyPrefix, pollMs: 10 });
    const instanceB = new Deduplicator({ store: b, keyPrefix, pollMs: 10 });
    const handler = gatedHandler();
    const first = instanceA.once('msg:43', handler.handle);
    await handler.started;
    const budget = deferred<void>();
    const retry = instanceB.once('msg:43', handler.handle, budget.promise);
    budget.resolve();
    assert.equal(await retry, undefined);
    handler.gate.resolve('late');
    assert.equal((await first)?.reply, 'late');
    assert.equal(handler.calls, 1);
  });
});
