/**
 * The simulated phone against the real function's /callback: each action pushed as WeChat pushes
 * it (safe mode, signature), the passive reply in the follower's chat, the customer-service
 * window opened, follows marked; three tries with the same MsgId when the server does not answer.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { MessageCipher, signature } from '../src/apis/callback/crypto.js';
import { parseXml } from '../src/apis/callback/xml.js';
import { DEV_MESSAGE_RULES } from '../src/dev/message-rules.js';
import { Phone } from '../src/emulator/phone.js';
import type { MenuEmulatorPart } from '../src/apis/menu/emulator.js';
import type { QrcodeEmulatorPart } from '../src/apis/qrcode/emulator.js';
import { startStack, TEST_APP_ID, type Stack } from './support/stack.js';

const token = `tok${randomBytes(8).toString('hex')}`;
const encodingAESKey = randomBytes(32).toString('base64').replace(/[^A-Za-z0-9]/g, 'x').slice(0, 43);

describe('the phone pushing to the function', () => {
  let stack: Stack;
  const control = async (path: string, body: unknown) => {
    const response = await fetch(`${stack.emulatorUrl}/__emulator/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: response.status, body: (await response.json()) as any };
  };

  before(async () => {
    stack = await startStack({ env: { serverToken: token, encodingAESKey, MESSAGE_RULES: JSON.stringify(DEV_MESSAGE_RULES) } });
    const configured = await control('server', { appid: TEST_APP_ID, url: `${stack.fn.url}/callback`, token, encodingAESKey });
    assert.equal(configured.status, 200);
  });
  after(() => stack.close());

  test('a scan when not following is a follow with the scene: the welcome arrives in the chat and the window opens', async () => {
    const code = stack.emulator.part<QrcodeEmulatorPart>('qrcode')!.qrcodes.create(TEST_APP_ID, 'QR_STR_SCENE', { scene_str: 'demo' }, 600);
    assert.ok(typeof code === 'object');
    const { ticket } = code;
    const result = await control('phone/scan', { appid: TEST_APP_ID, user: 'carol', ticket });
    assert.equal(result.status, 200);
    assert.equal(result.body.pushed, true);
    assert.equal(result.body.tries, 1);
    assert.deepEqual(result.body.reply, { msgtype: 'text', text: { content: DEV_MESSAGE_RULES.scan.demo.content } });
    const openid = result.body.openid;
    const follower = stack.emulator.audience.get(TEST_APP_ID, openid)!;
    assert.equal(follower.subscribed, true);
    assert.equal(follower.qrSceneStr, 'demo');
    assert.equal(follower.scene, 'ADD_SCENE_QR_CODE');
    const chat = stack.emulator.audience.sent(TEST_APP_ID, openid);
    assert.deepEqual(chat.map((sent) => [sent.via, (sent.message.text as { content: string }).content]), [['passive', DEV_MESSAGE_RULES.scan.demo.content]]);
    assert.deepEqual(stack.emulator.audience.takeKefuSend(TEST_APP_ID, openid), { ok: true });

    // Following already: the same code is a SCAN, answered by the scan rule.
    const again = await control('phone/scan', { appid: TEST_APP_ID, user: 'carol', ticket });
    assert.equal(again.body.reply.text.content, DEV_MESSAGE_RULES.scan.demo.content);
  });

  test('text, image, location and a menu tap reach the server; replies land in the chat', async () => {
    const { openid } = await stack.emulator.phone.follow(TEST_APP_ID, 'dave');
    const welcome = stack.emulator.audience.sent(TEST_APP_ID, openid);
    assert.equal((welcome.at(-1)!.message.text as { content: string }).content, DEV_MESSAGE_RULES.subscribe.content);

    const hello = await stack.emulator.phone.text(TEST_APP_ID, openid, 'hello');
    assert.equal((hello.reply!.text as { content: string }).content, DEV_MESSAGE_RULES.keywords[0].reply.content);
    assert.match(hello.msgId!, /^\d+$/);
    for (const result of [await stack.emulator.phone.image(TEST_APP_ID, openid, 'media-1'), await stack.emulator.phone.location(TEST_APP_ID, openid, { x: 23.1, y: 113.3, label: 'Guangzhou' })]) {
      assert.equal(result.pushed, true);
      assert.equal(result.status, 200);
      assert.equal(result.reply, undefined, 'no rule: the server answered success');
    }

    stack.emulator.part<MenuEmulatorPart>('menu')!.menus.setDefault(TEST_APP_ID, [{ name: 'More', sub_button: [{ type: 'click', name: 'Demo', key: 'DEMO_CLICK' }] }]);
    const tapped = await control('phone/tap', { appid: TEST_APP_ID, openid, top: 0, sub: 0 });
    assert.equal(tapped.body.reply.text.content, DEV_MESSAGE_RULES.click.DEMO_CLICK.content);
    const missing = await control('phone/tap', { appid: TEST_APP_ID, openid, top: 1 });
    assert.equal(missing.status, 400);
    const parent = await control('phone/tap', { appid: TEST_APP_ID, openid, top: 0 });
    assert.equal(parent.status, 400);
    assert.match(parent.body.error, /sub-menu/);

    const texts = stack.emulator.audience.sent(TEST_APP_ID, openid).map((sent) => (sent.message.text as { content: string }).content);
    assert.deepEqual(texts, [DEV_MESSAGE_RULES.subscribe.content, DEV_MESSAGE_RULES.keywords[0].reply.content, DEV_MESSAGE_RULES.click.DEMO_CLICK.content]);

    await control('phone/unfollow', { appid: TEST_APP_ID, openid });
    assert.equal(stack.emulator.audience.get(TEST_APP_ID, openid)!.subscribed, false);
    const refused = await control('phone/text', { appid: TEST_APP_ID, openid, content: 'still there?' });
    assert.equal(refused.status, 400);
    assert.match(refused.body.error, /follow/);
  });

  test('a follower whose tag matches a conditional menu sees that menu and taps its buttons', async () => {
    const menus = stack.emulator.part<MenuEmulatorPart>('menu')!.menus;
    menus.addConditional(TEST_APP_ID, [{ type: 'click', name: 'VIP', key: 'DEMO_CLICK' }], { tag_id: '101' });
    const plain = await stack.emulator.phone.follow(TEST_APP_ID, 'heidi');
    const tagged = await stack.emulator.phone.follow(TEST_APP_ID, 'ivan');
    stack.emulator.audience.get(TEST_APP_ID, tagged.openid)!.tagIds.push(101);
    const menuOf = async (openid: string) => ((await (await fetch(`${stack.emulatorUrl}/__emulator/phone/state?appid=${TEST_APP_ID}&openid=${openid}`)).json()) as any).menu;
    assert.equal((await menuOf(plain.openid))[0].name, 'More');
    assert.equal((await menuOf(tagged.openid))[0].name, 'VIP');
    // The same place is a different button for each: a sub-menu for one, the click for the other.
    assert.equal((await control('phone/tap', { appid: TEST_APP_ID, openid: plain.openid, top: 0 })).status, 400);
    const tapped = await control('phone/tap', { appid: TEST_APP_ID, openid: tagged.openid, top: 0 });
    assert.equal(tapped.body.reply.text.content, DEV_MESSAGE_RULES.click.DEMO_CLICK.content);
  });

  test('the state control shows the server, followers, menu and QR codes', async () => {
    const state = (await (await fetch(`${stack.emulatorUrl}/__emulator/phone/state?appid=${TEST_APP_ID}`)).json()) as any;
    assert.deepEqual(state.server, { url: `${stack.fn.url}/callback`, safeMode: true });
    assert.ok(state.followers.some((f: { name: string }) => f.name === 'carol'));
    assert.equal(state.menu[0].name, 'More');
    assert.equal(state.qrcodes[0].sceneStr, 'demo');
    assert.doesNotMatch(JSON.stringify(state), new RegExp(token), 'the token is not shown');
  });
});

describe('the phone when the server does not answer', () => {
  test('three tries, each signed and in safe mode, carrying the same MsgId; the third answer is taken', async () => {
    const stack = await startStack();
    const seen: Array<{ msgId: string; createTime: string }> = [];
    const held: ServerResponse[] = [];
    const server = createServer((req: IncomingMessage, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const query = new URL(req.url!, 'http://x').searchParams;
        const envelope = parseXml(Buffer.concat(chunks).toString('utf8'));
        assert.equal(query.get('msg_signature'), signature(token, query.get('timestamp')!, query.get('nonce')!, envelope.Encrypt as string));
        const inner = parseXml(new MessageCipher(encodingAESKey, TEST_APP_ID).decrypt(envelope.Encrypt as string));
        seen.push({ msgId: inner.MsgId as string, createTime: inner.CreateTime as string });
        if (seen.length < 3) held.push(res); // no answer: the phone gives up on it and tries again
        else res.end('success');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const phone = new Phone(stack.emulator.core, { menu: () => undefined, button: () => undefined, qrcode: () => undefined, qrcodes: () => [] }, 1000);
      phone.configure(TEST_APP_ID, { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/callback`, token, encodingAESKey });
      const { openid } = await phone.follow(TEST_APP_ID, 'erin');
      seen.length = 0;
      held.splice(0).forEach((res) => res.destroy());
      const result = await phone.text(TEST_APP_ID, openid, 'anyone?');
      assert.equal(result.tries, 3);
      assert.equal(result.status, 200);
      assert.equal(seen.length, 3);
      assert.equal(new Set(seen.map((s) => s.msgId)).size, 1, 'the same MsgId on every try');
      assert.equal(seen[0].msgId, result.msgId);
      assert.equal(new Set(seen.map((s) => s.createTime)).size, 1);
    } finally {
      held.forEach((res) => res.destroy());
      server.closeAllConnections();
      server.close();
      await stack.close();
    }
  });

  test('a server that is down: three tries, the error reported, the follow still marked', async () => {
    const stack = await startStack();
    try {
      stack.emulator.phone.configure(TEST_APP_ID, { url: 'http://127.0.0.1:9/callback', token });
      const result = await stack.emulator.phone.follow(TEST_APP_ID, 'frank');
      assert.equal(result.tries, 3);
      assert.match(result.error!, /could not be reached/);
      assert.equal(stack.emulator.audience.get(TEST_APP_ID, result.openid)!.subscribed, true);
    } finally {
      await stack.close();
    }
  });
});
