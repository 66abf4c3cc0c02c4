/**
 * The credential manager against the emulator over real HTTP, with the clock moved instead
 * of slept: one fetch per burst, refresh ahead of expiry, the classic token's 5-minute overlap,
 * expiring only the token that failed, quota / whitelist / busy answers, force_refresh limits,
 * and taking over from a refresh lock whose holder died.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { ManualClock } from '../src/clock.js';
import type { TokenSource } from '../src/config.js';
import { AppError } from '../src/errors.js';
import { startEmulator, type Emulator, type Limits } from '../src/emulator/index.js';
import { createLogger } from '../src/log.js';
import { MemoryStore } from '../src/store/memory.js';
import { RedisStore } from '../src/store/redis.js';
import type { Store } from '../src/store/store.js';
import { CredentialManager, credentialKeys, FORCE_REFRESH_PER_DAY } from '../src/wechat/credentials.js';
import { WeChatError } from '../src/wechat/errcodes.js';
import { WeChatHttp } from '../src/wechat/http.js';
import { logLines } from './support/log-lines.js';
import { randomAppId, randomSecret, REDIS_URL } from './support/random-account.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const LIFETIME = 7200 * SECOND;

interface Setup {
  clock: ManualClock;
  emulator: Emulator;
  credentials: CredentialManager;
  store: Store;
  appId: string;
  appSecret: string;
  logs: string[];
  /** An API that needs the global token (40001/42001 when it is not valid). */
  callbackIp(token: string): Promise<unknown>;
  count(path: string): number;
  /** Another instance: its own manager and store connection, the same account and WeChat. */
  anotherInstance(): CredentialManager;
}

const cleanups: Array<() => Promise<void>> = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function setup(options: { source?: TokenSource; limits?: Partial<Limits>; store?: (clock: ManualClock) => Store; lockTtlMs?: number } = {}): Promise<Setup> {
  const clock = new ManualClock(Date.UTC(2026, 10, 24, 4, 0, 0));
  const appId = randomAppId();
  const appSecret = randomSecret();
  const emu = await startEmulator({ port: 0, host: '127.0.0.1', clock, apps: [{ appId, appSecret }], limits: options.limits });
  const http = new WeChatHttp({ baseUrl: emu.url, timeoutMs: 3000 });
  const { lines: logs, destination } = logLines();
  const logger = createLogger({ level: 'debug', secrets: [appSecret], destination });
  const instance = (store: Store) =>
    new CredentialManager({
      http,
      store,
      clock,
      logger,
      appId,
      appSecret,
      source: options.source,
      lockTtlMs: options.lockTtlMs,
      retry: { sleep: async () => {} },
    });
  const store = options.store?.(clock) ?? new MemoryStore(clock);
  const credentials = instance(store);
  const others: Array<{ manager: CredentialManager; store: Store }> = [];
  cleanups.push(async () => {
    await credentials.idle();
    for (const other of others) {
      await other.manager.idle();
      await other.store.close();
    }
    await http.close();
    await store.close();
    await emu.close();
  });
  return {
    clock,
    emulator: emu.emulator,
    credentials,
    store,
    appId,
    appSecret,
    logs,
    callbackIp: (token) => http.get('/cgi-bin/getcallbackip', { access_token: token }, 'global'),
    count: (path) => emu.emulator.counts()[path] ?? 0,
    anotherInstance() {
      const otherStore = options.store?.(clock) ?? new MemoryStore(clock);
      const manager = instance(otherStore);
      others.push({ manager, store: otherStore });
      return manager;
    },
  };
}

/** A promise and the function that settles it, to hold a call at a chosen point. */
function gate(): { wait: Promise<void>; open: () => void } {
  let open!: () => void;
  const wait = new Promise<void>((resolve) => (open = resolve));
  return { wait, open };
}

