/**
 * /subscribe/* against the emulator over loopback: the public library, private templates (25 at
 * most, the 2000xx errors), the send to a user who accepted (43101 otherwise, one send per
 * acceptance), WeChat's value rules checked before calling, CloudBase's own bodies, and no
 * credential in any answer or log line.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertNoCredentialLeaks, assertOk, assertRefusedBeforeWeChat, assertWeChatError, startGroupStack, type GroupStack } from './support/group-stack.js';

let group: GroupStack;
before(async () => {
  group = await startGroupStack();
});
after(async () => {
  await assertNoCredentialLeaks(group);
  await group.stack.close();
});

/** A private template of the "订单发货通知" title with its order number, item and time. */
async function shippingTemplate(): Promise<string> {
  return assertOk(await group.admin('/subscribe/addtemplate', { tid: '1001', kidList: [1, 2, 3], sceneDesc: '发货提醒' })).priTmplId;
}

const shippingData = { character_string1: { value: 'D20261124001' }, thing2: { value: '保温杯' }, time3: { value: '2026-11-24 12:00' } };

describe('the public library', () => {
  it('lists categories, their titles a page at a time, and a title\'s keywords', async () => {
    const categories = assertOk(await group.admin('/subscribe/getcategory', {}));
    assert.deepEqual(categories.data.map((category: { id: number }) => category.id).sort(), [307, 411, 616]);

    const titles = assertOk(await group.admin('/subscribe/getpubtemplatetitles', { ids: '307,411', start: 0, limit: 2 }));
    assert.equal(titles.count, 3);
    assert.equal(titles.data.length, 2);
    assert.deepEqual(Object.keys(titles.data[0]).sort(), ['categoryId', 'tid', 'title', 'type']);
    const next = assertOk(await group.admin('/subscribe/getpubtemplatetitles', { ids: [307, 411], start: 2 }));
    assert.deepEqual(next.data.map((title: { tid: number }) => title.tid), [2001]);

    const keywords = assertOk(await group.admin('/subscribe/getpubtemplatekeywords', { tid: 2001 }));
    assert.deepEqual(keywords.data[0], { kid: 1, name: '课程名称', example: '初级英语', rule: 'thing' });
  });

  it('answers 200014 for a title that does not exist', async () => {
    assertWeChatError(await group.admin('/subscribe/getpubtemplatekeywords', { tid: '999' }), 400, 200014);
  });

  it('refuses a page over 30 titles, and ids that are not category ids, before calling WeChat', async () => {
    await assertRefusedBeforeWeChat(group, '/subscribe/getpubtemplatetitles', { ids: '307', limit: 31 }, /limit/);
    await assertRefusedBeforeWeChat(group, '/subscribe/getpubtemplatetitles', { ids: '307&access_token=x' }, /ids/);
    await assertRefusedBeforeWeChat(group, '/subscribe/getpubtemplatetitles', {}, /ids is required/);
    await assertRefusedBeforeWeChat(group, '/subscribe/getpubtemplatekeywords', { tid: 'abc' }, /tid/);
  });
});

