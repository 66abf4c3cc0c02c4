import { defineGroup } from '../group.js';
import { wechat } from './endpoints.js';
import { errcodes } from './errcodes.js';
import { oauthRoutes } from './routes.js';

export const oauth = defineGroup({
  name: 'oauth',
  description: "Web authorization: a WeChat user's openid, OAuth tokens and profile.",
  routes: oauthRoutes,
  endpoints: wechat,
  errcodes,
});
