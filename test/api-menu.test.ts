/**
 * The menu group over real HTTP against the emulator: CloudBase's bodies for /menu/create,
 * /menu/get and /menu/delete, the menu in effect, conditional menus and trymatch, WeChat's
 * limits refused before any call, the emulator's own errcodes for bodies that reach it directly,
 * the daily quota, and the state the simulated phone reads.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { MenuEmulatorPart } from '../src/apis/menu/emulator.js';
import { startStack, TEST_APP_SECRET, type Stack } from './support/stack.js';
import { ADMIN_KEY, randomAppId } from './support/random-account.js';
import { assertRefused as refused, assertWeChatError } from './support/api-assertions.js';

const ADMIN = { 'x-api-key': ADMIN_KEY };

/** The menu of CloudBase's and WeChat's documentation: a click, and a parent with a view and a click. */
const MENU = {
  button: [
    { type: 'click', name: '今日歌曲', key: 'V1001_TODAY_MUSIC' },
    {
      name: '菜单',
      sub_button: [
        { type: 'view', name: '搜索', url: 'http://www.soso.com/' },
        { type: 'click', name: '赞一下我们', key: 'V1001_GOOD' },
      ],
    },
  ],
};

let stack: Stack;
let appId: string;
let part: MenuEmulatorPart;

before(async () => {
  appId = randomAppId();
  stack = await startStack({ env: { appId, ADMIN_API_KEY: ADMIN_KEY, RATE_LIMIT_PER_MINUTE: '0' } });
  stack.emulator.addApp({ appId, appSecret: TEST_APP_SECRET });
  part = stack.emulator.part<MenuEmulatorPart>('menu')!;
});
after(() => stack.close());
beforeEach(() => stack.emulator.reset());

const call = (path: string, body: unknown = {}) => stack.call(path, body, ADMIN);

const assertRefused = (path: string, body: unknown, field: RegExp) => refused(stack, ADMIN, path, body, field);

describe("CloudBase's menu routes with CloudBase's bodies", () => {
  it('creates, reads back in menu/get shape, deletes, and then answers 46003 as 404', async () => {
    const created = await call('/menu/create', MENU);
    assert.equal(created.status, 200, created.text);
    assert.deepEqual(created.body, { code: 0, msg: 'success', data: { errcode: 0, errmsg: 'ok' } });

    const got = await call('/menu/get');
    assert.equal(got.status, 200, got.text);
    assert.equal(got.body.code, 0);
    assert.equal(typeof got.body.data.menu.menuid, 'number');
    assert.deepEqual(got.body.data.menu.button, [
      { ...MENU.button[0], sub_button: [] },
      MENU.button[1],
    ]);
    assert.equal(got.body.data.conditionalmenu, undefined, 'no conditionalmenu without conditional menus');

    const deleted = await call('/menu/delete');
    assert.equal(deleted.body.code, 0, deleted.text);
    assertWeChatError(await call('/menu/get'), 404, 46003);
    assertWeChatError(await call('/menu/delete'), 404, 46003);
  });

  it('keeps menus per account: another AppID on the same emulator has none', async () => {
    await call('/menu/create', MENU);
    assert.ok(part.menus.current(appId));
    assert.equal(part.menus.current('wx0000000000000000'), undefined);
  });
});

describe('/menu/current (get_current_selfmenu_info)', () => {
  it("answers the menu in effect in WeChat's own shape, sub-buttons under list", async () => {
    const none = await call('/menu/current');
    assert.equal(none.status, 200, none.text);
    assert.deepEqual(none.body.data, { is_menu_open: 0, selfmenu_info: { button: [] } });

    await call('/menu/create', MENU);
    const current = await call('/menu/current');
    assert.deepEqual(current.body.data, {
      is_menu_open: 1,
      selfmenu_info: { button: [MENU.button[0], { name: '菜单', sub_button: { list: MENU.button[1].sub_button } }] },
    });
  });
});

