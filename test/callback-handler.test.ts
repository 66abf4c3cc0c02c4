/**
 * The message server end to end, short of HTTP: URL verification, the three modes, refusals
 * (signatures, replays, another account's ciphertext, hostile XML), every message type and
 * event through rules, a real webhook and the stream on the real Redis, retries during and after
 * handling, in one instance and across two sharing Redis, and the 4.5-second budget.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { ManualClock } from '../src/clock.js';
import { createLogger } from '../src/log.js';
import { MemoryStore } from '../src/store/memory.js';
import { RedisStore } from '../src/store/redis.js';
import { signature } from '../src/apis/callback/crypto.js';
import { createCallbackHandler, type CallbackOptions, type CallbackResponse } from '../src/apis/callback/handler.js';
import { toMessage } from '../src/apis/callback/messages.js';
import { parseRules } from '../src/apis/callback/rules.js';
import { parseXml } from '../src/apis/callback/xml.js';
import { defaultStreamKey, MessageStream } from '../src/apis/callback/stream.js';
import { MessageWebhook } from '../src/apis/callback/webhook.js';
import { ACCOUNT, EVENTS, MESSAGES, USER } from './support/callback-messages.js';
import { randomAppId, REDIS_URL } from './support/random-account.js';
import { json, startWebhookServer, type WebhookServer } from './support/webhook-server.js';
import { push, readReply, type PushAccount, type PushMode } from './support/wechat-push.js';
import { logLines } from './support/log-lines.js';

const T = 1_780_272_000;
const server: WebhookServer = await startWebhookServer();
const RULES = parseRules(
  JSON.stringify({
    subscribe: { type: 'text', content: 'welcome' },
    keywords: [{ match: 'hello', reply: { type: 'text', content: 'hi there' } }],
    click: { V1001_TODAY_MUSIC: { type: 'text', content: 'music menu' } },
    scan: { '123123': { type: 'text', content: 'welcome from scene 123123' } },
    default: { type: 'text', content: 'default reply' },
  }),
);

function newAccount(): PushAccount {
  return { appId: randomAppId(), token: `tok${randomBytes(8).toString('hex')}`, encodingAESKey: randomBytes(32).toString('base64').replace(/[^A-Za-z0-9]/g, 'x').slice(0, 43) };
}

function collectingLogger() {
  const { lines, destination } = logLines();
  return { lines, logger: createLogger({ level: 'debug', destination }) };
}

const deferred = () => {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
};

/** Holds every webhook call until the test releases it; each held call then answers with `reply`. */
function holdWebhook(server: WebhookServer, reply: unknown) {
  const held: Array<() => void> = [];
  const arrived = deferred();
  server.answer = (res) => {
    held.push(() => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ reply })));
    arrived.resolve();
  };
  return { arrived: arrived.promise, release: () => held.splice(0).forEach((answer) => answer()) };
}

const textOf = (response: CallbackResponse, account: PushAccount, encrypted = false) => readReply(account, response.body, encrypted).Content;

