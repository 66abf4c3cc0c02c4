/**
 * /callback over real HTTP: the function as WeChat reaches it (verification, each mode, refusals,
 * hostile XML), off without a server token, two instances sharing Redis receiving one retry, and
 * the stream receiving every message.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { signature } from '../src/apis/callback/crypto.js';
import { loadConfig, rulesParserFor } from '../src/config.js';
import { announce } from '../src/lifecycle.js';
import { ManualClock } from '../src/clock.js';
import { createLogger } from '../src/log.js';
import { startFunction, type RunningFunction } from '../src/server.js';
import { ACCOUNT, USER } from './support/callback-messages.js';
import { logLines } from './support/log-lines.js';
import { randomAppId, randomSecret, REDIS_URL } from './support/random-account.js';
import { startStack, TEST_APP_ID, type Stack } from './support/stack.js';
import { push, readReply, type PushAccount, type PushMode } from './support/wechat-push.js';
import { json, startWebhookServer } from './support/webhook-server.js';

const aesKey = () => randomBytes(32).toString('base64').replace(/[^A-Za-z0-9]/g, 'x').slice(0, 43);
const RULES = JSON.stringify({ keywords: [{ match: 'hello', reply: { type: 'text', content: 'hi there' } }] });

const text = (content: string, createTime: number, msgId: string) =>
  `<xml><ToUserName><![CDATA[${ACCOUNT}]]></ToUserName><FromUserName><![CDATA[${USER}]]></FromUserName><CreateTime>${createTime}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[${content}]]></Content><MsgId>${msgId}</MsgId></xml>`;

/** A push sent over HTTP to a function's /callback (with a prefix when given). */
async function send(baseUrl: string, request: ReturnType<typeof push>, prefix = '') {
  const query = new URLSearchParams(request.query as Record<string, string>);
  const response = await fetch(`${baseUrl}${prefix}/callback?${query}`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: request.body });
  return { status: response.status, type: response.headers.get('content-type') ?? '', text: await response.text() };
}

