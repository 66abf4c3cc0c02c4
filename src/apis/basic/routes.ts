/**
 * WeChat's IP lists (the addresses behind api.weixin.qq.com for an egress allow-list, the ones it
 * pushes messages from for an ingress allow-list) and its network check of the callback URL.
 */
import * as v from 'valibot';
import type { RouteDef } from '../../function/route.js';
import { forward } from '../group.js';
import { CHECK_ACTIONS, CHECK_OPERATORS, wechat } from './endpoints.js';

const ipList = v.object({ ip_list: v.array(v.string()) });

export const basicRoutes: RouteDef[] = [
  forward(wechat.apiDomainIp, {
    path: '/basic/api_ips',
    summary: 'The addresses behind api.weixin.qq.com, for an egress allow-list (cgi-bin/get_api_domain_ip). They change: refresh daily.',
    body: v.object({}),
    response: ipList,
  }),
  forward(wechat.callbackIp, {
    path: '/basic/callback_ips',
    summary: 'The addresses WeChat pushes messages from, single IPs or CIDR ranges (cgi-bin/getcallbackip). They change: refresh daily.',
    body: v.object({}),
    response: ipList,
  }),
  forward(wechat.callbackCheck, {
    path: '/basic/callback_check',
    summary: "WeChat resolves (dns) and pings (ping) the account's callback URL from a carrier's network (cgi-bin/callback/check).",
    body: v.object({
      action: v.picklist(CHECK_ACTIONS, `action: one of ${CHECK_ACTIONS.join(', ')}`),
      check_operator: v.picklist(CHECK_OPERATORS, `check_operator: one of ${CHECK_OPERATORS.join(', ')}`),
    }),
    response: v.object({
      dns: v.array(v.object({ ip: v.string(), real_operator: v.string() })),
      ping: v.array(v.object({ ip: v.string(), from_operator: v.string(), package_loss: v.string(), time: v.string() })),
    }),
  }),
];