describe('one fetch for many callers', () => {
  it('a cold burst of token and ticket requests makes one token fetch and one ticket fetch', async () => {
    const s = await setup();
    const results = await Promise.all([
      ...Array.from({ length: 100 }, () => s.credentials.accessToken()),
      ...Array.from({ length: 100 }, () => s.credentials.jsapiTicket()),
    ]);
    assert.equal(s.count('/cgi-bin/stable_token'), 1);
    assert.equal(s.count('/cgi-bin/ticket/getticket'), 1);
    const tokens = new Set(results.slice(0, 100).map((r) => (r as { access_token: string }).access_token));
    assert.equal(tokens.size, 1);
    assert.equal(new Set(results.slice(100)).size, 1);
    const [token] = tokens;
    await s.callbackIp(token); // WeChat accepts it
    assert.deepEqual(await s.credentials.accessToken(), { access_token: token, expires_in: 7200 });
  });

  it('stores the token with its expiry from the clock, and counts expires_in down', async () => {
    const s = await setup();
    const { access_token } = await s.credentials.accessToken();
    const stored = JSON.parse((await s.store.get(credentialKeys(s.appId).token('stable')))!);
    assert.equal(stored.value, access_token);
    assert.equal(stored.expiresAt, s.clock.now() + LIFETIME);
    s.clock.advance(1000 * SECOND);
    assert.equal((await s.credentials.accessToken()).expires_in, 6200);
    assert.equal(s.count('/cgi-bin/stable_token'), 1);
  });
});

describe('refresh ahead of expiry', () => {
  it('serves the cached token in its last minutes and renews it behind the request', async () => {
    const s = await setup();
    const first = (await s.credentials.accessToken()).access_token;

    s.clock.advance(LIFETIME - 4 * MINUTE - SECOND);
    assert.equal((await s.credentials.accessToken()).access_token, first, 'outside the window: cached');
    await s.credentials.idle();
    assert.equal(s.count('/cgi-bin/stable_token'), 1, 'no refresh before the window');

    s.clock.advance(2 * SECOND);
    const during = await s.credentials.accessToken();
    assert.equal(during.access_token, first, 'the request is answered from the cache, not made to wait');
    assert.equal(during.expires_in, 239);
    await s.credentials.idle();
    assert.equal(s.count('/cgi-bin/stable_token'), 2, 'renewed once in the background');

    const renewed = await s.credentials.accessToken();
    assert.notEqual(renewed.access_token, first);
    assert.equal(renewed.expires_in, 7200);
    // More requests inside the old window fetch nothing more.
    await Promise.all(Array.from({ length: 20 }, () => s.credentials.accessToken()));
    await s.credentials.idle();
    assert.equal(s.count('/cgi-bin/stable_token'), 2);

    // WeChat keeps the old stable token working until its own expiry, then only the new one.
    await s.callbackIp(first);
    s.clock.advance(4 * MINUTE);
    await assert.rejects(s.callbackIp(first), (e: unknown) => e instanceof WeChatError && [40001, 42001].includes(e.errcode));
    await s.callbackIp(renewed.access_token);
  });

  it('renews inline, once, when the cached token has expired', async () => {
    const s = await setup();
    const first = (await s.credentials.accessToken()).access_token;
    s.clock.advance(LIFETIME);
    const results = await Promise.all(Array.from({ length: 30 }, () => s.credentials.accessToken()));
    assert.equal(s.count('/cgi-bin/stable_token'), 2);
    assert.equal(new Set(results.map((r) => r.access_token)).size, 1);
    assert.notEqual(results[0].access_token, first);
    assert.equal(results[0].expires_in, 7200);
  });

  it('does not hand out a token with less than 30 seconds left', async () => {
    const s = await setup();
    const first = (await s.credentials.accessToken()).access_token;
    s.clock.advance(LIFETIME - 29 * SECOND);
    const result = await s.credentials.accessToken();
    assert.notEqual(result.access_token, first);
    assert.ok(result.expires_in > 200);
  });

  it('keeps serving the cached token when a background refresh fails, and tries again on the next request', async () => {
    const s = await setup();
    const first = (await s.credentials.accessToken()).access_token;
    s.clock.advance(LIFETIME - 3 * MINUTE);
    s.emulator.failNext('/cgi-bin/stable_token', 45009);
    assert.equal((await s.credentials.accessToken()).access_token, first);
    await s.credentials.idle();
    assert.ok(s.logs.some((line) => line.includes('background refresh failed')));
    assert.equal((await s.credentials.accessToken()).access_token, first);
    await s.credentials.idle();
    assert.notEqual((await s.credentials.accessToken()).access_token, first);
  });

  it('renews the jsapi_ticket the same way', async () => {
    const s = await setup();
    const first = await s.credentials.jsapiTicket();
    s.clock.advance(LIFETIME - 3 * MINUTE);
    assert.equal(await s.credentials.jsapiTicket(), first);
    await s.credentials.idle();
    assert.equal(s.count('/cgi-bin/ticket/getticket'), 2);
    assert.notEqual(await s.credentials.jsapiTicket(), first);
  });
});

