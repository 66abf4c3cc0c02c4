/** The WeChat endpoints the menu group calls (wechat-oa-api.md §6). */
import type { WeChatEndpoint } from '../../function/route.js';

export const wechat = {
  create: { method: 'POST', path: '/cgi-bin/menu/create' },
  get: { method: 'GET', path: '/cgi-bin/menu/get' },
  current: { method: 'GET', path: '/cgi-bin/get_current_selfmenu_info' },
  delete: { method: 'GET', path: '/cgi-bin/menu/delete' },
  addConditional: { method: 'POST', path: '/cgi-bin/menu/addconditional' },
  delConditional: { method: 'POST', path: '/cgi-bin/menu/delconditional' },
  tryMatch: { method: 'POST', path: '/cgi-bin/menu/trymatch' },
} as const satisfies Record<string, WeChatEndpoint>;
