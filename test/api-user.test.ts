/**
 * /user/* over real HTTP against the real function and the emulator: follower info, the follower
 * list, batch info, remarks, tags and the blacklist, with WeChat's limits and errcodes, the 400s
 * that cost no WeChat call, CloudBase's own bodies, and no token or AppSecret in any answer or log.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { startStack, TEST_APP_ID, TEST_APP_SECRET, type CallResult, type Stack } from './support/stack.js';
import { ADMIN_KEY } from './support/random-account.js';
import type { UserEmulatorPart } from '../src/apis/user/emulator.js';

const ADMIN = { 'x-api-key': ADMIN_KEY };
let stack: Stack;

before(async () => {
  stack = await startStack({ env: { ADMIN_API_KEY: ADMIN_KEY, RATE_LIMIT_PER_MINUTE: '0' } });
});
after(async () => {
  await stack.close();
});
beforeEach(() => {
  stack.emulator.audience.reset();
  stack.emulator.part<UserEmulatorPart>('user')!.tags.reset();
});

const call = (path: string, body: unknown) => stack.call(path, body, ADMIN);
const follow = (name: string, options = {}) => stack.emulator.audience.follow(TEST_APP_ID, name, options).openid;

function ok(result: CallResult): any {
  assert.equal(result.status, 200, result.text);
  assert.equal(result.body.code, 0, result.text);
  return result.body.data;
}

function wechatError(result: CallResult, errcode: number, status = 400) {
  assert.equal(result.status, status, result.text);
  assert.equal(result.body.code, -1);
  assert.equal(result.body.errcode, errcode, result.text);
  assert.match(result.body.msg, new RegExp(`\\[${errcode}\\]`));
  assert.ok(result.body.hint, `a hint for ${errcode}`);
  assert.match(result.body.rid, /^[0-9a-f]+-[0-9a-f]+-[0-9a-f]+$/);
}

/** A 400 naming the field, and not one WeChat call. */
async function refused(path: string, body: unknown, field: RegExp) {
  const before = stack.emulator.counts();
  const result = await call(path, body);
  assert.equal(result.status, 400, result.text);
  assert.equal(result.body.code, -1);
  assert.match(result.body.msg, field);
  assert.deepEqual(stack.emulator.counts(), before, `no WeChat call for ${JSON.stringify(body)}`);
}

describe('/user/info', () => {
  it("answers WeChat's fields for a follower, and only openid for someone who left", async () => {
    const openid = follow('alice', { qrSceneStr: 'poster' });
    const data = ok(await call('/user/info', { openid, lang: 'en' }));
    assert.equal(data.subscribe, 1);
    assert.equal(data.openid, openid);
    assert.equal(data.subscribe_scene, 'ADD_SCENE_QR_CODE');
    assert.equal(data.qr_scene_str, 'poster');
    assert.deepEqual(data.tagid_list, []);
    assert.equal(typeof data.subscribe_time, 'number');
    stack.emulator.audience.unfollow(TEST_APP_ID, openid);
    assert.deepEqual(ok(await call('/user/info', { openid })), { subscribe: 0, openid });
  });

  it('answers 40003 for an openid of another account or a malformed one', async () => {
    const other = stack.emulator.audience.follow('wx00000000000000ff', 'alice').openid;
    wechatError(await call('/user/info', { openid: other }), 40003);
    wechatError(await call('/user/info', { openid: 'not-an-openid' }), 40003);
  });

  it('refuses a missing openid or an unknown lang before calling WeChat', async () => {
    await refused('/user/info', {}, /openid is required/);
    await refused('/user/info', { openid: 'o1', lang: 'fr' }, /lang must be one of/);
    await refused('/user/info', { openid: '' }, /openid must not be empty/);
  });
});

describe('/user/list', () => {
  it('pages through followers, ending with count 0; people who left are not listed', async () => {
    const ids = ['a', 'b', 'c'].map((name) => follow(name));
    stack.emulator.audience.unfollow(TEST_APP_ID, ids[1]);
    const first = ok(await call('/user/list', {}));
    assert.deepEqual(first, { total: 2, count: 2, data: { openid: [ids[0], ids[2]] }, next_openid: ids[2] });
    const end = ok(await call('/user/list', { next_openid: first.next_openid }));
    assert.equal(end.count, 0);
  });

  it('answers 40003 for a next_openid WeChat does not know', async () => {
    follow('a');
    wechatError(await call('/user/list', { next_openid: 'unknown' }), 40003);
  });

  it('answers 10,000 openids a page', async () => {
    for (let i = 0; i <= 10_000; i++) stack.emulator.audience.follow(TEST_APP_ID, `f${i}`);
    const first = ok(await call('/user/list', {}));
    assert.deepEqual([first.total, first.count, first.data.openid.length], [10_001, 10_000, 10_000]);
    const second = ok(await call('/user/list', { next_openid: first.next_openid }));
    assert.equal(second.count, 1);
  });

  it("passes on WeChat's daily quota (45009) as 503", async () => {
    stack.emulator.failNext('/cgi-bin/user/get', 45009);
    const result = await call('/user/list', {});
    assert.equal(result.status, 503, result.text);
    assert.equal(result.body.errcode, 45009);
  });
});

