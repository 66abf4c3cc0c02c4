/**
 * The menu group's emulator part: each account's default and conditional menus, checked with
 * WeChat's rules, read back in menu/get's shape and in get_current_selfmenu_info's own shape,
 * and matched to a follower's tags and language. `menus` is the state the simulated phone reads.
 */
import { wxError, type Reply } from '../../emulator/core.js';
import type { EmulatorPart, EmulatorPartFactory } from '../../emulator/part.js';
import { wechat } from './endpoints.js';
import { checkButtons, type MenuButton } from './rules.js';
import { MenuState, type MatchRule, type StoredMenu } from './state.js';

export { MenuState, type MatchRule, type MenuButton, type StoredMenu } from './state.js';

export interface MenuEmulatorPart extends EmulatorPart {
  menus: MenuState;
}

const OK = { errcode: 0, errmsg: 'ok' };
const NO_MENU = () => wxError(46003, 'menu no exist');
const RULE_FIELDS = ['tag_id', 'sex', 'country', 'province', 'city', 'client_platform_type', 'language'] as const;

/** menu/get shows every top-level leaf with an empty sub_button list. */
const withSubLists = (button: MenuButton[]) => button.map((item) => ({ ...item, sub_button: item.sub_button ?? [] }));

/** get_current_selfmenu_info nests sub-buttons under `list`. */
const selfmenu = (button: MenuButton[]) => button.map((item) => (item.sub_button ? { name: item.name, sub_button: { list: item.sub_button } } : item));

function readRule(input: unknown): MatchRule | undefined {
  if (typeof input !== 'object' || input === null) return undefined;
  const rule: MatchRule = {};
  for (const field of RULE_FIELDS) {
    const value = (input as Record<string, unknown>)[field];
    if ((typeof value === 'string' && value !== '') || typeof value === 'number') rule[field] = String(value);
  }
  return Object.keys(rule).length ? rule : undefined;
}

export const part: EmulatorPartFactory<MenuEmulatorPart> = (core) => {
  const menus = new MenuState(core.audience);
  core.onReset(() => menus.reset());
  return {
    menus,
    endpoints: [
      {
        ...wechat.create,
        token: 'global',
        dailyQuota: 1000,
        answer: ({ account, body }) => {
          const button = checkButtons(body.button);
          if ('errcode' in button) return button;
          menus.setDefault(account!.app.appId, button);
          return OK;
        },
      },
      {
        ...wechat.get,
        token: 'global',
        dailyQuota: 10_000,
        answer: ({ account }) => {
          const appId = account!.app.appId;
          const menu = menus.current(appId);
          if (!menu) return NO_MENU();
          const reply: Reply = { menu: { button: withSubLists(menu.button), menuid: menu.menuid } };
          const conditional = menus.conditional(appId);
          if (conditional.length) reply.conditionalmenu = conditional.map((item) => ({ button: withSubLists(item.button), matchrule: item.matchrule, menuid: item.menuid }));
          return reply;
        },
      },
      {
        ...wechat.current,
        token: 'global',
        dailyQuota: 10_000,
        answer: ({ account }) => {
          const menu = menus.current(account!.app.appId);
          return { is_menu_open: menu ? 1 : 0, selfmenu_info: { button: menu ? selfmenu(menu.button) : [] } };
        },
      },
      {
        ...wechat.delete,
        token: 'global',
        dailyQuota: 1000,
        answer: ({ account }) => (menus.remove(account!.app.appId) ? OK : NO_MENU()),
      },
      {
        ...wechat.addConditional,
        token: 'global',
        answer: ({ account, body }) => {
          const appId = account!.app.appId;
          const button = checkButtons(body.button);
          if ('errcode' in button) return button;
          const rule = readRule(body.matchrule);
          if (!rule) return wxError(65304, 'match rule empty');
          if (rule.province && !rule.country) return wxError(65310, 'country info is null');
          if (rule.city && !rule.province) return wxError(65311, 'province info is null');
          if (!menus.current(appId)) return wxError(65303, 'there is no selfmenu, please create selfmenu first');
          return { menuid: String(menus.addConditional(appId, button, rule).menuid) };
        },
      },
      {
        ...wechat.delConditional,
        token: 'global',
        answer: ({ account, body }) => {
          const menuid = Number(body.menuid);
          if (!Number.isSafeInteger(menuid) || !menus.removeConditional(account!.app.appId, menuid)) return wxError(65301, 'no conditional menu with this menuid');
          return OK;
        },
      },
      {
        ...wechat.tryMatch,
        token: 'global',
        answer: ({ account, body }) => {
          const appId = account!.app.appId;
          const follower = core.audience.all(appId).find((one) => one.openid === body.user_id || one.name === body.user_id);
          if (!follower) return wxError(65302, 'no such user');
          const menu: StoredMenu | undefined = menus.forFollower(appId, follower.openid);
          return menu ? { button: withSubLists(menu.button) } : NO_MENU();
        },
      },
    ],
  };
};