describe('classic cgi-bin/token and its 5-minute overlap', () => {
  it('WeChat keeps the previous token working 5 minutes after a fetch; ours moves every caller to the new one', async () => {
    const s = await setup({ source: 'classic' });
    const first = (await s.credentials.accessToken()).access_token;
    assert.equal(s.count('/cgi-bin/token'), 1);
    assert.equal(s.count('/cgi-bin/stable_token'), 0, 'the configured source only');

    // A request that read the old token and is still on its way to WeChat.
    const held = gate();
    const attempts: string[] = [];
    const inFlight = s.credentials.withToken(async (token) => {
      attempts.push(token);
      await held.wait;
      return s.callbackIp(token);
    });

    s.clock.advance(LIFETIME - 3 * MINUTE);
    await s.credentials.accessToken();
    await s.credentials.idle();
    assert.equal(s.count('/cgi-bin/token'), 2);
    const second = (await s.credentials.accessToken()).access_token;
    assert.notEqual(second, first);

    // Emulator: both work during the overlap, only the new one after it.
    await s.callbackIp(first);
    await s.callbackIp(second);
    s.clock.advance(5 * MINUTE);
    await assert.rejects(s.callbackIp(first), (e: unknown) => e instanceof WeChatError && e.errcode === 40001);
    await s.callbackIp(second);

    // The late request fails with the old token: the new one is not expired, it is simply used.
    held.open();
    await inFlight;
    assert.deepEqual(attempts, [first, second], 'refused with the old token, retried once with the current one');
    assert.equal(s.count('/cgi-bin/token'), 2, 'no extra fetch: each fetch would cut another token’s life short');
    assert.equal((await s.credentials.accessToken()).access_token, second);
  });
});

describe('a token WeChat refuses', () => {
  it('two concurrent failures with the same token cause one refresh', async () => {
    const s = await setup();
    const first = (await s.credentials.accessToken()).access_token;
    s.emulator.invalidateAccessToken(first);
    const used: string[] = [];
    const results = await Promise.all(
      Array.from({ length: 2 }, () =>
        s.credentials.withToken(async (token) => {
          used.push(token);
          return s.callbackIp(token);
        }),
      ),
    );
    assert.equal(results.length, 2);
    assert.equal(s.count('/cgi-bin/stable_token'), 2, 'the first fetch and exactly one refresh');
    assert.equal(used.filter((t) => t === first).length, 2);
    const retried = used.filter((t) => t !== first);
    assert.equal(retried.length, 2);
    assert.equal(new Set(retried).size, 1, 'both retries used the one new token');
  });

  it('a failure reported late does not expire the token that already replaced it', async () => {
    const s = await setup();
    const first = (await s.credentials.accessToken()).access_token;
    const held = gate();
    const attempts: string[] = [];
    const late = Array.from({ length: 3 }, () =>
      s.credentials.withToken(async (token) => {
        attempts.push(token);
        if (token === first) await held.wait;
        return s.callbackIp(token);
      }),
    );
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(attempts, [first, first, first], 'three requests on their way with the first token');
    s.emulator.invalidateAccessToken(first);
    // Another request meets the refusal first and renews the token.
    await s.credentials.withToken((token) => s.callbackIp(token));
    const second = (await s.credentials.accessToken()).access_token;
    assert.notEqual(second, first);
    assert.equal(s.count('/cgi-bin/stable_token'), 2);

    held.open();
    await Promise.all(late);
    assert.deepEqual(attempts.slice(3), [second, second, second], 'each retried once with the replacement');
    assert.equal((await s.credentials.accessToken()).access_token, second, 'the replacement survived');
    assert.equal(s.count('/cgi-bin/stable_token'), 2, 'the late failures fetched nothing');
  });

  it('retries once only: a second refusal is reported, not looped', async () => {
    const s = await setup();
    await s.credentials.accessToken();
    let calls = 0;
    await assert.rejects(
      s.credentials.withToken(async () => {
        calls++;
        throw new WeChatError(40001, 'invalid credential, access_token is invalid or not latest', 'global');
      }),
      (e: unknown) => e instanceof AppError && e.kind === 'token' && e.status === 502,
    );
    assert.equal(calls, 2);
  });

  it('when stable_token keeps returning the refused token, forces one refresh within WeChat’s limits', async () => {
    const s = await setup();
    const first = (await s.credentials.accessToken()).access_token;
    // WeChat refuses a token that stable_token still considers current (e.g. a glitch on its side).
    s.emulator.failNext('/cgi-bin/getcallbackip', 40001);
    await s.credentials.withToken((token) => s.callbackIp(token));
    assert.equal(s.count('/cgi-bin/stable_token'), 3, 'normal mode (same token), then one force');
    const second = (await s.credentials.accessToken()).access_token;
    assert.notEqual(second, first);

    // Again within 30 s: no second force; the refusal is reported.
    s.emulator.failNext('/cgi-bin/getcallbackip', 40001);
    await assert.rejects(s.credentials.withToken((token) => s.callbackIp(token)), (e: unknown) => e instanceof AppError && e.kind === 'token');
    assert.equal(s.count('/cgi-bin/stable_token'), 4);
  });
});

