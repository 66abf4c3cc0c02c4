/**
 * /message/* against the emulator over loopback: template messages to followers only (43004,
 * 43019, 40037, 47003, 40003), mass sends by openid list or filter with WeChat's rules (at least
 * 2 openids, 4 a month per user, clientmsgid idempotence 45065/45066), previews, status, delete
 * (10 a day), the speed; validation before WeChat; CloudBase's own bodies; no credential in any
 * answer or log line.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertNoCredentialLeaks, assertOk, assertRefusedBeforeWeChat, assertWeChatError, startGroupStack, type GroupStack } from './support/group-stack.js';

let group: GroupStack;
let templateId: string;
before(async () => {
  group = await startGroupStack();
  assertOk(await group.admin('/template/industry_set', { industry_id1: '1', industry_id2: '13' }));
  templateId = assertOk(await group.admin('/template/add', { template_id_short: 'TM00015', keyword_name_list: ['订单号', '支付金额'] })).template_id;
});
after(async () => {
  await assertNoCredentialLeaks(group);
  await group.stack.close();
});

const paid = { character_string1: { value: 'D20261124001' }, amount2: { value: '¥99.00', color: '#173177' } };
const text = (content: string) => ({ msgtype: 'text', text: { content } });
const sentVia = (openid: string, via: string) => group.stack.emulator.audience.sent(group.appId, openid).filter((sent) => sent.via === via);

describe('/message/template_send', () => {
  it("reaches a follower's chat and answers WeChat's msgid", async () => {
    const openid = group.follow('tpl-alice');
    const data = assertOk(await group.admin('/message/template_send', { touser: openid, template_id: templateId, url: 'https://shop.example/o/1', data: paid }));
    assert.deepEqual([data.errcode, data.errmsg, typeof data.msgid], [0, 'ok', 'number']);
    const [sent] = sentVia(openid, 'template');
    assert.equal(sent.message.title, '订单支付成功');
    assert.deepEqual(sent.message.data, paid);
  });

  it('answers 43004 to a user who unfollowed, 43019 to a blacklisted one, 40003 to an unknown openid', async () => {
    const gone = group.follow('tpl-gone');
    group.stack.emulator.audience.unfollow(group.appId, gone);
    const refused = await group.admin('/message/template_send', { touser: gone, template_id: templateId, data: paid });
    assertWeChatError(refused, 403, 43004);
    assert.match(refused.body.hint, /follow/);
    const blocked = group.follow('tpl-blocked');
    group.stack.emulator.audience.get(group.appId, blocked)!.blacklisted = true;
    assertWeChatError(await group.admin('/message/template_send', { touser: blocked, template_id: templateId, data: paid }), 403, 43019);
    assertWeChatError(await group.admin('/message/template_send', { touser: 'o-not-a-user', template_id: templateId, data: paid }), 400, 40003);
    assert.deepEqual([...sentVia(gone, 'template'), ...sentVia(blocked, 'template')], []);
  });

  it('answers 40037 for a template the account lacks and 47003 naming a placeholder left out', async () => {
    const openid = group.follow('tpl-bob');
    assertWeChatError(await group.admin('/message/template_send', { touser: openid, template_id: 'not-a-template', data: paid }), 400, 40037);
    const missing = await group.admin('/message/template_send', { touser: openid, template_id: templateId, data: { character_string1: { value: 'D1' } } });
    assertWeChatError(missing, 400, 47003);
    assert.match(missing.body.msg, /data\.amount2\.value/);
  });

  it('refuses values breaking their placeholder type, a bad colour and missing fields before calling WeChat', async () => {
    const base = { touser: 'o-x', template_id: templateId };
    await assertRefusedBeforeWeChat(group, '/message/template_send', { ...base, data: { amount2: { value: 'ninety-nine' } } }, /data\.amount2\.value must be an amount/);
    await assertRefusedBeforeWeChat(group, '/message/template_send', { ...base, data: { character_string1: { value: '订单一' } } }, /data\.character_string1\.value/);
    await assertRefusedBeforeWeChat(group, '/message/template_send', { ...base, data: { keyword1: { value: 'x', color: 'red' } } }, /data\.keyword1\.color/);
    await assertRefusedBeforeWeChat(group, '/message/template_send', { template_id: templateId, data: paid }, /touser is required/);
    await assertRefusedBeforeWeChat(group, '/message/template_send', { ...base }, /data is required/);
  });
});

describe('/message/mass_send', () => {
  it('sends to a list of followers, skipping those who do not follow, and reports the job through mass_get', async () => {
    const [a, b] = [group.follow('mass-a'), group.follow('mass-b')];
    const gone = group.follow('mass-gone');
    group.stack.emulator.audience.unfollow(group.appId, gone);
    const job = assertOk(await group.admin('/message/mass_send', { touser: [a, b, gone], ...text('周末活动') }));
    assert.equal(job.errmsg, 'send job submission success');
    assert.equal(typeof job.msg_id, 'number');
    assert.deepEqual(sentVia(a, 'mass').map((sent) => sent.message), [{ msgtype: 'text', text: { content: '周末活动' } }]);
    assert.equal(sentVia(b, 'mass').length, 1);
    assert.deepEqual(sentVia(gone, 'mass'), []);
    assert.deepEqual(assertOk(await group.admin('/message/mass_get', { msg_id: job.msg_id })), { msg_id: job.msg_id, msg_status: 'SEND_SUCCESS' });
  });

  it('sends by filter: to everyone, or to the followers with a tag', async () => {
    const tagged = group.follow('mass-tagged');
    group.stack.emulator.audience.get(group.appId, tagged)!.tagIds.push(101);
    const other = group.follow('mass-untagged');
    assertOk(await group.admin('/message/mass_send', { filter: { is_to_all: false, tag_id: 101 }, ...text('会员专享') }));
    assert.equal(sentVia(tagged, 'mass').length, 1);
    assert.equal(sentVia(other, 'mass').length, 0);
    assertOk(await group.admin('/message/mass_send', { filter: { is_to_all: true }, mpnews: { media_id: 'news-1' }, msgtype: 'mpnews' }));
    assert.equal(sentVia(other, 'mass').length, 1);
    assert.equal(sentVia(tagged, 'mass').length, 2);
  });

  it('reaches each user at most 4 times a calendar month', async () => {
    const [a, b] = [group.follow('month-a'), group.follow('month-b')];
    for (let index = 0; index < 5; index++) assertOk(await group.admin('/message/mass_send', { touser: [a, b], ...text(`第${index}期`) }));
    assert.equal(sentVia(a, 'mass').length, 4);
    group.stack.clock.advance(31 * 86_400_000);
    assertOk(await group.admin('/message/mass_send', { touser: [a, b], ...text('下个月') }));
    assert.equal(sentVia(a, 'mass').length, 5);
  });

  it('sends a clientmsgid once: again within a minute 45066, later 45065', async () => {
    const [a, b] = [group.follow('idem-a'), group.follow('idem-b')];
    const body = { touser: [a, b], ...text('一次'), clientmsgid: 'campaign-2026-11' };
    assertOk(await group.admin('/message/mass_send', body));
    assertWeChatError(await group.admin('/message/mass_send', body), 429, 45066);
    group.stack.clock.advance(61_000);
    const twice = await group.admin('/message/mass_send', body);
    assertWeChatError(twice, 409, 45065);
    assert.equal(sentVia(a, 'mass').length, 1);
  });

  it('answers 40130 to fewer than 2 openids at WeChat too', async () => {
    const response = await fetch(`${group.stack.emulatorUrl}/cgi-bin/message/mass/send?access_token=${await group.globalToken()}`, {
      method: 'POST',
      body: JSON.stringify({ touser: [group.follow('lonely')], ...text('x') }),
    });
    assert.equal(((await response.json()) as { errcode: number }).errcode, 40130);
  });

  it('refuses fewer than 2 or more than 10,000 openids, a clientmsgid over 64 bytes, a message without its object, before calling WeChat', async () => {
    await assertRefusedBeforeWeChat(group, '/message/mass_send', { touser: ['o-one'], ...text('x') }, /touser must have at least 2 items/);
    const many = Array.from({ length: 10_001 }, (_, index) => `o-${index}`);
    await assertRefusedBeforeWeChat(group, '/message/mass_send', { touser: many, ...text('x') }, /touser must have at most 10000 items/);
    await assertRefusedBeforeWeChat(group, '/message/mass_send', { touser: ['o-1', 'o-2'], ...text('x'), clientmsgid: '编'.repeat(22) }, /clientmsgid must be at most 64 bytes/);
    await assertRefusedBeforeWeChat(group, '/message/mass_send', { touser: ['o-1', 'o-2'], msgtype: 'text' }, /must come with its object/);
    await assertRefusedBeforeWeChat(group, '/message/mass_send', { touser: ['o-1', 'o-2'], filter: { is_to_all: true }, ...text('x') }, /either touser/);
    await assertRefusedBeforeWeChat(group, '/message/mass_send', { filter: { is_to_all: false }, ...text('x') }, /tag_id/);
    await assertRefusedBeforeWeChat(group, '/message/mass_send', { touser: ['o-1', 'o-2'], msgtype: 'music', text: { content: 'x' } }, /msgtype must be one of/);
  });
});

describe('preview, status, delete and speed', () => {
  it('previews to a follower by openid or WeChat ID; 43004 to one who does not follow', async () => {
    const openid = group.follow('preview-ann');
    const byOpenid = assertOk(await group.admin('/message/mass_preview', { touser: openid, ...text('预览') }));
    assert.equal(byOpenid.errcode, 0);
    assertOk(await group.admin('/message/mass_preview', { towxname: 'preview-ann', ...text('预览二') }));
    assert.equal(sentVia(openid, 'preview').length, 2);
    const gone = group.follow('preview-gone');
    group.stack.emulator.audience.unfollow(group.appId, gone);
    assertWeChatError(await group.admin('/message/mass_preview', { touser: gone, ...text('x') }), 403, 43004);
    await assertRefusedBeforeWeChat(group, '/message/mass_preview', text('x'), /touser \(an openid\) or towxname/);
  });

  it('deletes an article send (status DELETE), not a text one (40035), and at most 10 a day (45009)', async () => {
    const [a, b] = [group.follow('del-a'), group.follow('del-b')];
    const article = assertOk(await group.admin('/message/mass_send', { touser: [a, b], msgtype: 'mpnews', mpnews: { media_id: 'news-9' } }));
    assert.equal(typeof article.msg_data_id, 'number');
    const plain = assertOk(await group.admin('/message/mass_send', { touser: [a, b], ...text('文字') }));
    assertWeChatError(await group.admin('/message/mass_delete', { msg_id: plain.msg_id }), 400, 40035);
    assertWeChatError(await group.admin('/message/mass_get', { msg_id: 999_999_999 }), 400, 40035);
    for (let index = 0; index < 8; index++) assertOk(await group.admin('/message/mass_delete', { msg_id: String(article.msg_id), article_idx: 1 }));
    assertOk(await group.admin('/message/mass_delete', { msg_id: article.msg_id }));
    assert.equal(assertOk(await group.admin('/message/mass_get', { msg_id: article.msg_id })).msg_status, 'DELETE');
    const spent = await group.admin('/message/mass_delete', { msg_id: article.msg_id });
    assertWeChatError(spent, 503, 45009);
    assert.match(spent.body.hint, /quota/);
    await assertRefusedBeforeWeChat(group, '/message/mass_delete', { msg_id: article.msg_id, article_idx: 9 }, /article_idx/);
    await assertRefusedBeforeWeChat(group, '/message/mass_get', { msg_id: 'abc' }, /msg_id/);
  });

  it('reads the speed with {} and sets it with {speed}; refuses a speed outside 0–4 before calling WeChat', async () => {
    assert.deepEqual(assertOk(await group.admin('/message/mass_speed', {})), { speed: 0, realspeed: 80 });
    assert.deepEqual(assertOk(await group.admin('/message/mass_speed', { speed: 3 })), { errcode: 0, errmsg: 'ok' });
    assert.deepEqual(assertOk(await group.admin('/message/mass_speed', {})), { speed: 3, realspeed: 30 });
    await assertRefusedBeforeWeChat(group, '/message/mass_speed', { speed: 5 }, /speed/);
  });

  it('answers 45083 and 45084 at WeChat for a speed out of range or missing', async () => {
    const set = async (body: object) => {
      const response = await fetch(`${group.stack.emulatorUrl}/cgi-bin/message/mass/speed/set?access_token=${await group.globalToken()}`, { method: 'POST', body: JSON.stringify(body) });
      return ((await response.json()) as { errcode: number }).errcode;
    };
    assert.equal(await set({ speed: 7 }), 45083);
    assert.equal(await set({}), 45084);
  });
});

describe('refusals the emulator has no state for', () => {
  it('reach the caller with their status and hint: 48003 protocol not agreed, 45028 no mass sends left', async () => {
    const body = { filter: { is_to_all: true }, ...text('x') };
    group.stack.emulator.failNext('/cgi-bin/message/mass/sendall', 48003);
    const protocol = await group.admin('/message/mass_send', body);
    assertWeChatError(protocol, 403, 48003);
    assert.match(protocol.body.hint, /protocol/);
    group.stack.emulator.failNext('/cgi-bin/message/mass/sendall', 45028);
    assertWeChatError(await group.admin('/message/mass_send', body), 503, 45028);
  });
});

describe("CloudBase's bodies", () => {
  it('are answered with code 0 and WeChat\'s fields in data', async () => {
    const [a, b] = [group.follow('cb-a'), group.follow('cb-b')];
    const template = assertOk(
      await group.admin('/message/template_send', {
        touser: a,
        template_id: templateId,
        url: 'https://shop.example/orders/1',
        miniprogram: { appid: 'wxminiprogram0001', pagepath: 'pages/order?id=1' },
        data: { character_string1: { value: 'D20261124001' }, amount2: { value: '¥99.00' } },
      }),
    );
    assert.deepEqual([template.errcode, template.errmsg, typeof template.msgid], [0, 'ok', 'number']);
    const byList = assertOk(await group.admin('/message/mass_send', { touser: [a, b], msgtype: 'text', text: { content: 'hello' } }));
    assert.deepEqual([byList.errcode, byList.errmsg, typeof byList.msg_id], [0, 'send job submission success', 'number']);
    const byTag = assertOk(await group.admin('/message/mass_send', { filter: { is_to_all: true }, msgtype: 'mpnews', mpnews: { media_id: 'MEDIA_ID' }, send_ignore_reprint: 0 }));
    assert.deepEqual([byTag.errcode, typeof byTag.msg_id, typeof byTag.msg_data_id], [0, 'number', 'number']);
  });
});
