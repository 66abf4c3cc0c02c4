/**
 * /template/* against the emulator over loopback: the account's industries (changed once in 30
 * days: 43100; 40102), its templates from the library of those industries (45027 from another,
 * 25 at most: 45026, 40037, 47003 for a keyword the template lacks), validation before WeChat,
 * and no credential in any answer or log line.
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

describe('industries', () => {
  it('are empty until set, then read back; a second change within 30 days answers 43100, after it works', async () => {
    const unset = assertOk(await group.admin('/template/industry_get', {}));
    assert.deepEqual(unset.primary_industry, { first_class: '', second_class: '' });

    assertOk(await group.admin('/template/industry_set', { industry_id1: '1', industry_id2: 13 }));
    const set = assertOk(await group.admin('/template/industry_get', {}));
    assert.deepEqual(set, { primary_industry: { first_class: 'IT科技', second_class: '互联网|电子商务' }, secondary_industry: { first_class: '运输与仓储', second_class: '快递' } });

    const again = await group.admin('/template/industry_set', { industry_id1: '2', industry_id2: '13' });
    assertWeChatError(again, 429, 43100);
    assert.match(again.body.hint, /once a month/);
    group.stack.clock.advance(30 * 86_400_000);
    assertOk(await group.admin('/template/industry_set', { industry_id1: '1', industry_id2: '13' }));
  });

  it('answers 40102 for an industry code WeChat does not have', async () => {
    group.stack.clock.advance(30 * 86_400_000);
    assertWeChatError(await group.admin('/template/industry_set', { industry_id1: '1', industry_id2: '99' }), 400, 40102);
  });

  it('refuses the same industry twice, a missing one and a code that is not digits, before calling WeChat', async () => {
    await assertRefusedBeforeWeChat(group, '/template/industry_set', { industry_id1: '1', industry_id2: '1' }, /industry_id2 must differ/);
    await assertRefusedBeforeWeChat(group, '/template/industry_set', { industry_id1: '1' }, /industry_id2/);
    await assertRefusedBeforeWeChat(group, '/template/industry_set', { industry_id1: 'IT', industry_id2: '2' }, /industry_id1/);
  });
});

describe('templates', () => {
  it('adds one of the industries\' library with chosen keywords, lists it with its placeholders, deletes it', async () => {
    const { template_id } = assertOk(await group.admin('/template/add', { template_id_short: 'TM00015', keyword_name_list: ['订单号', '支付金额'] }));
    const listed = assertOk(await group.admin('/template/list', {})).template_list.find((template: { template_id: string }) => template.template_id === template_id);
    assert.deepEqual(listed, {
      template_id,
      title: '订单支付成功',
      primary_industry: 'IT科技',
      deputy_industry: '互联网|电子商务',
      content: '订单号:{{character_string1.DATA}}\n支付金额:{{amount2.DATA}}',
      example: '订单号:D20261124001\n支付金额:¥99.00',
    });
    assertOk(await group.admin('/template/del', { template_id }));
    assertWeChatError(await group.admin('/template/del', { template_id }), 400, 40037);
  });

  it('answers 45027 for a template of an industry the account has not set, 40037 for an unknown one, 47003 for a keyword it lacks', async () => {
    const conflict = await group.admin('/template/add', { template_id_short: 'TM00850' });
    assertWeChatError(conflict, 409, 45027);
    assert.match(conflict.body.hint, /industry_set/);
    assertWeChatError(await group.admin('/template/add', { template_id_short: 'TM99999' }), 400, 40037);
    assertWeChatError(await group.admin('/template/add', { template_id_short: 'TM00303', keyword_name_list: ['车牌号'] }), 400, 47003);
  });

  it('keeps at most 25: the 26th answers 45026', async () => {
    const existing = assertOk(await group.admin('/template/list', {})).template_list.length;
    for (let index = existing; index < 25; index++) assertOk(await group.admin('/template/add', { template_id_short: 'TM00303' }));
    assertWeChatError(await group.admin('/template/add', { template_id_short: 'TM00303' }), 409, 45026);
    for (const { template_id } of assertOk(await group.admin('/template/list', {})).template_list) assertOk(await group.admin('/template/del', { template_id }));
  });

  it('refuses a missing short id, an empty keyword list and a missing template_id before calling WeChat', async () => {
    await assertRefusedBeforeWeChat(group, '/template/add', {}, /template_id_short is required/);
    await assertRefusedBeforeWeChat(group, '/template/add', { template_id_short: 'TM00015', keyword_name_list: [] }, /keyword_name_list must have at least 1 item/);
    await assertRefusedBeforeWeChat(group, '/template/del', {}, /template_id is required/);
  });
});
