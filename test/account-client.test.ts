/**
 * The account client (every call with the global access_token) against the emulator over real
 * HTTP: the token added, a refused token replaced once and only once, a token another instance
 * already replaced left alone, -1 retried with backoff, quota, the whitelist hint, 48001,
 * multipart upload, binary download and the mp host. A test-only API group adds the endpoints
 * no group has yet (an upload, a download, a gated call), answered by the emulator's core.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { ManualClock } from '../src/clock.js';
import { AppError } from '../src/errors.js';
import { groups } from '../src/apis/index.js';
import type { ApiGroup } from '../src/apis/group.js';
import { isError } from '../src/emulator/core.js';
import type { EmulatorPartFactory } from '../src/emulator/part.js';
import { startEmulator, type Emulator } from '../src/emulator/index.js';
import { createLogger } from '../src/log.js';
import { MemoryStore } from '../src/store/memory.js';
import type { Store } from '../src/store/store.js';
import { CredentialManager, credentialKeys } from '../src/wechat/credentials.js';
import { WeChatError } from '../src/wechat/errcodes.js';
import { WeChatHttp } from '../src/wechat/http.js';
import { logLines } from './support/log-lines.js';
import { randomAppId, randomSecret } from './support/random-account.js';

const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0xff, 0xd9]);

/** Released by the test: the gated endpoint checks the token only once the gate opens. */
let openGate: () => void = () => {};
let gate: Promise<void> = Promise.resolve();
let gateEntered: () => void = () => {};
let entered: Promise<void> = Promise.resolve();
/** The next call to the gated endpoint waits until `openGate`; `entered` resolves when it arrives. */
function closeGate(): void {
  gate = new Promise((resolve) => (openGate = resolve));
  entered = new Promise((resolve) => (gateEntered = resolve));
}

const testGroup: ApiGroup = {
  name: 'test',
  description: 'Endpoints for the account client test.',
  routes: [],
};

const testPart: EmulatorPartFactory = (core) => ({
  endpoints: [
    {
      method: 'POST',
      path: '/cgi-bin/test/upload',
      token: 'global',
      body: 'multipart',
      answer: async ({ body, files }) => ({
        fields: body,
        media: { name: files.media?.name, type: files.media?.type, size: files.media?.size, bytes: Buffer.from(await files.media!.arrayBuffer()).toString('hex') },
      }),
    },
    { method: 'GET', path: '/cgi-bin/test/download', token: 'global', answer: () => ({ binary: JPEG, contentType: 'image/jpeg' }) },
    { method: 'GET', path: '/mp/cgi-bin/showqrcode', token: 'global', answer: () => ({ binary: JPEG, contentType: 'image/jpeg' }) },
    {
      method: 'GET',
      path: '/cgi-bin/test/gated',
      answer: async ({ query }) => {
        gateEntered();
        await gate;
        const token = core.globalToken(query.access_token);
        return isError(token) ? token : { ok: true };
      },
    },
  ],
});

interface Setup {
  emulator: Emulator;
  url: string;
  credentials: CredentialManager;
  store: Store;
  appId: string;
  sleeps: number[];
  logs: string[];
  count(path: string): number;
  anotherInstance(): CredentialManager;
}