describe('/callback on the function', () => {
  let stack: Stack;
  let account: PushAccount;
  const now = () => Math.floor(stack.clock.now() / 1000);
  let msgId = 1000;

  before(async () => {
    account = { appId: TEST_APP_ID, token: `tok${randomBytes(8).toString('hex')}`, encodingAESKey: aesKey() };
    stack = await startStack({ env: { serverToken: account.token, encodingAESKey: account.encodingAESKey, MESSAGE_RULES: RULES } });
  });
  after(() => stack.close());

  test('the start log says the message server is on, with its modes', () => {
    announce(stack.fn, stack.config);
    assert.ok(stack.logs.some((line) => /message server on at \/callback: plaintext, compatible and safe mode; rules/.test(line)));
  });

  test('GET answers echostr as text when the signature matches, 401 without detail otherwise', async () => {
    const timestamp = String(now());
    const good = new URLSearchParams({ signature: signature(account.token, timestamp, '42'), timestamp, nonce: '42', echostr: 'echo-7731' });
    for (const prefix of ['', '/my-fn', '/v1/functions/my-fn']) {
      const ok = await stack.raw(`${prefix}/callback?${good}`);
      assert.equal(ok.status, 200, prefix);
      assert.equal(ok.text, 'echo-7731');
      assert.match(ok.headers.get('content-type') ?? '', /^text\/plain/);
    }
    const bad = new URLSearchParams({ signature: 'f'.repeat(40), timestamp, nonce: '42', echostr: 'echo-7731' });
    const refused = await stack.raw(`/callback?${bad}`);
    assert.equal(refused.status, 401);
    assert.equal(refused.body.code, -1);
    assert.doesNotMatch(refused.text, /echo-7731|signature/i);
  });

  for (const mode of ['plaintext', 'compatible', 'safe'] as PushMode[]) {
    test(`${mode} mode: a keyword gets its reply as XML, in the mode it came in; other text gets success`, async () => {
      const hello = await send(stack.fn.url, push(account, text('hello', now(), String(++msgId)), mode, now()));
      assert.equal(hello.status, 200);
      assert.match(hello.type, /^application\/xml/);
      const reply = readReply(account, hello.text, mode !== 'plaintext');
      assert.equal(reply.MsgType, 'text');
      assert.equal(reply.Content, 'hi there');
      assert.equal(reply.ToUserName, USER);

      const other = await send(stack.fn.url, push(account, text('something else', now(), String(++msgId)), mode, now()), '/my-fn');
      assert.equal(other.status, 200);
      assert.equal(other.text, 'success');
    });
  }

  test('a bad signature, a stale timestamp and a wrong AppID inside the ciphertext are 401 with no detail', async () => {
    const forged = push({ ...account, token: 'not-the-token' }, text('hello', now(), String(++msgId)), 'plaintext', now());
    const stale = push(account, text('hello', now(), String(++msgId)), 'safe', now() - 301);
    const otherApp = push(account, text('hello', now(), String(++msgId)), 'safe', now(), randomAppId());
    for (const request of [forged, stale, otherApp]) {
      const answer = await send(stack.fn.url, request);
      assert.equal(answer.status, 401);
      assert.deepEqual(JSON.parse(answer.text).msg, 'Unauthorized');
    }
  });

  test('hostile and malformed XML through the real server: 400 or 413 in the envelope, nothing expanded', async () => {
    const laughs = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><xml><ToUserName>a</ToUserName><FromUserName>b</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType><Content>&lol2;</Content><MsgId>1</MsgId></xml>`;
    const xxe = `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><xml><ToUserName>a</ToUserName><FromUserName>b</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType><Content>&e;</Content><MsgId>2</MsgId></xml>`;
    for (const body of [laughs, xxe, '<xml><Content>unclosed', 'not xml at all']) {
      const answer = await send(stack.fn.url, { ...push(account, body, 'plaintext', now()), body });
      assert.equal(answer.status, 400, body.slice(0, 40));
      assert.equal(JSON.parse(answer.text).code, -1);
      assert.doesNotMatch(answer.text, /root:|lollol/);
    }
    const huge = `<xml><Content>${'a'.repeat(70 * 1024)}</Content></xml>`;
    const tooLarge = await send(stack.fn.url, { ...push(account, huge, 'plaintext', now()), body: huge });
    assert.equal(tooLarge.status, 413);
    assert.equal(JSON.parse(tooLarge.text).code, -1);
  });

  test('the route is public, listed in the API document for GET and POST', async () => {
    const doc = (await stack.raw('/openapi.json')).body;
    assert.ok(doc.paths['/callback'].get);
    assert.ok(doc.paths['/callback'].post);
    const put = await stack.raw('/callback', { method: 'PUT' });
    assert.equal(put.status, 405);
    assert.match(put.headers.get('allow') ?? '', /GET, POST/);
  });
});

describe('/callback without a server token', () => {
  test('answers 404 and the start log says the message server is off', async () => {
    const stack = await startStack();
    try {
      const answer = await stack.raw('/callback?signature=x&timestamp=1&nonce=1&echostr=e');
      assert.equal(answer.status, 404);
      assert.equal(answer.body.code, -1);
      const posted = await stack.raw('/callback', { method: 'POST', headers: { 'content-type': 'text/xml' }, body: '<xml/>' });
      assert.equal(posted.status, 404);
      announce(stack.fn, stack.config);
      assert.ok(stack.logs.some((line) => line.includes('message server off')), 'the start log says the message server is off');
    } finally {
      await stack.close();
    }
  });
});

describe('/callback on two instances sharing Redis', () => {
  const clock = new ManualClock(Date.UTC(2026, 10, 24, 4, 0, 0));
  const account: PushAccount = { appId: randomAppId(), token: `tok${randomBytes(8).toString('hex')}`, encodingAESKey: aesKey() };
  const streamKey = `test:{${account.appId}}:messages`;
  const redis = new Redis(REDIS_URL);
  const instances: RunningFunction[] = [];
  let webhook: Awaited<ReturnType<typeof startWebhookServer>>;
  const now = () => Math.floor(clock.now() / 1000);

  before(async () => {
    webhook = await startWebhookServer();
    const env = {
      appId: account.appId,
      appSecret: randomSecret(),
      PORT: '0',
      HOST: '127.0.0.1',
      AUTH_MODE: 'none',
      WECHAT_API_BASE_URL: 'http://127.0.0.1:9',
      REDIS_URL,
      serverToken: account.token,
      encodingAESKey: account.encodingAESKey,
      MESSAGE_WEBHOOK_URL: webhook.url,
      MESSAGE_WEBHOOK_SECRET: randomSecret(),
      MESSAGE_STREAM: streamKey,
    };
    for (let i = 0; i < 2; i++) {
      const config = loadConfig(env, { parseRules: await rulesParserFor(env) });
      instances.push(await startFunction({ config, clock, logger: createLogger({ level: 'info', destination: logLines().destination }) }));
    }
  });
  after(async () => {
    for (const instance of instances) await instance.close();
    await webhook.close();
    await redis.del(streamKey);
    redis.disconnect();
  });

  test('a retry reaching the other instance while the first is handled waits for it: one handling, the same reply', async () => {
    // The webhook holds the first delivery until the retry has arrived at the other instance.
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    webhook.answer = (response) => void released.then(() => json({ reply: { type: 'text', content: 'handled once' } })(response, { headers: {}, body: '' }));
    const xml = text('order 7', now(), '900001');
    const arrived = webhook.next();
    const first = send(instances[0].url, push(account, xml, 'safe', now()));
    await arrived;
    const retry = send(instances[1].url, push(account, xml, 'safe', now()));
    // Give the retry time to reach the shared lock before the first finishes.
    await new Promise((resolve) => setTimeout(resolve, 200));
    release();
    const answers = await Promise.all([first, retry]);
    assert.equal(webhook.received.length, 1, 'the webhook saw the message once');
    for (const answer of answers) {
      assert.equal(answer.status, 200);
      assert.equal(readReply(account, answer.text, true).Content, 'handled once');
    }
    const later = await send(instances[1].url, push(account, xml, 'safe', now()));
    assert.equal(readReply(account, later.text, true).Content, 'handled once', 'a retry after handling gets the same reply');
    assert.equal(webhook.received.length, 1);
  });

  test('the stream receives every message, once each, whichever instance it reached', async () => {
    webhook.answer = json({});
    const before = await redis.xlen(streamKey);
    const ids = Array.from({ length: 6 }, (_, i) => String(910000 + i));
    await Promise.all(ids.map((id, i) => send(instances[i % 2].url, push(account, text(`m${id}`, now(), id), i % 3 === 0 ? 'plaintext' : 'safe', now()))));
    // Each sent twice: the retries add nothing.
    await Promise.all(ids.map((id, i) => send(instances[(i + 1) % 2].url, push(account, text(`m${id}`, now(), id), 'safe', now()))));
    const entries = await redis.xrange(streamKey, '-', '+');
    assert.equal(entries.length - before, ids.length);
    const seen = entries.slice(before).map(([, fields]) => JSON.parse(fields[fields.indexOf('message') + 1]).MsgId).sort();
    assert.deepEqual(seen, ids);
  });
});