describe('message server', () => {
  const clock = new ManualClock(T * 1000);
  const redis = new Redis(REDIS_URL);
  const streamKeys: string[] = [];
  const stores: RedisStore[] = [];
  after(async () => {
    await server.close();
    const keys = [...streamKeys];
    for (const key of streamKeys) keys.push(...(await redis.keys(key.replace(':messages', ':callback:*'))));
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
    await Promise.all(stores.map((store) => store.close()));
  });

  function instance(account: PushAccount, overrides: Partial<CallbackOptions> = {}) {
    const { lines, logger } = collectingLogger();
    const webhook = new MessageWebhook({ url: server.url, secret: 'webhook-secret-0123456789', clock, timeoutMs: 4000 });
    const key = defaultStreamKey(account.appId);
    streamKeys.push(key);
    const handler = createCallbackHandler({
      appId: account.appId,
      serverToken: account.token,
      encodingAESKey: account.encodingAESKey,
      clock,
      logger,
      store: new MemoryStore(clock),
      rules: RULES,
      webhook,
      stream: new MessageStream({ client: redis, key }),
      ...overrides,
    });
    return { handler, lines, streamKey: key };
  }

  describe('URL verification (GET)', () => {
    const account = newAccount();
    const { handler } = instance(account);
    const query = (sig: string) => ({ signature: sig, timestamp: String(T), nonce: '12345', echostr: '7391836381048217' });

    it('echoes echostr as plain text when the signature is right', async () => {
      const response = await handler.handle({ method: 'GET', query: query(signature(account.token, String(T), '12345')) });
      assert.deepEqual(response, { status: 200, contentType: 'text/plain; charset=utf-8', body: '7391836381048217' });
    });

    it('answers 401 with no detail otherwise', async () => {
      for (const q of [query('0'.repeat(40)), query(signature('other-token', String(T), '12345')), { echostr: 'x' }, { ...query(signature(account.token, String(T), '12345')), echostr: undefined }]) {
        assert.deepEqual(await handler.handle({ method: 'GET', query: q }), { status: 401, contentType: 'application/json; charset=utf-8', body: '{"code":-1,"msg":"Unauthorized"}' });
      }
    });
  });

  describe('every message type and event', () => {
    for (const mode of ['plaintext', 'compatible', 'safe'] as PushMode[]) {
      it(`is handled in ${mode} mode: the webhook and the stream receive each one, and rules answer in the same mode`, async () => {
        const account = newAccount();
        const { handler, streamKey } = instance(account);
        server.answer = json({});
        const before = server.received.length;
        const fixtures = [...MESSAGES, ...EVENTS];
        const replies: Record<string, unknown> = {};
        for (const [index, fixture] of fixtures.entries()) {
          const response = await handler.handle(push(account, fixture.xml(T - index, String(1000 + index)), mode, T));
          assert.equal(response.status, 200, fixture.name);
          replies[fixture.name] = response.body === 'success' ? 'success' : textOf(response, account, mode !== 'plaintext');
        }
        assert.equal(server.received.length - before, fixtures.length, 'the webhook received every push');
        const delivered = server.received.slice(before).map((r) => JSON.parse(r.body).message);
        const kinds = (m: { Event?: string; MsgType: string }) => m.Event ?? m.MsgType;
        assert.deepEqual(delivered.map(kinds), fixtures.map((f) => kinds(toMessage(parseXml(f.xml(T))) as { Event?: string; MsgType: string })));
        assert.equal(await redis.xlen(streamKey), fixtures.length, 'the stream received every push');
        assert.equal(replies.text, 'hi there');
        assert.equal(replies.image, 'default reply');
        assert.equal(replies.subscribe, 'welcome');
        assert.equal(replies['subscribe through a QR code'], 'welcome from scene 123123');
        assert.equal(replies.CLICK, 'music menu');
        assert.equal(replies.SCAN, 'welcome from scene 123123');
        for (const name of ['unsubscribe', 'VIEW', 'LOCATION', 'TEMPLATESENDJOBFINISH', 'MASSSENDJOBFINISH', 'PUBLISHJOBFINISH', 'kf_create_session (unknown to this version)']) {
          assert.equal(replies[name], 'success', name);
        }
      });
    }

    it('addresses the reply to the sender, from the account', async () => {
      const account = newAccount();
      const { handler } = instance(account);
      const reply = readReply(account, (await handler.handle(push(account, MESSAGES[0].xml(T, '77'), 'safe', T))).body, true);
      assert.equal(reply.ToUserName, USER);
      assert.equal(reply.FromUserName, ACCOUNT);
      assert.equal(reply.CreateTime, String(T));
    });
  });

  describe('refusals', () => {
    const account = newAccount();
    const { handler, lines } = instance(account);
    const xml = MESSAGES[0].xml(T, '501');

    it('refuses a bad signature or msg_signature with 401 and no detail', async () => {
      const plain = push(account, xml, 'plaintext', T);
      const tampered = { ...plain, query: { ...plain.query, signature: signature('wrong', String(T), plain.query.nonce!) } };
      const safe = push(account, xml, 'safe', T);
      const badMsgSignature = { ...safe, query: { ...safe.query, msg_signature: 'f'.repeat(40) } };
      const swappedBody = { ...safe, body: push(account, MESSAGES[0].xml(T, '502'), 'safe', T).body };
      for (const request of [tampered, badMsgSignature, swappedBody, { ...plain, query: {} }]) {
        const response = await handler.handle(request);
        assert.equal(response.status, 401);
        assert.equal(response.body, '{"code":-1,"msg":"Unauthorized"}');
      }
    });

    it('refuses a timestamp more than 5 minutes from the clock, either way', async () => {
      assert.equal((await handler.handle(push(account, xml, 'plaintext', T - 301))).status, 401);
      assert.equal((await handler.handle(push(account, xml, 'plaintext', T + 301))).status, 401);
      assert.equal((await handler.handle(push(account, MESSAGES[0].xml(T, '503'), 'plaintext', T - 299))).status, 200);
      assert.ok(lines.some((line) => line.includes('"reason":"stale_timestamp"')));
    });

    it('refuses a ciphertext made for another AppID', async () => {
      const response = await handler.handle(push(account, xml, 'safe', T, randomAppId()));
      assert.equal(response.status, 401);
      assert.equal(response.body, '{"code":-1,"msg":"Unauthorized"}');
      assert.ok(lines.some((line) => line.includes('"reason":"appid_mismatch"')));
    });

    it('refuses hostile and malformed XML with 400 or 413 in its own words', async () => {
      const billionLaughs = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "${'&lol;'.repeat(10)}"><!ENTITY lol2 "${'&lol1;'.repeat(10)}">]><xml><ToUserName>a</ToUserName><FromUserName>b</FromUserName><CreateTime>${T}</CreateTime><MsgType>text</MsgType><Content>&lol2;</Content><MsgId>1</MsgId></xml>`;
      const xxe = '<!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><xml><Content>&xxe;</Content></xml>';
      const cases: Array<[string, number]> = [
        [billionLaughs, 400],
        [xxe, 400],
        ['<xml><ToUserName>a</ToUserName>', 400],
        ['not xml at all', 400],
        [`<xml><Content>${'a'.repeat(70_000)}</Content></xml>`, 413],
        ['<xml><ToUserName>a</ToUserName><MsgType>text</MsgType></xml>', 400],
      ];
      for (const [body, status] of cases) {
        const response = await handler.handle(push(account, body, 'plaintext', T));
        assert.equal(response.status, status, body.slice(0, 30));
        const parsed = JSON.parse(response.body);
        assert.equal(parsed.code, -1);
        assert.doesNotMatch(parsed.msg, /line|col|passwd|lol/);
      }
      const safeXxe = await handler.handle(push(account, xxe, 'safe', T));
      assert.equal(safeXxe.status, 400, 'hostile XML inside the ciphertext too');
    });

    it('refuses JSON bodies, other methods, and safe mode without an EncodingAESKey', async () => {
      assert.equal((await handler.handle({ ...push(account, xml, 'plaintext', T), contentType: 'application/json' })).status, 415);
      assert.equal((await handler.handle({ ...push(account, xml, 'plaintext', T), method: 'PUT' })).status, 405);
      const { handler: noKey } = instance(account, { encodingAESKey: undefined });
      assert.equal((await noKey.handle(push(account, xml, 'safe', T))).status, 500);
    });

    it('keeps the server token, the EncodingAESKey and message contents out of the log', () => {
      const log = lines.join('\n');
      assert.ok(lines.length > 0);
      for (const secret of [account.token, account.encodingAESKey, 'hello', USER]) assert.ok(!log.includes(secret), secret);
    });
  });

  describe('the webhook\'s reply', () => {
    it('is taken when no rule but default matched, and never overrides another rule', async () => {
      const account = newAccount();
      const { handler } = instance(account);
      server.answer = json({ reply: { type: 'text', content: 'from the webhook' } });
      const other = MESSAGES[0].xml(T, '601').replace('hello', 'something else');
      assert.equal(textOf(await handler.handle(push(account, other, 'plaintext', T)), account), 'from the webhook');
      assert.equal(textOf(await handler.handle(push(account, MESSAGES[0].xml(T, '602'), 'plaintext', T)), account), 'hi there');
      server.answer = (res) => res.writeHead(502).end('bad gateway');
      assert.equal(textOf(await handler.handle(push(account, MESSAGES[0].xml(T, '603').replace('hello', 'x'), 'plaintext', T)), account), 'default reply');
    });

    it('does not break the acknowledgement when the webhook is down or answers garbage', async () => {
      const account = newAccount();
      const down = new MessageWebhook({ url: 'http://127.0.0.1:1/hook', clock });
      const { handler, lines } = instance(account, { rules: undefined, webhook: down });
      assert.deepEqual(await handler.handle(push(account, MESSAGES[2].xml(T, '604'), 'safe', T)), { status: 200, contentType: 'text/plain; charset=utf-8', body: 'success' });
      assert.ok(lines.some((line) => line.includes('"reason":"unreachable"')));
      server.answer = (res) => res.writeHead(200).end('{not json');
      const { handler: garbage } = instance(account, { rules: undefined });
      assert.equal((await garbage.handle(push(account, MESSAGES[2].xml(T, '605'), 'safe', T))).body, 'success');
    });
  });

  describe('retries', () => {
    it('answers a retry during handling and one after it with the same reply, handling once', async () => {
      const account = newAccount();
      const { handler, streamKey } = instance(account, { rules: undefined });
      const before = server.received.length;
      const webhook = holdWebhook(server, { type: 'text', content: 'slow reply' });
      const xml = MESSAGES[0].xml(T, '701');
      const first = handler.handle(push(account, xml, 'safe', T));
      await webhook.arrived;
      const retry = handler.handle(push(account, xml, 'safe', T));
      webhook.release();
      assert.equal(textOf(await first, account, true), 'slow reply');
      assert.equal(textOf(await retry, account, true), 'slow reply');
      assert.equal(textOf(await handler.handle(push(account, xml, 'safe', T)), account, true), 'slow reply');
      assert.equal(server.received.length - before, 1, 'the webhook saw the push once');
      assert.equal(await redis.xlen(streamKey), 1, 'the stream has it once');
    });

    it('handles once when two instances sharing Redis receive the same push', async () => {
      const account = newAccount();
      const [storeA, storeB] = [new RedisStore(REDIS_URL), new RedisStore(REDIS_URL)];
      stores.push(storeA, storeB);
      assert.ok((await storeA.connect()) && (await storeB.connect()));
      const a = instance(account, { rules: undefined, store: storeA });
      const b = instance(account, { rules: undefined, store: storeB });
      const before = server.received.length;
      const webhook = holdWebhook(server, { type: 'text', content: 'shared reply' });
      const xml = EVENTS.find((f) => f.name === 'CLICK')!.xml(T);
      const first = a.handler.handle(push(account, xml, 'plaintext', T));
      await webhook.arrived;
      const retry = b.handler.handle(push(account, xml, 'plaintext', T));
      webhook.release();
      assert.equal(textOf(await first, account), 'shared reply');
      assert.equal(textOf(await retry, account), 'shared reply');
      assert.equal(server.received.length - before, 1);
      assert.equal(await redis.xlen(a.streamKey), 1);
    });

    it('acknowledges with success when the budget is spent, finishes in the background, and gives a later retry the reply', async () => {
      const account = newAccount();
      const { handler, streamKey, lines } = instance(account, { rules: undefined, budgetMs: 50 });
      const webhook = holdWebhook(server, { type: 'text', content: 'after the budget' });
      const xml = MESSAGES[0].xml(T, '801');
      const response = await handler.handle(push(account, xml, 'plaintext', T));
      assert.deepEqual(response, { status: 200, contentType: 'text/plain; charset=utf-8', body: 'success' });
      assert.ok(lines.some((line) => line.includes('budget spent')));
      await webhook.arrived;
      webhook.release();
      await handler.settled();
      assert.equal(await redis.xlen(streamKey), 1);
      assert.equal(textOf(await handler.handle(push(account, xml, 'plaintext', T)), account), 'after the budget');
    });
  });

  describe('the stream', () => {
    it('logs a push it could not append, with the request id, and still answers', async () => {
      const account = newAccount();
      const broken = new Redis({ port: 1, lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0 });
      broken.on('error', () => {});
      const { handler, lines } = instance(account, { stream: new MessageStream({ client: broken, key: 'unused' }), webhook: undefined });
      const response = await handler.handle({ ...push(account, MESSAGES[0].xml(T, '901'), 'plaintext', T), requestId: 'req-stream-down' });
      assert.equal(textOf(response, account), 'hi there');
      assert.ok(lines.some((line) => line.includes('not appended to the stream') && line.includes('req-stream-down')));
      assert.ok(lines.some((line) => line.includes('neither')));
      broken.disconnect();
    });
  });
});
