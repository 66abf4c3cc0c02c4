/**
 * The webhook client against a real loopback server: signed deliveries, replies taken only when
 * valid, and a webhook that is slow, down or answers garbage reported, never thrown.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../src/clock.js';
import { toMessage } from '../src/apis/callback/messages.js';
import { MessageWebhook, SIGNATURE_HEADER, TIMESTAMP_HEADER, webhookSignature } from '../src/apis/callback/webhook.js';
import { parseXml } from '../src/apis/callback/xml.js';
import { MESSAGES } from './support/callback-messages.js';
import { freePort } from './support/ports.js';
import { json, startWebhookServer, type WebhookServer } from './support/webhook-server.js';

const SECRET = 'webhook-secret-0123456789';
const clock = new ManualClock(Date.UTC(2026, 5, 1));
const xml = MESSAGES[0].xml(1_780_272_000);
const message = toMessage(parseXml(xml));

describe('message webhook', () => {
  let server: WebhookServer;
  let webhook: MessageWebhook;
  before(async () => {
    server = await startWebhookServer();
    webhook = new MessageWebhook({ url: server.url, secret: SECRET, clock, timeoutMs: 10_000 });
  });
  after(async () => {
    await webhook.close();
    await server.close();
  });

  it('POSTs {message, xml} signed over the timestamp and body', async () => {
    server.answer = json({});
    assert.deepEqual(await webhook.deliver(message, xml, 'req-1'), { ok: true });
    const received = server.received.at(-1)!;
    assert.deepEqual(JSON.parse(received.body), { message, xml });
    assert.equal(JSON.parse(received.body).message.Content, 'hello');
    assert.equal(received.headers[TIMESTAMP_HEADER], String(Math.floor(clock.now() / 1000)));
    assert.equal(received.headers[SIGNATURE_HEADER], webhookSignature(SECRET, received.headers[TIMESTAMP_HEADER] as string, received.body));
    assert.notEqual(received.headers[SIGNATURE_HEADER], webhookSignature('another-secret-000000', received.headers[TIMESTAMP_HEADER] as string, received.body));
    assert.equal(received.headers['x-request-id'], 'req-1');
  });

  it('takes a valid {reply} as the reply', async () => {
    server.answer = json({ reply: { type: 'text', content: 'from the webhook' } });
    assert.deepEqual(await webhook.deliver(message, xml), { ok: true, reply: { type: 'text', content: 'from the webhook' } });
    server.answer = (res) => res.writeHead(204).end();
    assert.deepEqual(await webhook.deliver(message, xml), { ok: true });
  });

  it('reports garbage, an invalid reply and error statuses without a reply', async () => {
    server.answer = (res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>oops</html>');
    assert.deepEqual(await webhook.deliver(message, xml), { ok: false, reason: 'invalid_reply' });
    server.answer = json({ reply: { type: 'gif', url: 'x' } });
    assert.deepEqual(await webhook.deliver(message, xml), { ok: false, reason: 'invalid_reply' });
    server.answer = json(['reply']);
    assert.deepEqual(await webhook.deliver(message, xml), { ok: false, reason: 'invalid_reply' });
    server.answer = (res) => res.writeHead(200).end('x'.repeat(100_000));
    assert.deepEqual(await webhook.deliver(message, xml), { ok: false, reason: 'invalid_reply' });
    server.answer = json({ reply: { type: 'text', content: 'ignored' } }, 500);
    assert.deepEqual(await webhook.deliver(message, xml), { ok: false, reason: 'status', status: 500 });
  });

  it('gives up on a webhook that does not answer by the deadline', async () => {
    const held: Array<() => void> = [];
    server.answer = (res) => held.push(() => res.writeHead(200).end('{"reply":{"type":"text","content":"late"}}'));
    // The server answers only when released, so the short deadline passes first whatever the load.
    const impatient = new MessageWebhook({ url: server.url, secret: SECRET, clock, timeoutMs: 100 });
    assert.deepEqual(await impatient.deliver(message, xml), { ok: false, reason: 'timeout' });
    await impatient.close();
    held.forEach((release) => release());
  });

  it('reports a webhook that is down', async () => {
    const down = new MessageWebhook({ url: `http://127.0.0.1:${await freePort()}/hook`, secret: SECRET, clock, timeoutMs: 2000 });
    assert.deepEqual(await down.deliver(message, xml), { ok: false, reason: 'unreachable' });
    await down.close();
  });
});
