/** The WeChat endpoints the jssdk group calls (through the credential manager's ticket). */
import type { WeChatEndpoint } from '../../function/route.js';

export const wechat = {
  ticket: { method: 'GET', path: '/cgi-bin/ticket/getticket' },
} as const satisfies Record<string, WeChatEndpoint>;
