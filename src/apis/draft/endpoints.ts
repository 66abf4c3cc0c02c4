/** The WeChat endpoints of the draft box (wechat-oa-api.md §10.9). */
import type { WeChatEndpoint } from '../../function/route.js';

export const wechat = {
  add: { method: 'POST', path: '/cgi-bin/draft/add' },
  get: { method: 'POST', path: '/cgi-bin/draft/get' },
  update: { method: 'POST', path: '/cgi-bin/draft/update' },
  delete: { method: 'POST', path: '/cgi-bin/draft/delete' },
  count: { method: 'GET', path: '/cgi-bin/draft/count' },
  batchget: { method: 'POST', path: '/cgi-bin/draft/batchget' },
} as const satisfies Record<string, WeChatEndpoint>;
