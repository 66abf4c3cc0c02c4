/** The WeChat endpoints the oauth group calls (web authorization, no global token). */
import type { WeChatEndpoint } from '../../function/route.js';

export const wechat = {
  accessToken: { method: 'GET', path: '/sns/oauth2/access_token' },
  refreshToken: { method: 'GET', path: '/sns/oauth2/refresh_token' },
  userInfo: { method: 'GET', path: '/sns/userinfo' },
  auth: { method: 'GET', path: '/sns/auth' },
} as const satisfies Record<string, WeChatEndpoint>;
