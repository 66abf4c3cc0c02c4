/** WeChat's IP lists and the callback network check (wechat-oa-api.md §13). */
import type { WeChatEndpoint } from '../../function/route.js';
import { wechat as token } from '../token/endpoints.js';

export const wechat = {
  apiDomainIp: { method: 'GET', path: '/cgi-bin/get_api_domain_ip' },
  /** The token group's emulator part answers it (its tests use it as the simplest token check). */
  callbackIp: token.callbackIp,
  callbackCheck: { method: 'POST', path: '/cgi-bin/callback/check' },
} as const satisfies Record<string, WeChatEndpoint>;

export const CHECK_ACTIONS = ['all', 'dns', 'ping'] as const;
export const CHECK_OPERATORS = ['CHINANET', 'UNICOM', 'CAP', 'DEFAULT'] as const;