describe('/user/batchget', () => {
  it("answers each user's info; one who left comes back with subscribe 0", async () => {
    const [a, b] = [follow('a'), follow('b')];
    stack.emulator.audience.unfollow(TEST_APP_ID, b);
    const data = ok(await call('/user/batchget', { user_list: [{ openid: a, lang: 'zh_CN' }, { openid: b }] }));
    assert.deepEqual(
      data.user_info_list.map((info: any) => [info.openid, info.subscribe]),
      [[a, 1], [b, 0]],
    );
  });

  it('answers 40003 when one openid is unknown', async () => {
    wechatError(await call('/user/batchget', { user_list: [{ openid: follow('a') }, { openid: 'nobody' }] }), 40003);
  });

  it('refuses an empty list or more than 100 users before calling WeChat', async () => {
    await refused('/user/batchget', { user_list: [] }, /user_list must have at least 1 items/);
    await refused('/user/batchget', { user_list: Array.from({ length: 101 }, (_, i) => ({ openid: `o${i}` })) }, /user_list must have at most 100 items/);
  });
});

describe('/user/remark', () => {
  it('sets the remark user/info then shows', async () => {
    const openid = follow('a');
    ok(await call('/user/remark', { openid, remark: '老客户，爱喝拿铁' }));
    assert.equal(ok(await call('/user/info', { openid })).remark, '老客户，爱喝拿铁');
  });

  it('answers 40003 for an unknown openid', async () => {
    wechatError(await call('/user/remark', { openid: 'nobody', remark: 'x' }), 40003);
  });

  it('refuses a remark over 30 characters before calling WeChat (30 Chinese characters pass)', async () => {
    await refused('/user/remark', { openid: 'o', remark: 'x'.repeat(31) }, /remark/);
    ok(await call('/user/remark', { openid: follow('a'), remark: '字'.repeat(30) }));
  });
});

describe('/user/tags', () => {
  const create = async (name: string) => ok(await call('/user/tags', { action: 'create', name })).tag as { id: number; name: string };

  it('creates, lists (with counts), renames and deletes tags', async () => {
    const tag = await create('广东');
    assert.equal(tag.name, '广东');
    const openid = follow('a');
    ok(await call('/user/tags', { action: 'tag', id: tag.id, openid_list: [openid] }));
    const { tags } = ok(await call('/user/tags', { action: 'list' }));
    assert.deepEqual(tags.find((listed: any) => listed.id === tag.id), { id: tag.id, name: '广东', count: 1 });
    assert.ok(tags.some((listed: any) => listed.id === 2), 'the system tag 2 is listed');
    ok(await call('/user/tags', { action: 'update', id: tag.id, name: '广东人' }));
    ok(await call('/user/tags', { action: 'delete', id: tag.id }));
    assert.ok(!ok(await call('/user/tags', { action: 'list' })).tags.some((listed: any) => listed.id === tag.id));
    assert.deepEqual(ok(await call('/user/tags', { action: 'of_user', openid })).tagid_list, [], 'deleting a tag untags its followers');
  });

  it("tags and untags followers; users lists a tag's followers and of_user a follower's tags", async () => {
    const tag = await create('vip');
    const [a, b] = [follow('a'), follow('b')];
    ok(await call('/user/tags', { action: 'tag', id: tag.id, openid_list: [a, b] }));
    assert.deepEqual(ok(await call('/user/tags', { action: 'users', id: tag.id })), { count: 2, data: { openid: [a, b] }, next_openid: b });
    assert.deepEqual(ok(await call('/user/tags', { action: 'of_user', openid: a })).tagid_list, [tag.id]);
    assert.deepEqual(ok(await call('/user/info', { openid: a })).tagid_list, [tag.id]);
    ok(await call('/user/tags', { action: 'untag', id: tag.id, openid_list: [a] }));
    assert.deepEqual(ok(await call('/user/tags', { action: 'users', id: tag.id })).data.openid, [b]);
  });

  it('answers 45157 for a duplicate name and 45056 past 100 tags', async () => {
    await create('dup');
    wechatError(await call('/user/tags', { action: 'create', name: 'dup' }), 45157);
    for (let i = 1; i < 100; i++) await create(`t${i}`);
    wechatError(await call('/user/tags', { action: 'create', name: 'one-too-many' }), 45056);
  });

  it('answers 45058 for the system tags, 45159 for an unknown id', async () => {
    for (const id of [0, 1, 2]) wechatError(await call('/user/tags', { action: 'delete', id }), 45058);
    wechatError(await call('/user/tags', { action: 'update', id: 2, name: 'x' }), 45058);
    wechatError(await call('/user/tags', { action: 'delete', id: 999 }), 45159);
    wechatError(await call('/user/tags', { action: 'users', id: 999 }), 45159);
    wechatError(await call('/user/tags', { action: 'tag', id: 999, openid_list: [follow('a')] }), 45159);
  });

  it('answers 45059 when a follower would carry more than 20 tags, tagging nobody', async () => {
    const [a, b] = [follow('a'), follow('b')];
    for (let i = 0; i < 20; i++) ok(await call('/user/tags', { action: 'tag', id: (await create(`t${i}`)).id, openid_list: [a] }));
    const extra = await create('extra');
    wechatError(await call('/user/tags', { action: 'tag', id: extra.id, openid_list: [b, a] }), 45059);
    assert.deepEqual(ok(await call('/user/tags', { action: 'of_user', openid: b })).tagid_list, []);
  });

  it('answers 40003 for an unknown openid', async () => {
    const tag = await create('x');
    wechatError(await call('/user/tags', { action: 'tag', id: tag.id, openid_list: ['nobody'] }), 40003);
    wechatError(await call('/user/tags', { action: 'of_user', openid: 'nobody' }), 40003);
  });

  it("takes CloudBase's bodies: {action: 'create', name}, {action: 'list'}, {action: 'delete', id}", async () => {
    const created = ok(await stack.call('/user/tags', { action: 'create', name: '广东' }, ADMIN));
    assert.deepEqual(Object.keys(created), ['tag']);
    assert.ok(Array.isArray(ok(await stack.call('/user/tags', { action: 'list' }, ADMIN)).tags));
    assert.deepEqual(ok(await stack.call('/user/tags', { action: 'delete', id: created.tag.id }, ADMIN)), { errcode: 0, errmsg: 'ok' });
  });

  it('refuses bad bodies before calling WeChat, naming the field', async () => {
    await refused('/user/tags', { action: 'rename' }, /action/);
    await refused('/user/tags', { action: 'create' }, /name is required/);
    await refused('/user/tags', { action: 'create', name: '' }, /name must not be empty/);
    await refused('/user/tags', { action: 'create', name: '字'.repeat(31) }, /name/);
    await refused('/user/tags', { action: 'delete', id: 'x' }, /id must be a number/);
    await refused('/user/tags', { action: 'delete', id: -1 }, /id must be at least 0/);
    await refused('/user/tags', { action: 'tag', id: 100, openid_list: [] }, /openid_list must have at least 1 items/);
    await refused('/user/tags', { action: 'tag', id: 100, openid_list: Array.from({ length: 51 }, (_, i) => `o${i}`) }, /openid_list must have at most 50 items/);
  });
});

