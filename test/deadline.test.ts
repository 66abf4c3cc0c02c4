/**
 * One deadline per request, from its arrival: waiting for a pooled connection to WeChat,
 * WeChat's headers and a body that trickles in all count against it, and the answer is a 504
 * in the envelope. A caller that leaves ends the WeChat calls made for it, queued ones included,
 * except a code exchange already on its way, whose result the same caller gets on its retry.
 */
import assert from 'node:assert/strict';
import { EventEmitter, once } from 'node:events';
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { after, describe, it } from 'node:test';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/log.js';
import { startFunction, type RunningFunction } from '../src/server.js';
import { TEST_APP_ID, TEST_APP_SECRET } from './support/stack.js';

/** More concurrent calls than the function keeps connections to WeChat (128): some must queue. */
const CONCURRENT = 200;

type Behaviour = (req: IncomingMessage, res: ServerResponse) => void;

/** A WeChat stand-in whose answer the test decides per path, counting what reaches it. */
async function fakeWeChat(behaviours: Record<string, Behaviour>) {
  const seen = new EventEmitter();
  const counts: Record<string, number> = {};
  const open = new Set<ServerResponse>();
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    counts[path] = (counts[path] ?? 0) + 1;
    open.add(res);
    res.once('close', () => {
      open.delete(res);
      seen.emit('closed', path);
    });
    seen.emit('request', path, req, res);
    (behaviours[path] ?? ((_q, r) => r.end('{}')))(req, res);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    counts,
    open,
    async close() {
      for (const res of open) res.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

const hang: Behaviour = () => undefined;

/** Headers at once, then one byte of a body that never ends, again and again. */
const trickle: Behaviour = (_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000000' });
  const timer = setInterval(() => res.write(' '), 20);
  res.once('close', () => clearInterval(timer));
};

async function startAgainst(upstreamUrl: string, timeoutMs: number): Promise<RunningFunction> {
  const config = loadConfig({
    appId: TEST_APP_ID,
    appSecret: TEST_APP_SECRET,
    WECHAT_API_BASE_URL: upstreamUrl,
    WECHAT_OPEN_BASE_URL: upstreamUrl,
    PORT: '0',
    HOST: '127.0.0.1',
    AUTH_MODE: 'none',
    RATE_LIMIT_PER_MINUTE: '0',
    WECHAT_TIMEOUT_MS: String(timeoutMs),
  });
  const logger = createLogger({ level: 'warn', destination: new Writable({ write: (_c, _e, done) => done() }) });
  return startFunction({ config, logger });
}

const post = (fn: RunningFunction, path: string, body: unknown) =>
  fetch(fn.url + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then(async (response) => ({
    status: response.status,
    body: (await response.json()) as { code: number; msg: string; data: unknown },
  }));

/** A call whose caller hangs up when told to. */
function leavingCall(fn: RunningFunction, path: string, body: unknown) {
  const req = request(fn.url + path, { method: 'POST', headers: { 'content-type': 'application/json' }, agent: false });
  req.on('error', () => undefined);
  req.end(JSON.stringify(body));
  return { leave: () => req.destroy() };
}

const cleanups: Array<() => Promise<void>> = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

describe('the request deadline', () => {
  it('answers every one of many concurrent calls 504 in the envelope while WeChat hangs', async () => {
    const wechat = await fakeWeChat({ '/sns/oauth2/refresh_token': hang });
    const fn = await startAgainst(wechat.url, 500);
    cleanups.push(() => wechat.close(), () => fn.close());
    const results = await Promise.all(Array.from({ length: CONCURRENT }, () => post(fn, '/oauth/refresh', { refresh_token: 'r' })));
    for (const result of results) {
      assert.equal(result.status, 504);
      assert.equal(result.body.code, -1);
      assert.match(result.body.msg, /did not answer .*within 500 ms/);
    }
  });

  it('holds against a WeChat that trickles a body forever, queued calls included', async () => {
    // Every pooled connection ends up on a body that never completes: only a deadline counted
    // from arrival ends these calls, and the queued ones never get a connection at all.
    const wechat = await fakeWeChat({ '/sns/oauth2/refresh_token': trickle });
    const fn = await startAgainst(wechat.url, 500);
    cleanups.push(() => wechat.close(), () => fn.close());
    const results = await Promise.all(Array.from({ length: CONCURRENT }, () => post(fn, '/oauth/refresh', { refresh_token: 'r' })));
    assert.deepEqual(new Set(results.map((result) => result.status)), new Set([504]));
    // The calls were cut, not left to trickle on.
    while (wechat.open.size > 0) await once(wechat.seen, 'closed');
  });
});

describe('a caller that leaves', () => {
  it('ends the WeChat calls made for it, long before their deadline', { timeout: 30_000 }, async () => {
    const wechat = await fakeWeChat({ '/sns/oauth2/refresh_token': hang, '/sns/auth': (_req, res) => res.end('{"errcode":0,"errmsg":"ok"}') });
    // A deadline far away: only the callers leaving can end these calls.
    const fn = await startAgainst(wechat.url, 60_000);
    cleanups.push(() => wechat.close(), () => fn.close());
    const poolFull = new Promise<void>((resolve) => {
      wechat.seen.on('request', () => {
        if (wechat.counts['/sns/oauth2/refresh_token'] === 128) resolve();
      });
    });
    // More than the pool holds: the rest wait for a connection, and get one as the first are cut.
    const calls = Array.from({ length: CONCURRENT }, () => leavingCall(fn, '/oauth/refresh', { refresh_token: 'r' }));
    await poolFull;
    for (const call of calls) call.leave();
    while (wechat.open.size > 0) await once(wechat.seen, 'closed');
    // The pool serves others again, and no call of a caller that left is still held open at WeChat.
    const later = await post(fn, '/oauth/verify', { access_token: 'a', openid: 'o' });
    assert.equal(later.status, 200);
    while (wechat.open.size > 0) await once(wechat.seen, 'closed');
  });

  it('does not end a code exchange already sent: the same caller gets its result on the retry', async () => {
    const token = { openid: 'o-leaver', access_token: 'at', refresh_token: 'rt', expires_in: 7200, scope: 'snsapi_base' };
    const held: ServerResponse[] = [];
    const wechat = await fakeWeChat({ '/sns/oauth2/access_token': (_req, res) => held.push(res) });
    const fn = await startAgainst(wechat.url, 60_000);
    cleanups.push(() => wechat.close(), () => fn.close());
    const sent = once(wechat.seen, 'request');
    const call = leavingCall(fn, '/oauth/token', { code: 'c-leaver' });
    await sent;
    call.leave();
    // Give the function the chance to (wrongly) cut the exchange before WeChat answers it.
    const retry = post(fn, '/oauth/token', { code: 'c-leaver' });
    held[0].end(JSON.stringify(token));
    const result = await retry;
    assert.equal(result.status, 200);
    assert.deepEqual(result.body.data, token);
    assert.equal(wechat.counts['/sns/oauth2/access_token'], 1, 'WeChat saw the code once');
  });
});
