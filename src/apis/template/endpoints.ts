/** Template messages (wechat-oa-api.md §7): the account's industries and private templates, and the send. */
import type { WeChatEndpoint } from '../../function/route.js';

export const wechat = {
  setIndustry: { method: 'POST', path: '/cgi-bin/template/api_set_industry' },
  getIndustry: { method: 'GET', path: '/cgi-bin/template/get_industry' },
  add: { method: 'POST', path: '/cgi-bin/template/api_add_template' },
  list: { method: 'GET', path: '/cgi-bin/template/get_all_private_template' },
  del: { method: 'POST', path: '/cgi-bin/template/del_private_template' },
  /** Called by /message/template_send; answered by this group's emulator part, which holds the templates. */
  send: { method: 'POST', path: '/cgi-bin/message/template/send' },
} as const satisfies Record<string, WeChatEndpoint>;
