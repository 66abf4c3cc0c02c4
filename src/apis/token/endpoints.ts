/** The WeChat endpoints behind the account's global access_token. */
import type { WeChatEndpoint } from '../../function/route.js';

export const wechat = {
  token: { method: 'GET', path: '/cgi-bin/token' },
  stableToken: { method: 'POST', path: '/cgi-bin/stable_token' },
  /** Called by no route: the simplest API that checks a global token, for tests and people. */
  callbackIp: { method: 'GET', path: '/cgi-bin/getcallbackip' },
} as const satisfies Record<string, WeChatEndpoint>;
