/**
 * The message stream on the real Redis: a worker's consumer group reads every appended push,
 * and the stream stays bounded.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { toMessage } from '../src/apis/callback/messages.js';
import { defaultStreamKey, MessageStream } from '../src/apis/callback/stream.js';
import { parseXml } from '../src/apis/callback/xml.js';
import { EVENTS, MESSAGES } from './support/callback-messages.js';
import { randomAppId, REDIS_URL } from './support/random-account.js';

describe('message stream', () => {
  const redis = new Redis(REDIS_URL);
  const keys: string[] = [];
  after(async () => {
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  });

  it('is read by a consumer group, in order, with WeChat\'s field names', async () => {
    const key = defaultStreamKey(randomAppId());
    keys.push(key);
    assert.match(key, /^oa:\{wx[0-9a-f]{16}\}:messages$/);
    await redis.xgroup('CREATE', key, 'workers', '$', 'MKSTREAM');
    const stream = new MessageStream({ client: redis, key });
    const pushes = [MESSAGES[0], EVENTS[1], MESSAGES[6]].map((fixture) => fixture.xml(1_780_272_000));
    for (const [index, xml] of pushes.entries()) await stream.append(toMessage(parseXml(xml)), xml, `req-${index}`);

    const read = (await redis.xreadgroup('GROUP', 'workers', 'worker-1', 'COUNT', 10, 'STREAMS', key, '>')) as Array<[string, Array<[string, string[]]>]>;
    const entries = read[0][1].map(([id, fields]) => ({ id, fields: Object.fromEntries(fields.reduce<string[][]>((pairs, value, i) => (i % 2 ? pairs : [...pairs, [value, fields[i + 1]]]), [])) }));
    assert.deepEqual(entries.map((entry) => JSON.parse(entry.fields.message).MsgType), ['text', 'event', 'location']);
    assert.equal(JSON.parse(entries[1].fields.message).EventKey, 'qrscene_123123');
    assert.deepEqual(entries.map((entry) => entry.fields.xml), pushes);
    assert.deepEqual(entries.map((entry) => entry.fields.requestId), ['req-0', 'req-1', 'req-2']);
    assert.equal(await redis.xack(key, 'workers', ...entries.map((entry) => entry.id)), 3);
  });

  it('stays bounded near its maximum length', async () => {
    const key = defaultStreamKey(randomAppId());
    keys.push(key);
    const stream = new MessageStream({ client: redis, key, maxLength: 10 });
    const xml = MESSAGES[0].xml(1_780_272_000);
    const message = toMessage(parseXml(xml));
    for (let i = 0; i < 300; i += 1) await stream.append(message, xml);
    // Approximate trimming removes whole nodes of at most 100 entries (Redis' default).
    assert.ok((await redis.xlen(key)) <= 110, String(await redis.xlen(key)));
  });
});
