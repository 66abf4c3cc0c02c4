/**
 * The account's global access_token, for the business backend only: it is the account's
 * master key (menus, messages, users), so both routes need the admin key (X-Api-Key) and are
 * off when ADMIN_API_KEY is not configured.
 */
import * as v from 'valibot';
import { defineRoute } from '../../function/route.js';
import { wechat } from './endpoints.js';

const issuedToken = v.object({ access_token: v.string(), expires_in: v.number() });

export const tokenRoutes = [
  defineRoute({
    path: '/token/get',
    access: 'admin',
    summary:
      'The global access_token, shared by every instance and renewed before it expires (stable_token by default, cgi-bin/token with TOKEN_SOURCE=classic). Needs X-Api-Key.',
    body: v.object({}),
    response: issuedToken,
    calls: [wechat.stableToken, wechat.token],
    handler: async (_body, { services }) => services.credentials.accessToken(),
  }),
  defineRoute({
    path: '/token/stable',
    access: 'admin',
    summary:
      'A stable_token. force_refresh: true makes WeChat replace it (at most once per 30 s and 20 times a day; inside the 30 s the token of the last force is returned). Needs X-Api-Key.',
    body: v.object({ force_refresh: v.optional(v.boolean()) }),
    response: issuedToken,
    calls: [wechat.stableToken],
    handler: async ({ force_refresh }, { services }) => services.credentials.stableToken({ force: force_refresh === true }),
  }),
];
