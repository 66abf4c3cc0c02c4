import { defineGroup } from '../group.js';
import { wechat } from './endpoints.js';
import { errcodes } from './errcodes.js';
import { kefuRoutes } from './routes.js';

export const kefu = defineGroup({
  name: 'kefu',
  description: 'Customer-service messages to followers, the typing indicator and agent accounts.',
  routes: kefuRoutes,
  endpoints: wechat,
  errcodes,
});
