/** The WeChat endpoints of API management (wechat-oa-api.md §3). */
import type { WeChatEndpoint } from '../../function/route.js';

export const wechat = {
  clearQuota: { method: 'POST', path: '/cgi-bin/clear_quota' },
  /** With the AppSecret instead of a token: for the day the token fetches ran out. */
  clearQuotaV2: { method: 'POST', path: '/cgi-bin/clear_quota/v2' },
  quotaGet: { method: 'POST', path: '/cgi-bin/openapi/quota/get' },
  ridGet: { method: 'POST', path: '/cgi-bin/openapi/rid/get' },
} as const satisfies Record<string, WeChatEndpoint>;

/** Resets a month an account may make, shared by clear_quota, clear_quota/v2 and the console button. */
export const CLEARS_PER_MONTH = 10;