describe('private templates', () => {
  it('adds one from a title and lists it with its placeholders, then deletes it', async () => {
    const id = await shippingTemplate();
    const listed = assertOk(await group.admin('/subscribe/list', {})).data.find((template: { priTmplId: string }) => template.priTmplId === id);
    assert.equal(listed.title, '订单发货通知');
    assert.equal(listed.type, 2);
    assert.equal(listed.content, '订单号:{{character_string1.DATA}}\n商品名称:{{thing2.DATA}}\n发货时间:{{time3.DATA}}');
    assertOk(await group.admin('/subscribe/deltemplate', { priTmplId: id }));
    assert.ok(!assertOk(await group.admin('/subscribe/list', {})).data.some((template: { priTmplId: string }) => template.priTmplId === id));
    assertWeChatError(await group.admin('/subscribe/deltemplate', { priTmplId: id }), 400, 40037);
  });

  it('answers 200014 for an unknown title and 200020 for keywords the title does not have', async () => {
    assertWeChatError(await group.admin('/subscribe/addtemplate', { tid: '4242', kidList: [1, 2] }), 400, 200014);
    assertWeChatError(await group.admin('/subscribe/addtemplate', { tid: '1002', kidList: [1, 9] }), 400, 200020);
    assertWeChatError(await group.admin('/subscribe/addtemplate', { tid: '1002', kidList: [1, 1] }), 400, 200020);
  });

  it('refuses fewer than 2 or more than 5 keywords and a scene over 15 characters before calling WeChat', async () => {
    await assertRefusedBeforeWeChat(group, '/subscribe/addtemplate', { tid: '1001', kidList: [1] }, /kidList must have at least 2 items/);
    await assertRefusedBeforeWeChat(group, '/subscribe/addtemplate', { tid: '1001', kidList: [1, 2, 3, 4, 5, 1] }, /kidList must have at most 5 items/);
    await assertRefusedBeforeWeChat(group, '/subscribe/addtemplate', { tid: '1001', kidList: [1, 2], sceneDesc: '一'.repeat(16) }, /sceneDesc must be at most 15 characters/);
  });

  it('keeps at most 25: the 26th answers 200012', async () => {
    const existing = assertOk(await group.admin('/subscribe/list', {})).data.length;
    for (let index = existing; index < 25; index++) await shippingTemplate();
    const refused = await group.admin('/subscribe/addtemplate', { tid: '1001', kidList: [1, 2] });
    assertWeChatError(refused, 409, 200012);
    assert.match(refused.body.hint, /deltemplate/);
    for (const template of assertOk(await group.admin('/subscribe/list', {})).data) {
      assertOk(await group.admin('/subscribe/deltemplate', { priTmplId: template.priTmplId }));
    }
  });
});

describe('/subscribe/bizsend', () => {
  it('sends once per acceptance to the user\'s chat, then answers 43101 until they accept again', async () => {
    const id = await shippingTemplate();
    const openid = group.follow('sub-alice');
    group.stack.emulator.audience.accept(group.appId, openid, id);
    const sent = assertOk(await group.admin('/subscribe/bizsend', { touser: openid, template_id: id, data: shippingData, page: 'https://shop.example/orders/1' }));
    assert.equal(sent.errcode, 0);
    const chat = group.stack.emulator.audience.sent(group.appId, openid);
    assert.equal(chat.length, 1);
    assert.equal(chat[0].via, 'subscribe');
    assert.deepEqual(chat[0].message.data, shippingData);

    const again = await group.admin('/subscribe/bizsend', { touser: openid, template_id: id, data: shippingData });
    assertWeChatError(again, 403, 43101);
    assert.match(again.body.hint, /accept/);
  });

  it('answers 40003 for an openid that is no user of the account and 40037 for an unknown template', async () => {
    const id = await shippingTemplate();
    assertWeChatError(await group.admin('/subscribe/bizsend', { touser: 'o-nobody-at-all', template_id: id, data: shippingData }), 400, 40003);
    const openid = group.follow('sub-bob');
    assertWeChatError(await group.admin('/subscribe/bizsend', { touser: openid, template_id: 'no-such-template', data: shippingData }), 400, 40037);
  });

  it('answers 47003 naming the value for a placeholder missing or an enum value the template does not list', async () => {
    const course = assertOk(await group.admin('/subscribe/addtemplate', { tid: '2001', kidList: [1, 4] })).priTmplId;
    const openid = group.follow('sub-carol');
    group.stack.emulator.audience.accept(group.appId, openid, course);
    const listed = assertOk(await group.admin('/subscribe/list', {})).data.find((template: { priTmplId: string }) => template.priTmplId === course);
    assert.deepEqual(listed.keywordEnumValueList, [{ keywordCode: 'enum4', enumValueList: ['已开课', '已取消', '已延期'] }]);

    const wrongEnum = await group.admin('/subscribe/bizsend', { touser: openid, template_id: course, data: { thing1: { value: '初级英语' }, enum4: { value: '开了' } } });
    assertWeChatError(wrongEnum, 400, 47003);
    assert.match(wrongEnum.body.msg, /data\.enum4\.value/);
    const missing = await group.admin('/subscribe/bizsend', { touser: openid, template_id: course, data: { thing1: { value: '初级英语' } } });
    assertWeChatError(missing, 400, 47003);
    assert.match(missing.body.msg, /data\.enum4\.value/);
    // A refused send spends no acceptance.
    assertOk(await group.admin('/subscribe/bizsend', { touser: openid, template_id: course, data: { thing1: { value: '初级英语' }, enum4: { value: '已开课' } } }));
  });

  it('refuses values that break their placeholder type, and missing fields, before calling WeChat', async () => {
    const base = { touser: 'o-someone', template_id: 'tpl' };
    await assertRefusedBeforeWeChat(group, '/subscribe/bizsend', { ...base, data: { thing2: { value: '一'.repeat(21) } } }, /data\.thing2\.value must be at most 20 characters/);
    await assertRefusedBeforeWeChat(group, '/subscribe/bizsend', { ...base, data: { time3: { value: 'tomorrow' } } }, /data\.time3\.value must be a 24-hour time/);
    await assertRefusedBeforeWeChat(group, '/subscribe/bizsend', { ...base, data: { phrase5: { value: '已经完成了吗' } } }, /data\.phrase5\.value/);
    await assertRefusedBeforeWeChat(group, '/subscribe/bizsend', { ...base, data: { thing2: { value: '' } } }, /data\.thing2\.value must not be empty/);
    await assertRefusedBeforeWeChat(group, '/subscribe/bizsend', { ...base, data: {} }, /data must have between 1 and 50/);
    await assertRefusedBeforeWeChat(group, '/subscribe/bizsend', { touser: 'o-someone', data: { thing2: { value: 'x' } } }, /template_id is required/);
    await assertRefusedBeforeWeChat(group, '/subscribe/bizsend', { ...base, data: { thing2: 'x' } }, /data\.thing2/);
  });
});