describe('answers that must not be retried', () => {
  it('45009 (daily quota) is a quota error after one call', async () => {
    const s = await setup({ source: 'classic', limits: { tokenDailyQuota: 1 } });
    await s.credentials.accessToken();
    s.clock.advance(LIFETIME);
    for (let i = 1; i <= 2; i++) {
      await assert.rejects(s.credentials.accessToken(), (e: unknown) => {
        assert.ok(e instanceof AppError);
        assert.equal(e.kind, 'quota');
        assert.equal(e.status, 503);
        assert.equal(e.details.errcode, 45009);
        assert.match(e.details.hint ?? '', /quota.*Do not retry/);
        return true;
      });
      assert.equal(s.count('/cgi-bin/token'), 1 + i, 'one call per request, never a retry');
    }
  });

  it('40164 (IP not whitelisted) says to whitelist the egress IP, naming the IP WeChat saw', async () => {
    const s = await setup();
    s.emulator.setIpWhitelisted(false);
    const burst = await Promise.allSettled(Array.from({ length: 10 }, () => s.credentials.accessToken()));
    assert.equal(s.count('/cgi-bin/stable_token'), 1, 'the burst shared one call and its error');
    for (const outcome of burst) {
      assert.equal(outcome.status, 'rejected');
      const e = (outcome as PromiseRejectedResult).reason;
      assert.ok(e instanceof AppError);
      assert.equal(e.kind, 'configuration');
      assert.equal(e.details.errcode, 40164);
      assert.match(e.message, /IP whitelist/);
      assert.match(e.details.hint!, /203\.0\.113\.7/);
      assert.match(e.details.hint!, /fixed egress IP/);
    }
    s.emulator.setIpWhitelisted(true);
    await s.credentials.accessToken(); // the error is not cached: fixing the whitelist fixes the function
  });

  it('errcode -1 is retried with bounded backoff', async () => {
    const s = await setup();
    s.emulator.failNext('/cgi-bin/stable_token', -1, 2);
    await s.credentials.accessToken();
    assert.equal(s.count('/cgi-bin/stable_token'), 3);

    s.clock.advance(LIFETIME);
    s.emulator.resetCounts();
    s.emulator.failNext('/cgi-bin/stable_token', -1, 10);
    await assert.rejects(s.credentials.accessToken(), (e: unknown) => e instanceof AppError && e.kind === 'upstream' && e.details.errcode === -1);
    assert.equal(s.count('/cgi-bin/stable_token'), 3, 'three attempts, then the error');
  });
});

describe('force_refresh', () => {
  it('replaces the token at most once per 30 s, as WeChat does', async () => {
    const s = await setup();
    const first = (await s.credentials.stableToken()).access_token;
    const forced = (await s.credentials.stableToken({ force: true })).access_token;
    assert.notEqual(forced, first);
    await assert.rejects(s.callbackIp(first), 'the old token is dead at once');
    assert.equal((await s.credentials.accessToken()).access_token, forced, 'every caller now gets the new one');

    s.clock.advance(29 * SECOND);
    assert.equal((await s.credentials.stableToken({ force: true })).access_token, forced, 'inside 30 s: the last force’s token');
    assert.equal(s.count('/cgi-bin/stable_token'), 2, 'and no call to WeChat');

    s.clock.advance(SECOND);
    assert.notEqual((await s.credentials.stableToken({ force: true })).access_token, forced);
    assert.equal(s.count('/cgi-bin/stable_token'), 3);
  });

  it('concurrent forces make one refresh and all answer the new token', async () => {
    const s = await setup();
    const first = (await s.credentials.stableToken()).access_token;
    const results = await Promise.all(Array.from({ length: 5 }, () => s.credentials.stableToken({ force: true })));
    assert.equal(new Set(results.map((r) => r.access_token)).size, 1);
    assert.notEqual(results[0].access_token, first);
    assert.equal(s.count('/cgi-bin/stable_token'), 2);
  });

  it(`allows ${FORCE_REFRESH_PER_DAY} a day, then answers a quota error without calling WeChat`, async () => {
    const s = await setup();
    for (let i = 0; i < FORCE_REFRESH_PER_DAY; i++) {
      await s.credentials.stableToken({ force: true });
      s.clock.advance(31 * SECOND);
    }
    const calls = s.count('/cgi-bin/stable_token');
    await assert.rejects(s.credentials.stableToken({ force: true }), (e: unknown) => {
      assert.ok(e instanceof AppError);
      assert.equal(e.kind, 'quota');
      assert.match(e.message, /20 a day/);
      assert.ok((e.details.retryAfter ?? 0) > 0);
      return true;
    });
    assert.equal(s.count('/cgi-bin/stable_token'), calls);
    // The token in use is untouched and still served.
    await s.callbackIp((await s.credentials.stableToken()).access_token);
  });
});

