import { defineGroup } from '../group.js';
import { wechat } from './endpoints.js';
import { tokenRoutes } from './routes.js';

export const token = defineGroup({
  name: 'token',
  description: "The account's global access_token, for the business backend (X-Api-Key).",
  routes: tokenRoutes,
  endpoints: wechat,
});