describe('refusals the emulator has no state for', () => {
  it('reach the caller with their status and hint: 41030 an unreleased mini-program page, 200011 an account banned from templates', async () => {
    group.stack.emulator.failNext('/cgi-bin/message/subscribe/bizsend', 41030);
    const page = await group.admin('/subscribe/bizsend', { touser: 'o-x', template_id: 't', data: { thing1: { value: 'x' } }, miniprogram: { appid: 'wxmini', pagepath: 'pages/x' } });
    assertWeChatError(page, 400, 41030);
    assert.match(page.body.hint, /released/);
    group.stack.emulator.failNext('/wxaapi/newtmpl/addtemplate', 200011);
    assertWeChatError(await group.admin('/subscribe/addtemplate', { tid: '1001', kidList: [1, 2] }), 403, 200011);
  });
});

describe("CloudBase's bodies", () => {
  it('are answered with code 0 and WeChat\'s fields in data', async () => {
    assert.ok(Array.isArray(assertOk(await group.admin('/subscribe/getcategory', {})).data));
    const titles = assertOk(await group.admin('/subscribe/getpubtemplatetitles', { ids: '616' }));
    assert.equal(titles.count, 1);
    assert.equal(titles.data[0].tid, 3001);
    assert.equal(assertOk(await group.admin('/subscribe/getpubtemplatekeywords', { tid: '3001' })).data.length, 5);
    const added = assertOk(await group.admin('/subscribe/addtemplate', { tid: '3001', kidList: [1, 2, 3], sceneDesc: '取餐通知' }));
    assert.equal(added.errmsg, 'ok');
    assert.ok(assertOk(await group.admin('/subscribe/list', {})).data.some((template: { priTmplId: string }) => template.priTmplId === added.priTmplId));
    const openid = group.follow('sub-cloudbase');
    group.stack.emulator.audience.accept(group.appId, openid, added.priTmplId);
    const sent = assertOk(
      await group.admin('/subscribe/bizsend', {
        touser: openid,
        template_id: added.priTmplId,
        page: 'https://shop.example/pickup',
        data: { character_string1: { value: 'A023' }, thing2: { value: '人民路店' }, time3: { value: '12:30' } },
      }),
    );
    assert.deepEqual([sent.errcode, sent.errmsg], [0, 'ok']);
    assert.deepEqual(assertOk(await group.admin('/subscribe/deltemplate', { priTmplId: added.priTmplId })), { errcode: 0, errmsg: 'ok' });
  });
});
