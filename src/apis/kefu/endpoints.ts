/** The WeChat endpoints the kefu group calls (wechat-oa-api.md §5). */
import type { WeChatEndpoint } from '../../function/route.js';

export const wechat = {
  send: { method: 'POST', path: '/cgi-bin/message/custom/send' },
  typing: { method: 'POST', path: '/cgi-bin/message/custom/typing' },
  add: { method: 'POST', path: '/customservice/kfaccount/add' },
  update: { method: 'POST', path: '/customservice/kfaccount/update' },
  del: { method: 'POST', path: '/customservice/kfaccount/del' },
  list: { method: 'GET', path: '/cgi-bin/customservice/getkflist' },
  listOnline: { method: 'GET', path: '/cgi-bin/customservice/getonlinekflist' },
  invite: { method: 'POST', path: '/customservice/kfaccount/inviteworker' },
  uploadHeadimg: { method: 'POST', path: '/customservice/kfaccount/uploadheadimg' },
} as const satisfies Record<string, WeChatEndpoint>;
