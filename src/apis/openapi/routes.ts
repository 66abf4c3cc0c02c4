/**
 * API management: reset the day's call counts (with the token, or with the AppSecret when the
 * token fetches themselves ran out), read an API's quota, resolve a request id. Every route spends
 * or reveals what belongs to the whole account, so none can ever be opened to end users.
 */
import * as v from 'valibot';
import { AppError } from '../../errors.js';
import { defineRoute, type RouteDef } from '../../function/route.js';
import type { Services } from '../../function/services.js';
import { forward } from '../group.js';
import { wechat } from './endpoints.js';

const ok = v.object({ errcode: v.number(), errmsg: v.string() });

/** The function acts for one account: an appid, when sent, must be that one. */
const appidField = v.optional(v.pipe(v.string(), v.description("The account's AppID; the function's own when absent.")));

function ownAppId(appid: string | undefined, services: Services): string {
  if (appid !== undefined && appid !== services.config.appId) {
    throw new AppError('bad_request', `appid: this function serves the account ${services.config.appId} only; leave appid out or send that one`);
  }
  return services.config.appId;
}

/** Query parameters of a recorded request that carry a credential; WeChat echoes them in rid/get. */
const CREDENTIAL_PARAMS = /\b(access_token|secret|appsecret)=[^&\s"]*/gi;

/** A rid record as the caller may see it: no credential of the account, whatever WeChat echoed. */
function redact(value: unknown, secret: string): unknown {
  if (typeof value === 'string') return value.replace(CREDENTIAL_PARAMS, '$1=***').split(secret).join('***');
  if (Array.isArray(value)) return value.map((item) => redact(item, secret));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, redact(item, secret)]));
  return value;
}

export const openapiRoutes: RouteDef[] = [
  defineRoute({
    path: '/openapi/clear_quota',
    access: 'admin',
    openable: false,
    summary:
      "Resets the day's call counts of every API of the account (cgi-bin/clear_quota). 10 resets per calendar month, shared with clear_quota_v2 and the console (48006 past them). appid is the function's own.",
    body: v.object({ appid: appidField }),
    response: ok,
    calls: [wechat.clearQuota],
    handler: ({ appid }, { services, signal }) => services.account.post(wechat.clearQuota.path, { appid: ownAppId(appid, services) }, { signal }),
  }),
  defineRoute({
    path: '/openapi/clear_quota_v2',
    access: 'admin',
    openable: false,
    summary:
      "Resets the day's call counts with the AppSecret and no access_token (cgi-bin/clear_quota/v2): for when the token fetches themselves are out of quota. Shares clear_quota's 10 a month.",
    body: v.object({ appid: appidField }),
    response: ok,
    calls: [wechat.clearQuotaV2],
    handler: ({ appid }, { services, signal }) => {
      ownAppId(appid, services);
      return services.credentials.clearQuotaWithSecret(signal);
    },
  }),
  forward(wechat.quotaGet, {
    path: '/openapi/get_quota',
    openable: false,
    summary: "One API's daily quota: {quota: {daily_limit, used, remain}} (cgi-bin/openapi/quota/get).",
    body: v.object({
      cgi_path: v.pipe(
        v.string(),
        v.maxLength(256),
        v.regex(/^\/[\w./-]*$/, 'cgi_path: the API path with its leading "/" and without the host, e.g. /cgi-bin/message/custom/send'),
        v.check((path) => !/(^|\/)sns\//.test(path), 'cgi_path: sns/ (OAuth) APIs have no account quota'),
      ),
    }),
    response: v.object({ errcode: v.number(), errmsg: v.string(), quota: v.object({ daily_limit: v.number(), used: v.number(), remain: v.number() }) }),
  }),
  defineRoute({
    path: '/openapi/get_rid',
    access: 'admin',
    openable: false,
    summary:
      'What WeChat recorded of a failed call, by the rid in its errmsg (cgi-bin/openapi/rid/get): request_url, request_body, response_body. Kept 7 days; credentials in the record are masked.',
    body: v.object({ rid: v.pipe(v.string(), v.regex(/^[0-9a-zA-Z]+(-[0-9a-zA-Z]+){0,7}$/, 'rid: the request id from an errmsg, e.g. 61725984-6126f6f9-040f19c4'), v.maxLength(64)) }),
    response: v.object({
      errcode: v.number(),
      errmsg: v.string(),
      request: v.object({
        invoke_time: v.number(),
        cost_in_ms: v.number(),
        request_url: v.string(),
        request_body: v.string(),
        response_body: v.string(),
        client_ip: v.string(),
      }),
    }),
    calls: [wechat.ridGet],
    handler: async ({ rid }, { services, signal }) => redact(await services.account.post(wechat.ridGet.path, { rid }, { signal }), services.config.appSecret),
  }),
  defineRoute({
    path: '/openapi/reset_appsecret',
    access: 'admin',
    openable: false,
    summary: "Always 501: WeChat has no API that resets the AppSecret (CloudBase's route calls one that does not exist). Reset it in the Official Accounts platform.",
    body: v.object({ appid: appidField }),
    calls: [],
    handler: async () => {
      throw new AppError(
        'unavailable',
        'WeChat has no API to reset the AppSecret, so this route calls nothing',
        {
          status: 501,
          hint:
            'Reset the AppSecret in the Official Accounts platform (Settings & Development → Basic Configuration → AppSecret; the administrator confirms it), ' +
            "then put the new one in this function's appSecret setting: until then every token fetch fails.",
        },
      );
    },
  }),
];
