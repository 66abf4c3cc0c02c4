/**
 * The five web-authorization routes of the seed guide (§3.1), and /oauth/state, the signed
 * state a page falls back on when its sessionStorage is lost on the way through WeChat.
 */
import * as v from 'valibot';
import { AppError } from '../../errors.js';
import { defineRoute } from '../route.js';

// WeChat's codes and tokens are far shorter; the bounds only stop abuse.
const token = v.pipe(v.string(), v.minLength(1), v.maxLength(512));
const openid = v.pipe(v.string(), v.minLength(1), v.maxLength(128));

const oauthToken = v.object({
  openid: v.string(),
  access_token: v.string(),
  refresh_token: v.string(),
  expires_in: v.number(),
  scope: v.string(),
  unionid: v.optional(v.string()),
  is_snapshotuser: v.optional(v.number()),
});

export const oauthRoutes = [
  defineRoute({
    path: '/oauth/config',
    access: 'user',
    summary: "The Official Account's AppID and where its authorize page is, so a page need not hard-code them.",
    body: v.object({}),
    response: v.object({ appId: v.string(), authorizeUrl: v.string(), scopes: v.array(v.string()), mode: v.string() }),
    handler: async (_body, { services }) => ({
      appId: services.config.appId,
      authorizeUrl: `${services.config.wechatOpenBaseUrl}/connect/oauth2/authorize`,
      scopes: ['snsapi_base', 'snsapi_userinfo'],
      mode: services.config.mode,
    }),
  }),
  defineRoute({
    path: '/oauth/state',
    access: 'user',
    summary:
      "A signed state for the authorize URL, good for 10 minutes and only for this caller. Sent back with the code to /oauth/token, it lets the function vouch for a return whose page lost its own copy.",
    body: v.object({}),
    response: v.object({ state: v.string(), expires_in: v.number() }),
    handler: async (_body, { services, caller }) => {
      if (!caller.identity) throw new AppError('unauthenticated', 'A state is bound to the signed-in caller; this caller has no identity to bind it to');
      return services.oauthState.issue(caller.identity);
    },
  }),
  defineRoute({
    path: '/oauth/token',
    access: 'user',
    summary:
      "Exchanges the code WeChat appended to redirect_uri for the user's openid and OAuth tokens. The same code presented again within 5 minutes returns the same result. With `state` (one from /oauth/state), the state is checked first and the code is not exchanged unless it holds.",
    body: v.object({ code: token, state: v.optional(v.pipe(v.string(), v.maxLength(128))) }),
    response: oauthToken,
    handler: async ({ code, state }, { services, caller }) => {
      // Before WeChat sees the code: a planted code must not be spent, let alone exchanged.
      if (state !== undefined && !(caller.identity && services.oauthState.verify(state, caller.identity).ok)) {
        throw new AppError('caller', 'The state was not issued by this function, has expired, or belongs to another user; sign in again', {
          hint: 'Start the sign-in again from the page: a state from /oauth/state is good for 10 minutes, for the user it was issued to.',
        });
      }
      // Keyed by caller too: a replayed code only returns tokens to the caller who exchanged it.
      return services.codes.exchange(code, caller.identity);
    },
  }),
  defineRoute({
    path: '/oauth/refresh',
    access: 'user',
    summary: 'Renews the OAuth access_token (2 hours) with the refresh_token (30 days).',
    body: v.object({ refresh_token: token }),
    response: oauthToken,
    handler: async ({ refresh_token }, { services }) => services.oauth.refresh(refresh_token),
  }),
  defineRoute({
    path: '/oauth/userinfo',
    access: 'user',
    summary: "The user's nickname and avatar; needs a token from scope=snsapi_userinfo.",
    body: v.object({ access_token: token, openid, lang: v.optional(v.picklist(['zh_CN', 'zh_TW', 'en'])) }),
    response: v.object({
      openid: v.string(),
      nickname: v.string(),
      sex: v.number(),
      province: v.string(),
      city: v.string(),
      country: v.string(),
      headimgurl: v.string(),
      privilege: v.array(v.string()),
      unionid: v.optional(v.string()),
    }),
    handler: async ({ access_token, openid, lang }, { services }) => services.oauth.userInfo(access_token, openid, lang),
  }),
  defineRoute({
    path: '/oauth/verify',
    access: 'user',
    summary: 'Whether the OAuth access_token is still valid for this openid.',
    body: v.object({ access_token: token, openid }),
    response: v.object({ valid: v.boolean() }),
    handler: async ({ access_token, openid }, { services }) => ({ valid: await services.oauth.verify(access_token, openid) }),
  }),
];
