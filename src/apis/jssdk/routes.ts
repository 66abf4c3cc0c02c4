/**
 * JS-SDK configuration for a page: what it passes to wx.config. The page sends its own
 * address (location.href; the #fragment is dropped before signing).
 */
import * as v from 'valibot';
import { jsSdkConfig } from '../../wechat/jssdk.js';
import { defineRoute } from '../../function/route.js';
import { wechat } from './endpoints.js';

export const jssdkRoutes = [
  defineRoute({
    path: '/jssdk/config',
    access: 'user',
    summary:
      "The wx.config signature for the page at url (its full http(s) address with the query; the #fragment is removed before signing). jsApiList, if given, is echoed back.",
    body: v.object({
      url: v.pipe(v.string(), v.minLength(1), v.maxLength(4096)),
      jsApiList: v.optional(v.pipe(v.array(v.pipe(v.string(), v.minLength(1), v.maxLength(64))), v.maxLength(200))),
    }),
    response: v.object({
      appId: v.string(),
      timestamp: v.number(),
      nonceStr: v.string(),
      signature: v.string(),
      jsApiList: v.optional(v.array(v.string())),
    }),
    calls: [wechat.ticket],
    handler: async ({ url, jsApiList }, { services }) =>
      jsSdkConfig({ appId: services.config.appId, clock: services.clock, ticket: () => services.credentials.jsapiTicket() }, url, jsApiList),
  }),
];
