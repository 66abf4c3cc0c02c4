/**
 * The kefu group over real HTTP against the emulator: CloudBase's bodies for /kefu/send,
 * /kefu/typing, /kefu/add, /kefu/update, /kefu/del and /kefu/list; messages reaching followers
 * only, inside the customer-service window, recorded in the outbox; the typing rules; agent
 * accounts, invitations, the online list and avatars; WeChat's limits refused before any call.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { KefuEmulatorPart } from '../src/apis/kefu/emulator.js';
import { startStack, TEST_APP_SECRET, type CallResult, type Stack } from './support/stack.js';
import { ADMIN_KEY, randomAppId } from './support/random-account.js';
import { assertRefused as refused, assertWeChatError } from './support/api-assertions.js';

const ADMIN = { 'x-api-key': ADMIN_KEY };

let stack: Stack;
let appId: string;
let part: KefuEmulatorPart;

before(async () => {
  appId = randomAppId();
  stack = await startStack({ env: { appId, ADMIN_API_KEY: ADMIN_KEY, RATE_LIMIT_PER_MINUTE: '0' } });
  stack.emulator.addApp({ appId, appSecret: TEST_APP_SECRET });
  part = stack.emulator.part<KefuEmulatorPart>('kefu')!;
});
after(() => stack.close());
beforeEach(() => stack.emulator.reset());

const call = (path: string, body: unknown = {}) => stack.call(path, body, ADMIN);
const follow = (name: string) => stack.emulator.audience.follow(appId, name).openid;
const text = (touser: string, content = 'Hello') => ({ touser, msgtype: 'text', text: { content } });

const assertRefused = (path: string, body: unknown, field: RegExp) => refused(stack, ADMIN, path, body, field);

const ok = (result: CallResult) => {
  assert.equal(result.status, 200, result.text);
  assert.deepEqual(result.body, { code: 0, msg: 'success', data: { errcode: 0, errmsg: 'ok' } });
};

describe("CloudBase's kefu routes with CloudBase's bodies", () => {
  it('send and typing reach a follower who just wrote', async () => {
    const openid = follow('alice');
    stack.emulator.audience.interact(appId, openid, 'message');
    ok(await call('/kefu/typing', { touser: openid, command: 'Typing' }));
    ok(await call('/kefu/send', text(openid, 'Hello World')));
    const sent = stack.emulator.audience.sent(appId, openid);
    assert.equal(sent.length, 1);
    assert.equal(sent[0].via, 'kefu');
    assert.deepEqual(sent[0].message, { msgtype: 'text', text: { content: 'Hello World' } });
    assert.equal(part.kefu.isTyping(appId, openid), false, 'a message ends the indicator');
  });

  it('add, update, list and del an agent account', async () => {
    ok(await call('/kefu/add', { kf_account: 'test1@test', nickname: '客服1' }));
    ok(await call('/kefu/update', { kf_account: 'test1@test', nickname: '客服一' }));
    const list = await call('/kefu/list');
    assert.equal(list.status, 200, list.text);
    assert.equal(list.body.code, 0);
    assert.equal(list.body.data.kf_list.length, 1);
    assert.deepEqual(
      { kf_account: list.body.data.kf_list[0].kf_account, kf_nick: list.body.data.kf_list[0].kf_nick },
      { kf_account: 'test1@test', kf_nick: '客服一' },
    );
    assert.match(list.body.data.kf_list[0].kf_id, /^\d+$/);
    ok(await call('/kefu/del', { kf_account: 'test1@test' }));
    assert.deepEqual((await call('/kefu/list')).body.data, { kf_list: [] });
  });
});

describe('/kefu/send', () => {
  it('reaches followers only: 40003 unknown, 43004 unfollowed, 43019 blacklisted', async () => {
    assertWeChatError(await call('/kefu/send', text('o-nobody')), 400, 40003);
    const gone = follow('gone');
    stack.emulator.audience.unfollow(appId, gone);
    assertWeChatError(await call('/kefu/send', text(gone)), 403, 43004);
    const blocked = follow('blocked');
    stack.emulator.audience.get(appId, blocked)!.blacklisted = true;
    assertWeChatError(await call('/kefu/send', text(blocked)), 403, 43019);
    assert.deepEqual(stack.emulator.audience.sent(appId), []);
  });

  it('spends the window an interaction opened: 3 sends after a follow, then 45047; 45015 once it closed', async () => {
    const openid = follow('bob');
    for (let i = 0; i < 3; i++) ok(await call('/kefu/send', text(openid, `m${i}`)));
    assertWeChatError(await call('/kefu/send', text(openid)), 409, 45047);
    stack.clock.advance(61_000);
    assertWeChatError(await call('/kefu/send', text(openid)), 409, 45015);
    stack.emulator.audience.interact(appId, openid, 'message');
    ok(await call('/kefu/send', text(openid, 'back')));
    assert.deepEqual(
      stack.emulator.audience.sent(appId, openid).map((sent) => (sent.message.text as { content: string }).content),
      ['m0', 'm1', 'm2', 'back'],
    );
  });

  it('sends every message type with its object, and the agent it is sent as', async () => {
    const openid = follow('carol');
    stack.emulator.audience.interact(appId, openid, 'message');
    const bodies = [
      { msgtype: 'image', image: { media_id: 'MEDIA_ID' } },
      { msgtype: 'news', news: { articles: [{ title: 'T', description: 'D', url: 'https://a.example/', picurl: 'https://a.example/p.jpg' }] } },
      { msgtype: 'msgmenu', msgmenu: { head_content: 'Rate us', list: [{ id: '101', content: 'Good' }], tail_content: 'Thanks' } },
      { msgtype: 'miniprogrampage', miniprogrampage: { title: 'T', appid: 'wxmini', pagepath: 'pages/index', thumb_media_id: 'THUMB' } },
    ];
    for (const body of bodies) ok(await call('/kefu/send', { touser: openid, ...body, customservice: { kf_account: 'test1@test' } }));
    const sent = stack.emulator.audience.sent(appId, openid);
    assert.deepEqual(sent.map((one) => one.message.msgtype), ['image', 'news', 'msgmenu', 'miniprogrampage']);
    assert.deepEqual(sent[0].message, { msgtype: 'image', image: { media_id: 'MEDIA_ID' }, customservice: { kf_account: 'test1@test' } });
  });

  it("refuses what WeChat would, before calling it", async () => {
    const openid = follow('dan');
    await assertRefused('/kefu/send', { msgtype: 'text', text: { content: 'x' } }, /touser is required/);
    await assertRefused('/kefu/send', { touser: openid, msgtype: 'fax' }, /msgtype must be one of "text", "image"/);
    await assertRefused('/kefu/send', { touser: openid, msgtype: 'text' }, /text is required/);
    await assertRefused('/kefu/send', text(openid, ''), /text\.content must not be empty/);
    await assertRefused('/kefu/send', text(openid, '字'.repeat(683)), /text\.content must be at most 2048 bytes/);
    const article = { title: 'T', url: 'https://a.example/' };
    await assertRefused('/kefu/send', { touser: openid, msgtype: 'news', news: { articles: [article, article] } }, /news\.articles must have at most 1 items/);
    await assertRefused('/kefu/send', { touser: openid, msgtype: 'news', news: { articles: [] } }, /news\.articles must have at least 1 items/);
    await assertRefused('/kefu/send', { touser: openid, msgtype: 'image', image: {} }, /image\.media_id is required/);
    await assertRefused('/kefu/send', { ...text(openid), customservice: { kf_account: 'no-at-sign' } }, /customservice\.kf_account/);
  });

  it('the emulator answers 45008, 45002, 44004, 40008 and 40007 for bodies that reach it directly', async () => {
    const openid = follow('erin');
    await call('/kefu/list');
    const token = (await stack.call('/token/get', {}, ADMIN)).body.data.access_token;
    const direct = async (body: object) => {
      stack.emulator.audience.interact(appId, openid, 'message');
      const response = await fetch(`${stack.emulatorUrl}/cgi-bin/message/custom/send?access_token=${token}`, { method: 'POST', body: JSON.stringify({ touser: openid, ...body }) });
      return ((await response.json()) as { errcode: number }).errcode;
    };
    assert.equal(await direct({ msgtype: 'news', news: { articles: [{}, {}] } }), 45008);
    assert.equal(await direct({ msgtype: 'text', text: { content: 'x'.repeat(2049) } }), 45002);
    assert.equal(await direct({ msgtype: 'text', text: { content: '' } }), 44004);
    assert.equal(await direct({ msgtype: 'fax', fax: {} }), 40008);
    assert.equal(await direct({ msgtype: 'voice', voice: {} }), 40007);
    assert.equal(await direct({ msgtype: 'voice', voice: { media_id: 'any' } }), 0);
  });
});

describe('/kefu/typing', () => {
  it('needs an interaction in the last 30 s (45080) and refuses a second Typing while shown (45081)', async () => {
    const openid = follow('fay');
    ok(await call('/kefu/typing', { touser: openid, command: 'Typing' }));
    assertWeChatError(await call('/kefu/typing', { touser: openid, command: 'Typing' }), 409, 45081);
    ok(await call('/kefu/typing', { touser: openid, command: 'CancelTyping' }));
    ok(await call('/kefu/typing', { touser: openid, command: 'Typing' }));
    stack.clock.advance(31_000);
    assertWeChatError(await call('/kefu/typing', { touser: openid, command: 'CancelTyping' }), 409, 45080);
    stack.emulator.audience.interact(appId, openid, 'message');
    // The indicator of 31 s ago is gone.
    ok(await call('/kefu/typing', { touser: openid, command: 'Typing' }));
    const gone = follow('gone');
    stack.emulator.audience.unfollow(appId, gone);
    assertWeChatError(await call('/kefu/typing', { touser: gone, command: 'Typing' }), 403, 43004);
  });

  it('refuses a command other than Typing or CancelTyping before calling WeChat', async () => {
    await assertRefused('/kefu/typing', { touser: follow('gil'), command: 'typing' }, /command must be one of "Typing", "CancelTyping"/);
    await assertRefused('/kefu/typing', { command: 'Typing' }, /touser is required/);
  });
});

describe('agent accounts', () => {
  it('answers 61453 for a duplicate, 61452 for an unknown account, 61456 past 10', async () => {
    ok(await call('/kefu/add', { kf_account: 'a1@test', nickname: 'A' }));
    assertWeChatError(await call('/kefu/add', { kf_account: 'a1@test', nickname: 'A' }), 409, 61453);
    assertWeChatError(await call('/kefu/update', { kf_account: 'zz@test', nickname: 'Z' }), 404, 61452);
    assertWeChatError(await call('/kefu/del', { kf_account: 'zz@test' }), 404, 61452);
    for (let i = 2; i <= 10; i++) ok(await call('/kefu/add', { kf_account: `a${i}@test`, nickname: 'A' }));
    assertWeChatError(await call('/kefu/add', { kf_account: 'a11@test', nickname: 'A' }), 409, 61456);
  });

  it('refuses a kf_account not of the form prefix@wechatid, or a bad nickname, before calling WeChat', async () => {
    await assertRefused('/kefu/add', { kf_account: 'test1', nickname: 'A' }, /kf_account has characters that are not allowed/);
    await assertRefused('/kefu/add', { kf_account: 'abcdefghijk@test', nickname: 'A' }, /kf_account/);
    await assertRefused('/kefu/add', { kf_account: 'a-b@test', nickname: 'A' }, /kf_account/);
    await assertRefused('/kefu/add', { kf_account: 'a@test', nickname: '' }, /nickname must not be empty/);
    await assertRefused('/kefu/add', { kf_account: 'a@test', nickname: 'n'.repeat(17) }, /nickname must be at most 16 characters/);
    await assertRefused('/kefu/del', {}, /kf_account is required/);
    await assertRefused('/kefu/invite', { kf_account: 'a@test' }, /invite_wx is required/);
  });

  it('the emulator answers 61452, 61454 and 61455 for accounts that reach it directly', async () => {
    await call('/kefu/list');
    const token = (await stack.call('/token/get', {}, ADMIN)).body.data.access_token;
    const add = async (kf_account: string) => {
      const response = await fetch(`${stack.emulatorUrl}/customservice/kfaccount/add?access_token=${token}`, { method: 'POST', body: JSON.stringify({ kf_account, nickname: 'N' }) });
      return ((await response.json()) as { errcode: number }).errcode;
    };
    assert.equal(await add('noatsign'), 61452);
    assert.equal(await add('abcdefghijk@test'), 61454);
    assert.equal(await add('a-b@test'), 61455);
    assert.equal(await add('ab@test'), 0);
  });

  it('invites a WeChat user; once they accept, the agent is online', async () => {
    ok(await call('/kefu/add', { kf_account: 'b1@test', nickname: 'B' }));
    assertWeChatError(await call('/kefu/invite', { kf_account: 'zz@test', invite_wx: 'someone' }), 404, 61452);
    ok(await call('/kefu/invite', { kf_account: 'b1@test', invite_wx: 'agent_wx' }));
    const [agent] = (await call('/kefu/list')).body.data.kf_list;
    assert.equal(agent.invite_wx, 'agent_wx');
    assert.equal(agent.invite_status, 'waiting');
    assert.equal(agent.invite_expire_time, Math.floor(stack.clock.now() / 1000) + 7 * 86_400);
    assert.deepEqual((await call('/kefu/list_online')).body.data, { kf_online_list: [] });

    assert.equal(part.kefu.acceptInvite(appId, 'b1@test'), true);
    const online = await call('/kefu/list_online');
    assert.equal(online.status, 200, online.text);
    assert.deepEqual(online.body.data.kf_online_list, [{ kf_account: 'b1@test', status: 1, kf_id: agent.kf_id, accepted_case: 0 }]);
    assert.equal((await call('/kefu/list')).body.data.kf_list[0].kf_wx, 'agent_wx');
  });
});

describe('/kefu/upload_headimg', () => {
  const form = (kfAccount: string, type = 'image/jpeg', size = 2048) => {
    const data = new FormData();
    data.append('kf_account', kfAccount);
    data.append('media', new Blob([new Uint8Array(size).fill(7)], { type }), 'head.jpg');
    return data;
  };
  const upload = (body: FormData) => stack.raw('/kefu/upload_headimg', { method: 'POST', headers: ADMIN, body });

  it("uploads the image as multipart to WeChat and the agent's avatar changes", async () => {
    ok(await call('/kefu/add', { kf_account: 'c1@test', nickname: 'C' }));
    assert.equal((await call('/kefu/list')).body.data.kf_list[0].kf_headimgurl, '');
    stack.emulator.resetCounts();
    ok(await upload(form('c1@test')));
    assert.equal(stack.emulator.counts()['/customservice/kfaccount/uploadheadimg'], 1);
    assert.match((await call('/kefu/list')).body.data.kf_list[0].kf_headimgurl, /^http/);
    assertWeChatError(await upload(form('zz@test')), 404, 61452);
  });

  it('refuses other file types, an empty file, a missing file or a JSON body before calling WeChat', async () => {
    stack.emulator.resetCounts();
    const gif = await upload(form('c1@test', 'image/gif'));
    assert.equal(gif.status, 400, gif.text);
    assert.match(gif.body.msg, /media must be a JPEG or PNG image/);
    const empty = await upload(form('c1@test', 'image/png', 0));
    assert.equal(empty.status, 400, empty.text);
    const noFile = new FormData();
    noFile.append('kf_account', 'c1@test');
    const missing = await upload(noFile);
    assert.equal(missing.status, 400);
    assert.match(missing.body.msg, /media/);
    assert.equal((await call('/kefu/upload_headimg', { kf_account: 'c1@test' })).status, 415);
    assert.deepEqual(stack.emulator.counts(), {});
  });
});

describe('credentials', () => {
  it('never puts the global access_token or the AppSecret in a response or a log line, the upload included', async () => {
    const openid = follow('leak');
    await call('/kefu/send', text(openid));
    await call('/kefu/send', text('o-nobody'));
    await call('/kefu/add', { kf_account: 'd1@test', nickname: 'D' });
    const data = new FormData();
    data.append('kf_account', 'd1@test');
    data.append('media', new Blob([new Uint8Array(10)], { type: 'image/png' }), 'a.png');
    await stack.raw('/kefu/upload_headimg', { method: 'POST', headers: ADMIN, body: data });
    const token = (await stack.call('/token/get', {}, ADMIN)).body.data.access_token;
    const seen = [...stack.logs, ...stack.responses.filter((text) => !text.includes('"expires_in"'))].join('\n');
    assert.ok(!seen.includes(token), 'no token');
    assert.ok(!seen.includes(TEST_APP_SECRET), 'no secret');
  });

  it('needs the admin key', async () => {
    stack.emulator.resetCounts();
    assert.equal((await stack.call('/kefu/send', text(follow('x')))).status, 403);
    assert.deepEqual(stack.emulator.counts(), {});
  });
});
