/**
 * JS-SDK configuration for a page: what it passes to wx.config. The page sends its own
 * address (location.href; the #fragment is dropped before signing).
 */
import { z } from 'zod';
import { jsSdkConfig } from '../../wechat/jssdk.js';
import { defineRoute } from '../route.js';

export const jssdkRoutes = [
  defineRoute({
    path: '/jssdk/config',
    access: 'user',
    summary:
      "The wx.config signature for the page at url (its full http(s) address with the query; the #fragment is removed before signing). jsApiList, if given, is echoed back.",
    body: z.object({
      url: z.string().min(1).max(4096),
      jsApiList: z.array(z.string().min(1).max(64)).max(200).optional(),
    }),
    response: z.object({
      appId: z.string(),
      timestamp: z.number(),
      nonceStr: z.string(),
      signature: z.string(),
      jsApiList: z.array(z.string()).optional(),
    }),
    handler: async ({ url, jsApiList }, { services }) =>
      jsSdkConfig({ appId: services.config.appId, clock: services.clock, ticket: () => services.credentials.jsapiTicket() }, url, jsApiList),
  }),
];