const cleanups: Array<() => Promise<void>> = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function setup(): Promise<Setup> {
  const clock = new ManualClock(Date.UTC(2026, 10, 24, 4, 0, 0));
  const appId = randomAppId();
  const appSecret = randomSecret();
  const emu = await startEmulator({ port: 0, host: '127.0.0.1', clock, apps: [{ appId, appSecret }], groups: [...groups, testGroup], parts: { test: testPart } });
  const http = new WeChatHttp({ baseUrl: emu.url, timeoutMs: 3000 });
  const logs = logLines();
  const logger = createLogger({ level: 'debug', secrets: [appSecret], destination: logs.destination });
  const sleeps: number[] = [];
  const store = new MemoryStore(clock);
  const instance = (shared: Store) =>
    new CredentialManager({
      http,
      store: shared,
      clock,
      logger,
      appId,
      appSecret,
      mpBaseUrl: `${emu.url}/mp`,
      retry: { sleep: async (ms) => void sleeps.push(ms) },
    });
  const credentials = instance(store);
  const others: CredentialManager[] = [];
  cleanups.push(async () => {
    for (const manager of [credentials, ...others]) await manager.idle();
    await http.close();
    await emu.close();
  });
  return {
    emulator: emu.emulator,
    url: emu.url,
    credentials,
    store,
    appId,
    sleeps,
    logs: logs.lines,
    count: (path) => emu.emulator.counts()[path] ?? 0,
    anotherInstance() {
      // The same shared store, as two instances on one Redis.
      const manager = instance(store);
      others.push(manager);
      return manager;
    },
  };
}

const storedToken = async (s: Setup) => JSON.parse((await s.store.get(credentialKeys(s.appId).token('stable')))!).value as string;

