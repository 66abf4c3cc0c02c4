/** Subscription notifications (wechat-oa-api.md §4): the send and the template library. */
import type { WeChatEndpoint } from '../../function/route.js';

export const wechat = {
  bizsend: { method: 'POST', path: '/cgi-bin/message/subscribe/bizsend' },
  addTemplate: { method: 'POST', path: '/wxaapi/newtmpl/addtemplate' },
  delTemplate: { method: 'POST', path: '/wxaapi/newtmpl/deltemplate' },
  category: { method: 'GET', path: '/wxaapi/newtmpl/getcategory' },
  titles: { method: 'GET', path: '/wxaapi/newtmpl/getpubtemplatetitles' },
  keywords: { method: 'GET', path: '/wxaapi/newtmpl/getpubtemplatekeywords' },
  templates: { method: 'GET', path: '/wxaapi/newtmpl/gettemplate' },
} as const satisfies Record<string, WeChatEndpoint>;
