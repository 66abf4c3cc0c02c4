/**
 * The message server built from the configuration: off without a server token; rules, the
 * webhook and the stream (on the real Redis) switched on by their settings.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { ManualClock } from '../src/clock.js';
import { loadConfig } from '../src/config.js';
import { silentLogger } from '../src/log.js';
import { MemoryStore } from '../src/store/memory.js';
import { createMessageServer } from '../src/apis/callback/setup.js';
import { parseRules } from '../src/apis/callback/rules.js';
import { MESSAGES } from './support/callback-messages.js';
import { randomAppId, randomSecret, REDIS_URL } from './support/random-account.js';
import { json, startWebhookServer } from './support/webhook-server.js';
import { push, readReply } from './support/wechat-push.js';

const T = 1_780_272_000;
const AES_KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';

describe('message server from the configuration', () => {
  const redis = new Redis(REDIS_URL);
  const clock = new ManualClock(T * 1000);
  const deps = { store: new MemoryStore(clock), clock, logger: silentLogger, redis };
  const keys: string[] = [];
  after(async () => {
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  });

  it('is off without a server token', () => {
    assert.equal(createMessageServer(loadConfig({ appId: randomAppId(), appSecret: randomSecret() }), deps), undefined);
  });

  it('answers by the rules, delivers to the webhook and appends to the named stream', async () => {
    const webhook = await startWebhookServer();
    webhook.answer = json({});
    const appId = randomAppId();
    const stream = `oa:{${appId}}:inbox`;
    keys.push(stream);
    const config = loadConfig({
      appId,
      appSecret: randomSecret(),
      SERVER_TOKEN: 'pamtest',
      ENCODING_AES_KEY: AES_KEY,
      MESSAGE_RULES: JSON.stringify({ keywords: [{ match: 'hello', reply: { type: 'text', content: 'configured reply' } }] }),
      MESSAGE_WEBHOOK_URL: webhook.url,
      MESSAGE_WEBHOOK_SECRET: 'webhook-secret-0123456789',
      MESSAGE_STREAM: stream,
    }, { parseRules });
    const server = createMessageServer(config, deps)!;
    const account = { appId, token: 'pamtest', encodingAESKey: AES_KEY };
    const response = await server.handler.handle(push(account, MESSAGES[0].xml(T), 'safe', T));
    assert.equal(readReply(account, response.body, true).Content, 'configured reply');
    assert.equal(webhook.received.length, 1);
    assert.equal(await redis.xlen(stream), 1);
    await server.close();
    await webhook.close();
  });
});