describe('the account client', () => {
  it('adds the account token to the call', async () => {
    const s = await setup();
    const answer = await s.credentials.account.get<{ ip_list: string[] }>('/cgi-bin/getcallbackip');
    assert.deepEqual(answer.ip_list, ['127.0.0.1', '::1']);
    assert.equal(s.count('/cgi-bin/stable_token'), 1);
    await s.credentials.account.get('/cgi-bin/getcallbackip');
    assert.equal(s.count('/cgi-bin/stable_token'), 1, 'the stored token is reused');
  });

  it('replaces a token WeChat refuses and retries the call once', async () => {
    const s = await setup();
    const { access_token: first } = await s.credentials.accessToken();
    s.emulator.invalidateAccessToken(first);
    const answer = await s.credentials.account.get<{ ip_list: string[] }>('/cgi-bin/getcallbackip');
    assert.ok(answer.ip_list);
    assert.equal(s.count('/cgi-bin/getcallbackip'), 2, 'refused once, then answered');
    assert.notEqual(await storedToken(s), first);
  });

  it('retries a refused token only once, then reports it', async () => {
    const s = await setup();
    await s.credentials.accessToken();
    s.emulator.failNext('/cgi-bin/getcallbackip', 40001, 5);
    await assert.rejects(s.credentials.account.get('/cgi-bin/getcallbackip'), (error: unknown) => error instanceof AppError && error.kind === 'token' && error.status === 502);
    assert.equal(s.count('/cgi-bin/getcallbackip'), 2);
  });

  it('does not expire a token another instance has already replaced', async () => {
    const s = await setup();
    const { access_token: old } = await s.credentials.accessToken();
    closeGate();
    // This instance's call leaves with the old token and waits inside the emulator.
    const call = s.credentials.account.get<{ ok: boolean }>('/cgi-bin/test/gated');
    await entered;
    const releaseFirst = openGate;
    gate = Promise.resolve();
    // Meanwhile another instance has the old token refused and replaces it.
    const other = s.anotherInstance();
    await other.stableToken({ force: true });
    const replaced = await storedToken(s);
    assert.notEqual(replaced, old);
    releaseFirst();
    // The first attempt is refused (the old token); the retry carries the replacement.
    assert.deepEqual(await call, { ok: true });
    assert.equal(s.count('/cgi-bin/test/gated'), 2);
    assert.equal(await storedToken(s), replaced, 'the replacement stays: only the token that failed is expired');
    assert.equal(s.count('/cgi-bin/stable_token'), 2, 'the first fetch and the other instance\'s force; no third');
  });

  it('backs off and retries when WeChat is busy (-1), on a GET and a POST', async () => {
    const s = await setup();
    s.emulator.failNext('/cgi-bin/getcallbackip', -1, 2);
    await s.credentials.account.get('/cgi-bin/getcallbackip');
    assert.equal(s.count('/cgi-bin/getcallbackip'), 3);
    assert.deepEqual(s.sleeps, [200, 400], 'exponential backoff');
    s.emulator.failNext('/cgi-bin/test/upload', -1, 1);
    await s.credentials.account.upload('/cgi-bin/test/upload', { field: 'media', filename: 'a.jpg', contentType: 'image/jpeg', bytes: JPEG });
    assert.equal(s.count('/cgi-bin/test/upload'), 2);
  });

  it('answers a spent quota (45009, 45011) as the quota error, without retrying', async () => {
    const s = await setup();
    for (const errcode of [45009, 45011]) {
      s.emulator.failNext('/cgi-bin/getcallbackip', errcode);
      const before = s.count('/cgi-bin/getcallbackip');
      await assert.rejects(s.credentials.account.get('/cgi-bin/getcallbackip'), (error: unknown) => {
        assert.ok(error instanceof WeChatError);
        assert.equal(error.kind, 'quota');
        assert.equal(error.status, 503);
        assert.equal(error.errcode, errcode);
        assert.match(error.rid ?? '', /^[0-9a-f]{8}-/, 'the rid is split out of errmsg');
        assert.doesNotMatch(error.message, /rid:/);
        return true;
      });
      assert.equal(s.count('/cgi-bin/getcallbackip') - before, 1);
    }
  });

  it('names the IP to whitelist on 40164, and says 48001 is not allowed for this account', async () => {
    const s = await setup();
    s.emulator.failNext('/cgi-bin/getcallbackip', 40164);
    await assert.rejects(s.credentials.account.get('/cgi-bin/getcallbackip'), (error: unknown) => {
      assert.ok(error instanceof AppError);
      assert.equal(error.kind, 'configuration');
      assert.equal(error.details.errcode, 40164);
      assert.match(error.details.hint ?? '', /203\.0\.113\.7.*IP whitelist/s);
      return true;
    });
    s.emulator.failNext('/cgi-bin/getcallbackip', 48001);
    await assert.rejects(s.credentials.account.get('/cgi-bin/getcallbackip'), (error: unknown) => {
      assert.ok(error instanceof AppError);
      assert.equal(error.status, 403);
      assert.match(error.details.hint ?? '', /not authorized for this account/);
      return true;
    });
  });

  it('uploads a file with form fields as multipart', async () => {
    const s = await setup();
    const answer = await s.credentials.account.upload<{ fields: Record<string, string>; media: Record<string, unknown> }>(
      '/cgi-bin/test/upload',
      { field: 'media', filename: 'photo.jpg', contentType: 'image/jpeg', bytes: JPEG },
      { description: '{"title":"t"}' },
    );
    assert.deepEqual(answer.fields, { description: '{"title":"t"}' });
    assert.deepEqual(answer.media, { name: 'photo.jpg', type: 'image/jpeg', size: JPEG.length, bytes: JPEG.toString('hex') });
  });

  it('downloads a body that is not JSON with its content type, and on the mp host', async () => {
    const s = await setup();
    const file = await s.credentials.account.download('/cgi-bin/test/download');
    assert.equal(file.contentType, 'image/jpeg');
    assert.deepEqual(file.bytes, JPEG);
    const qr = await s.credentials.account.download('/cgi-bin/showqrcode', { host: 'mp' });
    assert.deepEqual(qr.bytes, JPEG);
    // A JSON error from a download endpoint is still an error.
    s.emulator.failNext('/cgi-bin/test/download', 45009);
    await assert.rejects(s.credentials.account.download('/cgi-bin/test/download'), (error: unknown) => error instanceof WeChatError && error.kind === 'quota');
  });

  it('never logs the token it adds', async () => {
    const s = await setup();
    await s.credentials.account.get('/cgi-bin/getcallbackip');
    const token = await storedToken(s);
    assert.ok(s.logs.length > 0);
    for (const line of s.logs) assert.ok(!line.includes(token));
  });
});