describe('/user/blacklist', () => {
  it('adds, lists and removes; the follower carries the flag other groups read', async () => {
    const [a, b] = [follow('a'), follow('b')];
    ok(await call('/user/blacklist', { action: 'add', openid_list: [a, b] }));
    assert.equal(stack.emulator.audience.get(TEST_APP_ID, a)!.blacklisted, true);
    assert.deepEqual(ok(await call('/user/blacklist', { action: 'list' })), { total: 2, count: 2, data: { openid: [a, b] }, next_openid: b });
    ok(await call('/user/blacklist', { action: 'remove', openid_list: [a] }));
    assert.deepEqual(ok(await call('/user/blacklist', { action: 'list', begin_openid: '' })).data.openid, [b]);
    assert.equal(stack.emulator.audience.get(TEST_APP_ID, a)!.blacklisted, false);
  });

  it('answers 40003 for an unknown openid', async () => {
    wechatError(await call('/user/blacklist', { action: 'add', openid_list: ['nobody'] }), 40003);
  });

  it('refuses more than 20 openids or an unknown action before calling WeChat', async () => {
    await refused('/user/blacklist', { action: 'add', openid_list: Array.from({ length: 21 }, (_, i) => `o${i}`) }, /openid_list must have at most 20 items/);
    await refused('/user/blacklist', { action: 'purge' }, /action/);
  });
});

describe('who may call /user/*', () => {
  it('refuses a caller without the admin key before calling WeChat', async () => {
    const before = stack.emulator.counts();
    for (const path of ['/user/info', '/user/list', '/user/batchget', '/user/remark', '/user/tags', '/user/blacklist']) {
      assert.equal((await stack.call(path, {})).status, 403, path);
    }
    assert.deepEqual(stack.emulator.counts(), before);
  });

  it('puts neither the global access_token nor the AppSecret in any answer or log line', async () => {
    follow('a');
    ok(await call('/user/list', {}));
    wechatError(await call('/user/info', { openid: 'nobody' }), 40003);
    const seen = stack.responses.join('\n') + stack.logs.join('\n');
    const token = ok(await call('/token/get', {})).access_token as string;
    assert.ok(!seen.includes(token), 'the global access_token leaked');
    assert.ok(!(seen + stack.responses.at(-1)).includes(TEST_APP_SECRET), 'the AppSecret leaked');
    assert.ok(!stack.logs.join('\n').includes(token), 'the global access_token is in a log line');
  });
});
