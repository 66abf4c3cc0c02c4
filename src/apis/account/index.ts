import { defineGroup } from '../group.js';
import { wechat } from './endpoints.js';
import { errcodes } from './errcodes.js';
import { accountRoutes } from './routes.js';

export const account = defineGroup({
  name: 'account',
  description: "Short links: CloudBase's retired /account/shorturl and the short keys that replace it (X-Api-Key).",
  routes: accountRoutes,
  endpoints: wechat,
  errcodes,
});
