/**
 * The five web-authorization routes of CloudBase's generated function, and /oauth/state, the signed
 * state a page falls back on when its sessionStorage is lost on the way through WeChat.
 */
import * as v from 'valibot';
import { AppError } from '../../errors.js';
import { pkceChallenge, stateBinding } from '../../function/oauth-state.js';
import { defineRoute, type RouteContext } from '../../function/route.js';
import { wechat } from './endpoints.js';

// WeChat's codes and tokens are far shorter; the bounds only stop abuse.
const token = v.pipe(v.string(), v.minLength(1), v.maxLength(512));
const openid = v.pipe(v.string(), v.minLength(1), v.maxLength(128));

// PKCE's shapes (RFC 7636): a challenge is a base64url SHA-256, a verifier 43 to 128 unreserved characters.
const codeChallenge = v.pipe(v.string(), v.minLength(43), v.maxLength(43), v.regex(/^[\w-]+$/));
const codeVerifier = v.pipe(v.string(), v.minLength(43), v.maxLength(128), v.regex(/^[\w.~-]+$/));

const STATE_REFUSED = 'The state was not issued by this function, has expired, or belongs to another user; sign in again';

/**
 * Everything checked before WeChat sees the code, so a planted or stolen code is not spent. Returns
 * whom the code's repeated answer is bound to: the caller's identity, or a public caller's
 * verified PKCE secret; nobody when neither (such a caller is never handed a stored answer).
 */
function checkState(state: string | undefined, verifier: string | undefined, { services, caller }: RouteContext): string | undefined {
  const binding = stateBinding(caller.identity, verifier === undefined ? undefined : pkceChallenge(verifier));
  // With tickets a code becomes a CloudBase session: a public caller proves it started the sign-in.
  if (!caller.identity && services.tickets && (state === undefined || verifier === undefined)) {
    throw new AppError('unauthenticated', 'Signing in without a CloudBase session needs the state from /oauth/state and its code_verifier', {
      hint: 'Ask /oauth/state with code_challenge = base64url(SHA-256(code_verifier)), keep code_verifier, and send both state and code_verifier with the code.',
    });
  }
  if (state === undefined) {
    if (services.config.requireState) {
      throw new AppError('bad_request', 'This function requires the state from /oauth/state with the code (OAUTH_REQUIRE_STATE=1)', {
        hint: 'Start the sign-in with /oauth/state and send its state back with the code.',
      });
    }
    return caller.identity;
  }
  if (!(binding && services.oauthState.verify(state, binding).ok)) {
    throw new AppError('caller', STATE_REFUSED, {
      hint: 'Start the sign-in again from the page: a state from /oauth/state is good for 10 minutes, for the user (or the code_verifier) it was issued to.',
    });
  }
  return binding;
}

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
      "A signed state for the authorize URL, good for 10 minutes and only for this caller. Sent back with the code to /oauth/token, it lets the function vouch for a return whose page lost its own copy. A caller without a CloudBase session (PUBLIC_ROUTES) sends code_challenge, the base64url SHA-256 of a random code_verifier it keeps, and the state is bound to that.",
    body: v.object({ code_challenge: v.optional(codeChallenge) }),
    response: v.object({ state: v.string(), expires_in: v.number() }),
    handler: async ({ code_challenge }, { services, caller }) => {
      const binding = stateBinding(caller.identity, code_challenge);
      if (!binding) {
        throw new AppError('bad_request', 'A caller without a CloudBase session must send code_challenge to get a state', {
          hint: 'code_challenge is base64url(SHA-256(code_verifier)) for a random code_verifier the page keeps and sends with the code.',
        });
      }
      return services.oauthState.issue(binding);
    },
  }),
  defineRoute({
    path: '/oauth/token',
    access: 'user',
    summary:
      "Exchanges the code WeChat appended to redirect_uri for the user's openid and OAuth tokens. The same code presented again within 5 minutes returns the same result, to the same caller. With `state` (one from /oauth/state), the state is checked first and the code is not exchanged unless it holds. With CLOUDBASE_CUSTOM_LOGIN_KEY the answer carries `ticket`, for auth.signInWithCustomTicket of the CloudBase JS SDK; a caller without a CloudBase session must then send state and code_verifier.",
    body: v.object({ code: token, state: v.optional(v.pipe(v.string(), v.maxLength(128))), code_verifier: v.optional(codeVerifier) }),
    response: v.object({ ...oauthToken.entries, ticket: v.optional(v.string()) }),
    calls: [wechat.accessToken],
    handler: async ({ code, state, code_verifier }, context) => {
      const { services } = context;
      const boundTo = checkState(state, code_verifier, context);
      const result = await services.codes.exchange(code, boundTo);
      // A Moments snapshot visitor's openid is a stand-in: not someone to open a CloudBase session for.
      if (!services.tickets || result.is_snapshotuser) return result;
      const uid = services.config.ticketUid === 'unionid' && result.unionid ? result.unionid : result.openid;
      return { ...result, ticket: services.tickets.sign(uid) };
    },
  }),
  defineRoute({
    path: '/oauth/refresh',
    access: 'user',
    summary: 'Renews the OAuth access_token (2 hours) with the refresh_token (30 days).',
    body: v.object({ refresh_token: token }),
    response: oauthToken,
    calls: [wechat.refreshToken],
    handler: async ({ refresh_token }, { services, signal }) => services.oauth.refresh(refresh_token, { signal }),
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
    calls: [wechat.userInfo],
    handler: async ({ access_token, openid, lang }, { services, signal }) => services.oauth.userInfo(access_token, openid, lang, { signal }),
  }),
  defineRoute({
    path: '/oauth/verify',
    access: 'user',
    summary: 'Whether the OAuth access_token is still valid for this openid.',
    body: v.object({ access_token: token, openid }),
    response: v.object({ valid: v.boolean() }),
    calls: [wechat.auth],
    handler: async ({ access_token, openid }, { services, signal }) => ({ valid: await services.oauth.verify(access_token, openid, { signal }) }),
  }),
];