describe('the refresh lock across instances (Redis)', () => {
  const redisStores: RedisStore[] = [];
  const redisStore = () => {
    const store = new RedisStore(REDIS_URL);
    redisStores.push(store);
    return store;
  };
  /** The bare RedisStore fails fast until connected; production connects at start the same way. */
  const connected = async () => {
    for (const store of redisStores) assert.equal(await store.connect(), true);
  };

  it('a waiter takes over when the lock holder died, once the lock expires', async () => {
    const s = await setup({ store: redisStore, lockTtlMs: 400 });
    await connected();
    // A holder that took the lock and never came back.
    const lock = credentialKeys(s.appId).tokenLock('stable');
    await s.store.setIfAbsent(lock, 'dead-instance', 400);
    const pending = Promise.all(Array.from({ length: 10 }, () => s.credentials.accessToken()));
    // Until Redis expires the dead holder's lock, nobody fetches: the count is read first, so a
    // lock still there afterwards was there when it was read.
    for (;;) {
      const fetched = s.count('/cgi-bin/stable_token');
      if ((await s.store.get(lock)) !== 'dead-instance') break;
      assert.equal(fetched, 0, 'no fetch while the lock lives');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const results = await pending;
    assert.equal(new Set(results.map((r) => r.access_token)).size, 1);
    assert.equal(s.count('/cgi-bin/stable_token'), 1, 'one takeover once it expired');
  });

  it('a holder slower than the lock TTL keeps its lock: the other instances still wait for its one fetch', async () => {
    const s = await setup({ store: redisStore, lockTtlMs: 300 });
    const instances = [s.credentials, s.anotherInstance(), s.anotherInstance()];
    await connected();
    s.emulator.setDelay('/cgi-bin/stable_token', 1200);
    const results = await Promise.all(instances.flatMap((manager) => Array.from({ length: 10 }, () => manager.accessToken())));
    assert.equal(new Set(results.map((r) => r.access_token)).size, 1);
    assert.equal(s.count('/cgi-bin/stable_token'), 1, 'four lock lifetimes of waiting, still one fetch');
  });

  it('a waiter uses what the lock holder stored, without fetching', async () => {
    const s = await setup({ store: redisStore, lockTtlMs: 5000 });
    await connected();
    const keys = credentialKeys(s.appId);
    await s.store.setIfAbsent(keys.tokenLock('stable'), 'other-instance', 5000);
    const waiting = s.credentials.accessToken();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const now = s.clock.now();
    await s.store.set(keys.token('stable'), JSON.stringify({ value: 'token-from-another-instance', expiresAt: now + LIFETIME, refreshAt: now + LIFETIME - 4 * MINUTE }), LIFETIME);
    await s.store.deleteIf(keys.tokenLock('stable'), 'other-instance');
    assert.equal((await waiting).access_token, 'token-from-another-instance');
    assert.equal(s.count('/cgi-bin/stable_token'), 0);
  });

  it('logs neither the AppSecret nor any token', async () => {
    const s = await setup();
    const { access_token } = await s.credentials.accessToken();
    const ticket = await s.credentials.jsapiTicket();
    s.emulator.invalidateAccessToken(access_token);
    await s.credentials.withToken((token) => s.callbackIp(token));
    assert.ok(s.logs.length > 0);
    const text = s.logs.join('\n');
    for (const secret of [s.appSecret, access_token, ticket, (await s.credentials.accessToken()).access_token]) {
      assert.ok(!text.includes(secret));
    }
  });
});
