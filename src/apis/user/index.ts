import { defineGroup } from '../group.js';
import { wechat } from './endpoints.js';
import { errcodes } from './errcodes.js';
import { userRoutes } from './routes.js';

export const user = defineGroup({
  name: 'user',
  description: "The account's followers: their info, remarks, tags and the blacklist (X-Api-Key).",
  routes: userRoutes,
  endpoints: wechat,
  errcodes,
});
