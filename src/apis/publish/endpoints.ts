/** The WeChat endpoints of publishing (wechat-oa-api.md §10.9). */
import type { WeChatEndpoint } from '../../function/route.js';

export const wechat = {
  submit: { method: 'POST', path: '/cgi-bin/freepublish/submit' },
  get: { method: 'POST', path: '/cgi-bin/freepublish/get' },
  delete: { method: 'POST', path: '/cgi-bin/freepublish/delete' },
  getArticle: { method: 'POST', path: '/cgi-bin/freepublish/getarticle' },
  batchget: { method: 'POST', path: '/cgi-bin/freepublish/batchget' },
} as const satisfies Record<string, WeChatEndpoint>;