describe("WeChat's limits, refused before any call", () => {
  const leaf = (extra: object = {}) => ({ type: 'click', name: 'A', key: 'k', ...extra });

  it('refuses button counts: none, more than 3, more than 5 sub-buttons', async () => {
    await assertRefused('/menu/create', {}, /button is required/);
    await assertRefused('/menu/create', { button: [] }, /button must have at least 1 items/);
    await assertRefused('/menu/create', { button: [leaf(), leaf(), leaf(), leaf()] }, /button must have at most 3 items/);
    const six = Array.from({ length: 6 }, () => leaf());
    await assertRefused('/menu/create', { button: [{ name: 'P', sub_button: six }] }, /button\[0\]\.sub_button must have at most 5 items/);
  });

  it('refuses names by UTF-8 bytes: 16 at the top, 60 in sub-menus', async () => {
    // 6 Chinese characters are 18 bytes; 5 are 15.
    await assertRefused('/menu/create', { button: [leaf({ name: '一二三四五六' })] }, /button\[0\]\.name must be at most 16 bytes/);
    assert.equal((await call('/menu/create', { button: [leaf({ name: '一二三四五' })] })).status, 200);
    const sub = (name: string) => ({ button: [{ name: 'P', sub_button: [leaf({ name })] }] });
    await assertRefused('/menu/create', sub('字'.repeat(21)), /button\[0\]\.sub_button\[0\]\.name must be at most 60 bytes/);
    assert.equal((await call('/menu/create', sub('字'.repeat(20)))).status, 200);
    await assertRefused('/menu/create', { button: [leaf({ name: '' })] }, /button\[0\]\.name must not be empty/);
  });

  it('refuses keys over 128 bytes and urls over 1024', async () => {
    await assertRefused('/menu/create', { button: [leaf({ key: 'k'.repeat(129) })] }, /button\[0\]\.key must be at most 128 bytes/);
    const url = 'https://a.example/' + 'x'.repeat(1007);
    await assertRefused('/menu/create', { button: [{ type: 'view', name: 'V', url }] }, /button\[0\]\.url must be at most 1024 bytes/);
  });

  it('refuses unknown types and the fields each type needs', async () => {
    await assertRefused('/menu/create', { button: [leaf({ type: 'text' })] }, /button\[0\]\.type must be one of .*click/);
    await assertRefused('/menu/create', { button: [{ name: 'A' }] }, /button\[0\]\.type is required/);
    await assertRefused('/menu/create', { button: [{ type: 'click', name: 'A' }] }, /button\[0\]\.key is required for type click/);
    await assertRefused('/menu/create', { button: [{ type: 'view', name: 'A' }] }, /button\[0\]\.url is required for type view/);
    await assertRefused(
      '/menu/create',
      { button: [{ type: 'miniprogram', name: 'A', url: 'https://a.example/', pagepath: 'pages/index' }] },
      /button\[0\]\.appid is required for type miniprogram/,
    );
    await assertRefused('/menu/create', { button: [{ type: 'media_id', name: 'A' }] }, /button\[0\]\.media_id is required/);
    await assertRefused('/menu/create', { button: [{ name: 'P', sub_button: [{ type: 'article_id', name: 'B' }] }] }, /button\[0\]\.sub_button\[0\]\.article_id is required/);
  });

  it('refuses conditional menus without a rule, and regions out of order', async () => {
    await assertRefused('/menu/addconditional', { button: [leaf()] }, /matchrule is required/);
    await assertRefused('/menu/addconditional', { button: [leaf()], matchrule: {} }, /matchrule must set at least one/);
    await assertRefused('/menu/addconditional', { button: [leaf()], matchrule: { province: '广东' } }, /matchrule\.country is required with province/);
    await assertRefused('/menu/addconditional', { button: [leaf()], matchrule: { country: '中国', city: '广州' } }, /matchrule\.province is required with city/);
    await assertRefused('/menu/delconditional', { menuid: 'abc' }, /menuid/);
    await assertRefused('/menu/trymatch', {}, /user_id is required/);
  });
});

describe('conditional menus', () => {
  it('needs a default menu first (65303), answers a menuid, shows in menu/get, and is deleted by id', async () => {
    const rule = { tag_id: '2' };
    assertWeChatError(await call('/menu/addconditional', { button: [{ type: 'click', name: 'VIP', key: 'vip' }], matchrule: rule }), 400, 65303);
    await call('/menu/create', MENU);
    const added = await call('/menu/addconditional', { button: [{ type: 'click', name: 'VIP', key: 'vip' }], matchrule: rule });
    assert.equal(added.status, 200, added.text);
    assert.match(added.body.data.menuid, /^\d+$/);

    const got = (await call('/menu/get')).body.data;
    assert.equal(got.conditionalmenu.length, 1);
    assert.deepEqual(got.conditionalmenu[0].matchrule, rule);
    assert.equal(String(got.conditionalmenu[0].menuid), added.body.data.menuid);

    assertWeChatError(await call('/menu/delconditional', { menuid: '1' }), 404, 65301);
    assert.equal((await call('/menu/delconditional', { menuid: added.body.data.menuid })).body.code, 0);
    assert.equal((await call('/menu/get')).body.data.conditionalmenu, undefined);
  });

  it("trymatch answers the menu a follower sees by tag and language; 65302 for someone unknown", async () => {
    await call('/menu/create', MENU);
    await call('/menu/addconditional', { button: [{ type: 'click', name: 'VIP', key: 'vip' }], matchrule: { tag_id: 100 } });
    await call('/menu/addconditional', { button: [{ type: 'click', name: 'EN', key: 'en' }], matchrule: { language: 'en' } });
    const vip = stack.emulator.audience.follow(appId, 'vip');
    vip.tagIds.push(100);
    const english = stack.emulator.audience.follow(appId, 'english', { language: 'en' });
    const plain = stack.emulator.audience.follow(appId, 'plain');

    const keyFor = async (userId: string) => (await call('/menu/trymatch', { user_id: userId })).body.data.button[0].key;
    assert.equal(await keyFor(vip.openid), 'vip');
    assert.equal(await keyFor(english.openid), 'en');
    assert.equal(await keyFor(plain.openid), 'V1001_TODAY_MUSIC');
    // The newest matching menu wins.
    english.tagIds.push(100);
    assert.equal(await keyFor(english.openid), 'en');
    assertWeChatError(await call('/menu/trymatch', { user_id: 'o-nobody' }), 404, 65302);
  });
});

