/**
 * /qrcode/create and /qrcode/show over real HTTP against the real function and the emulator:
 * both body shapes, WeChat's limits checked before any call, tickets that expire on the clock,
 * the permanent-code limit, the image the address serves, and the ticket state the simulated
 * phone reads to resolve a scan.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import QRCode from 'qrcode';
import { startStack, TEST_APP_ID, TEST_APP_SECRET, type CallResult, type Stack } from './support/stack.js';
import { ADMIN_KEY } from './support/random-account.js';
import type { QrcodeEmulatorPart } from '../src/apis/qrcode/emulator.js';

const ADMIN = { 'x-api-key': ADMIN_KEY };
let stack: Stack;
let qrcodes: QrcodeEmulatorPart['qrcodes'];

before(async () => {
  stack = await startStack({ env: { ADMIN_API_KEY: ADMIN_KEY, RATE_LIMIT_PER_MINUTE: '0' } });
  qrcodes = stack.emulator.part<QrcodeEmulatorPart>('qrcode')!.qrcodes;
});
after(async () => {
  await stack.close();
});
beforeEach(() => qrcodes.reset());

const call = (path: string, body: unknown) => stack.call(path, body, ADMIN);

function ok(result: CallResult): any {
  assert.equal(result.status, 200, result.text);
  assert.equal(result.body.code, 0, result.text);
  return result.body.data;
}

const imageUrl = (ticket: string) => `${stack.emulatorUrl}/cgi-bin/showqrcode?ticket=${encodeURIComponent(ticket)}`;

async function refused(body: unknown, field: RegExp) {
  const before = stack.emulator.counts();
  const result = await call('/qrcode/create', body);
  assert.equal(result.status, 400, result.text);
  assert.equal(result.body.code, -1);
  assert.match(result.body.msg, field);
  assert.deepEqual(stack.emulator.counts(), before, `no WeChat call for ${JSON.stringify(body)}`);
}

describe('/qrcode/create', () => {
  it("takes CloudBase's flat body and answers WeChat's ticket, expire_seconds and url with the image's address", async () => {
    const data = ok(await call('/qrcode/create', { action_name: 'QR_SCENE', scene_id: 123, expire_seconds: 604800 }));
    assert.deepEqual(Object.keys(data).sort(), ['expire_seconds', 'qrcode_url', 'ticket', 'url']);
    assert.equal(data.expire_seconds, 604800);
    assert.match(data.url, /^https:\/\/weixin\.qq\.com\/q\//);
    assert.match(data.ticket, /[+/=]/, 'a ticket has characters that must be encoded');
    assert.equal(data.qrcode_url, imageUrl(data.ticket));
    assert.deepEqual(qrcodes.resolve(data.ticket), { appId: TEST_APP_ID, scene_id: 123, permanent: false, expired: false, url: data.url });
  });

  it("takes WeChat's own action_info body; a permanent code has no expire_seconds and one scene keeps its ticket", async () => {
    const body = { action_name: 'QR_LIMIT_STR_SCENE', action_info: { scene: { scene_str: 'spring-sale' } }, expire_seconds: 60 };
    const first = ok(await call('/qrcode/create', body));
    assert.equal(first.expire_seconds, undefined);
    assert.equal(ok(await call('/qrcode/create', body)).ticket, first.ticket);
    assert.equal(qrcodes.permanentCount(TEST_APP_ID), 1);
    assert.deepEqual(qrcodes.resolve(first.url), { appId: TEST_APP_ID, scene_str: 'spring-sale', permanent: true, expired: false, url: first.url });
  });

  it('lets a temporary ticket expire on the clock: the scan reads expired and the image is gone', async () => {
    const data = ok(await call('/qrcode/create', { action_name: 'QR_STR_SCENE', scene_str: 'table-7', expire_seconds: 120 }));
    assert.equal((await fetch(data.qrcode_url)).status, 200);
    stack.clock.advance(120_000);
    assert.equal(qrcodes.resolve(data.ticket)!.expired, true);
    const gone = await fetch(data.qrcode_url);
    assert.equal(gone.status, 404);
    assert.doesNotMatch(gone.headers.get('content-type') ?? '', /image/);
  });

  it('answers 45029 past the permanent-code limit, as 503 with a hint', async () => {
    qrcodes.permanentLimit = 2;
    ok(await call('/qrcode/create', { action_name: 'QR_LIMIT_SCENE', scene_id: 1 }));
    ok(await call('/qrcode/create', { action_name: 'QR_LIMIT_STR_SCENE', scene_str: 'b' }));
    const full = await call('/qrcode/create', { action_name: 'QR_LIMIT_SCENE', scene_id: 3 });
    assert.equal(full.status, 503, full.text);
    assert.equal(full.body.errcode, 45029);
    assert.match(full.body.hint, /temporary/);
    ok(await call('/qrcode/create', { action_name: 'QR_SCENE', scene_id: 3, expire_seconds: 60 }));
  });

  it("passes on WeChat's 40053 with its hint, and 48001 for an account without QR codes", async () => {
    stack.emulator.failNext('/cgi-bin/qrcode/create', 40053);
    const bad = await call('/qrcode/create', { action_name: 'QR_SCENE', scene_id: 1 });
    assert.equal(bad.status, 400, bad.text);
    assert.equal(bad.body.errcode, 40053);
    assert.match(bad.body.hint, /scene_id/);
    stack.emulator.failNext('/cgi-bin/qrcode/create', 48001);
    assert.equal((await call('/qrcode/create', { action_name: 'QR_SCENE', scene_id: 1 })).status, 403);
  });

  it('refuses what WeChat would refuse before calling it, naming the field', async () => {
    await refused({ action_name: 'QR_CODE', scene_id: 1 }, /action_name must be one of/);
    await refused({ scene_id: 1 }, /action_name is required/);
    await refused({ action_name: 'QR_SCENE', scene_id: 1, expire_seconds: 2592001 }, /expire_seconds/);
    await refused({ action_name: 'QR_SCENE', scene_id: 1, expire_seconds: 0 }, /expire_seconds/);
    await refused({ action_name: 'QR_SCENE', scene_id: 0 }, /scene_id must be 1 to 4294967295/);
    await refused({ action_name: 'QR_SCENE', scene_id: 2 ** 32 }, /scene_id must be 1 to 4294967295/);
    await refused({ action_name: 'QR_SCENE', scene_id: 1.5 }, /scene_id/);
    await refused({ action_name: 'QR_LIMIT_SCENE', scene_id: 100001 }, /scene_id must be 1 to 100000/);
    await refused({ action_name: 'QR_SCENE', scene_str: 'a' }, /scene_id is required for QR_SCENE/);
    await refused({ action_name: 'QR_STR_SCENE', scene_str: '' }, /scene_str must be 1 to 64/);
    await refused({ action_name: 'QR_LIMIT_STR_SCENE', scene_str: 'x'.repeat(65) }, /scene_str must be 1 to 64/);
    await refused({ action_name: 'QR_LIMIT_STR_SCENE', action_info: { scene: { scene_id: 1 } } }, /action_info\.scene\.scene_str is required/);
    await refused({ action_name: 'QR_LIMIT_SCENE', action_info: { scene: 'x' } }, /action_info\.scene must be an object/);
  });

  it('accepts the edges WeChat accepts', async () => {
    ok(await call('/qrcode/create', { action_name: 'QR_LIMIT_SCENE', scene_id: 100000 }));
    ok(await call('/qrcode/create', { action_name: 'QR_SCENE', scene_id: 4294967295, expire_seconds: 2592000 }));
    ok(await call('/qrcode/create', { action_name: 'QR_STR_SCENE', scene_str: '字'.repeat(64) }));
  });
});

describe('the emulator', () => {
  it('answers 40053 for a scene that does not fit the kind', async () => {
    const token = ((await (await fetch(`${stack.emulatorUrl}/cgi-bin/token?grant_type=client_credential&appid=${TEST_APP_ID}&secret=${TEST_APP_SECRET}`)).json()) as { access_token: string }).access_token;
    for (const body of [
      { action_name: 'QR_SCENE', action_info: { scene: { scene_str: 'a' } } },
      { action_name: 'QR_LIMIT_SCENE', action_info: { scene: { scene_id: 100001 } } },
      { action_name: 'QR_NOPE', action_info: { scene: { scene_id: 1 } } },
    ]) {
      const reply = (await (await fetch(`${stack.emulatorUrl}/cgi-bin/qrcode/create?access_token=${token}`, { method: 'POST', body: JSON.stringify(body) })).json()) as { errcode: number };
      assert.equal(reply.errcode, 40053, JSON.stringify(body));
    }
  });

  it("serves a PNG QR code of the ticket's url, and 404 for an unknown ticket", async () => {
    const data = ok(await call('/qrcode/create', { action_name: 'QR_SCENE', scene_id: 9, expire_seconds: 300 }));
    const image = await fetch(data.qrcode_url);
    assert.equal(image.status, 200);
    assert.equal(image.headers.get('content-type'), 'image/png');
    const bytes = Buffer.from(await image.arrayBuffer());
    assert.deepEqual(bytes, await QRCode.toBuffer(data.url, { type: 'png', margin: 2, scale: 8 }), 'the image encodes the url');
    assert.equal((await fetch(imageUrl('gQnot-a-ticket'))).status, 404);
  });
});

describe('/qrcode/show', () => {
  it("answers the image's address for CloudBase's {ticket}, calling nothing and holding no token", async () => {
    const { ticket } = ok(await call('/qrcode/create', { action_name: 'QR_SCENE', scene_id: 5, expire_seconds: 60 }));
    const before = stack.emulator.counts();
    const data = ok(await call('/qrcode/show', { ticket }));
    assert.deepEqual(data, { ticket, qrcode_url: imageUrl(ticket) });
    assert.deepEqual(stack.emulator.counts(), before);
    assert.doesNotMatch(data.qrcode_url, /access_token/);
  });

  it('refuses a missing ticket with a 400', async () => {
    const result = await call('/qrcode/show', {});
    assert.equal(result.status, 400);
    assert.match(result.body.msg, /ticket is required/);
  });

  it('needs the admin key, as every route acting for the account', async () => {
    assert.equal((await stack.call('/qrcode/show', { ticket: 't' })).status, 403);
    assert.equal((await stack.call('/qrcode/create', { action_name: 'QR_SCENE', scene_id: 1 })).status, 403);
  });

  it('puts neither the global access_token nor the AppSecret in any answer or log line', async () => {
    ok(await call('/qrcode/create', { action_name: 'QR_SCENE', scene_id: 1, expire_seconds: 60 }));
    stack.emulator.failNext('/cgi-bin/qrcode/create', 40053);
    await call('/qrcode/create', { action_name: 'QR_SCENE', scene_id: 1 });
    const seen = stack.responses.join('\n') + stack.logs.join('\n');
    const token = ok(await call('/token/get', {})).access_token as string;
    assert.ok(!seen.includes(token), 'the global access_token leaked');
    assert.ok(!seen.includes(TEST_APP_SECRET), 'the AppSecret leaked');
    assert.ok(!stack.logs.join('\n').includes(token), 'the global access_token is in a log line');
  });
});

describe('the image address in production', () => {
  it('points at mp.weixin.qq.com when the function talks to WeChat itself', async () => {
    const { loadConfig } = await import('../src/config.js');
    assert.equal(loadConfig({ appId: TEST_APP_ID, appSecret: TEST_APP_SECRET }).wechatMpBaseUrl, 'https://mp.weixin.qq.com');
    assert.equal(loadConfig({ appId: TEST_APP_ID, appSecret: TEST_APP_SECRET, WECHAT_API_BASE_URL: 'http://127.0.0.1:9100' }).wechatMpBaseUrl, 'http://127.0.0.1:9100');
    assert.equal(
      loadConfig({ appId: TEST_APP_ID, appSecret: TEST_APP_SECRET, WECHAT_API_BASE_URL: 'http://127.0.0.1:9100', WECHAT_MP_BASE_URL: 'https://mp.example' }).wechatMpBaseUrl,
      'https://mp.example',
    );
  });
});
