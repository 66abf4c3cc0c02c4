/** The WeChat endpoints behind temporary media and permanent material (wechat-oa-api.md §10.1–§10.9). */
import type { WeChatEndpoint } from '../../function/route.js';

export const wechat = {
  upload: { method: 'POST', path: '/cgi-bin/media/upload' },
  get: { method: 'GET', path: '/cgi-bin/media/get' },
  uploadImg: { method: 'POST', path: '/cgi-bin/media/uploadimg' },
  addMaterial: { method: 'POST', path: '/cgi-bin/material/add_material' },
  getMaterial: { method: 'POST', path: '/cgi-bin/material/get_material' },
  delMaterial: { method: 'POST', path: '/cgi-bin/material/del_material' },
  count: { method: 'GET', path: '/cgi-bin/material/get_materialcount' },
  batchget: { method: 'POST', path: '/cgi-bin/material/batchget_material' },
  /** Retired by WeChat (drafts replace it); kept because CloudBase's function calls it. */
  addNews: { method: 'POST', path: '/cgi-bin/material/add_news' },
} as const satisfies Record<string, WeChatEndpoint>;