describe('the emulator, for bodies that reach it directly', () => {
  let token: string;
  beforeEach(async () => {
    // A route call first: the emulator's reset forgot the token the function holds, and the call renews it.
    await call('/menu/current');
    token = (await stack.call('/token/get', {}, ADMIN)).body.data.access_token;
  });
  const direct = async (button: unknown) => {
    const response = await fetch(`${stack.emulatorUrl}/cgi-bin/menu/create?access_token=${token}`, { method: 'POST', body: JSON.stringify({ button }) });
    return ((await response.json()) as { errcode: number }).errcode;
  };
  const leaf = (extra: object = {}) => ({ type: 'click', name: 'A', key: 'k', ...extra });
  const sub = (extra: object) => [{ name: 'P', sub_button: [leaf(extra)] }];

  it('answers the 40016–40020 and 40023–40027 family', async () => {
    assert.equal(await direct([leaf(), leaf(), leaf(), leaf()]), 40016);
    assert.equal(await direct(undefined), 40016);
    assert.equal(await direct([leaf({ type: 'nope' })]), 40017);
    assert.equal(await direct([leaf({ name: '一二三四五六' })]), 40018);
    assert.equal(await direct([leaf({ key: 'k'.repeat(129) })]), 40019);
    assert.equal(await direct([{ type: 'view', name: 'V' }]), 40020);
    assert.equal(await direct([{ name: 'P', sub_button: Array.from({ length: 6 }, () => leaf()) }]), 40023);
    assert.equal(await direct(sub({ type: 'nope' })), 40024);
    assert.equal(await direct(sub({ name: 'x'.repeat(61) })), 40025);
    assert.equal(await direct(sub({ key: '' })), 40026);
    assert.equal(await direct(sub({ type: 'view', url: 'u'.repeat(1025) })), 40027);
    assert.equal(await direct([{ type: 'media_id', name: 'M' }]), 40007);
    assert.equal(await direct([leaf()]), 0);
  });

  it('answers 45009 past 1,000 menu/create calls a day, as 503 from the function', async () => {
    const body = JSON.stringify({ button: [leaf()] });
    for (let i = 0; i < 1000; i++) {
      const response = await stack.emulator.app.fetch(new Request(`http://emulator/cgi-bin/menu/create?access_token=${token}`, { method: 'POST', body }));
      assert.equal(((await response.json()) as { errcode: number }).errcode, 0);
    }
    const refused = await call('/menu/create', MENU);
    assert.equal(refused.status, 503, refused.text);
    assert.equal(refused.body.errcode, 45009);
    assert.equal((await call('/menu/get')).status, 200, 'menu/get has its own quota');
  });
});

describe('the state the simulated phone reads', () => {
  it("gives the menu a follower sees and the button a tap refers to", async () => {
    await call('/menu/create', MENU);
    await call('/menu/addconditional', { button: [{ type: 'view', name: 'VIP', url: 'https://vip.example/' }], matchrule: { tag_id: '7' } });
    const vip = stack.emulator.audience.follow(appId, 'tapper');
    const other = stack.emulator.audience.follow(appId, 'other');
    vip.tagIds.push(7);

    assert.equal(part.menus.current(appId)!.button.length, 2);
    assert.equal(part.menus.forFollower(appId, vip.openid)!.button[0].name, 'VIP');
    assert.deepEqual(part.menus.buttonAt(appId, other.openid, 1, 1), { type: 'click', name: '赞一下我们', key: 'V1001_GOOD' });
    assert.deepEqual(part.menus.buttonAt(appId, vip.openid, 0), { type: 'view', name: 'VIP', url: 'https://vip.example/' });
    assert.equal(part.menus.buttonAt(appId, undefined, 5), undefined);
  });
});

describe('credentials', () => {
  it('never puts the global access_token or the AppSecret in a response or a log line', async () => {
    await call('/menu/create', MENU);
    await call('/menu/get');
    await call('/menu/delete');
    await call('/menu/get');
    const token = (await stack.call('/token/get', {}, ADMIN)).body.data.access_token;
    const seen = [...stack.logs, ...stack.responses.filter((text) => !text.includes('"expires_in"'))].join('\n');
    assert.ok(!seen.includes(token), 'no token');
    assert.ok(!seen.includes(TEST_APP_SECRET), 'no secret');
  });

  it('needs the admin key', async () => {
    stack.emulator.resetCounts();
    const result = await stack.call('/menu/create', MENU);
    assert.equal(result.status, 403);
    assert.deepEqual(stack.emulator.counts(), {});
  });
});
