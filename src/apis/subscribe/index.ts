import { defineGroup } from '../group.js';
import { wechat } from './endpoints.js';
import { errcodes } from './errcodes.js';
import { subscribeRoutes } from './routes.js';

export const subscribe = defineGroup({
  name: 'subscribe',
  description: 'Subscription notifications: sending one a user accepted, and the private templates from the public library (X-Api-Key).',
  routes: subscribeRoutes,
  endpoints: wechat,
  errcodes,
});
