import { defineGroup } from '../group.js';
import { wechat } from './endpoints.js';
import { basicRoutes } from './routes.js';

export const basic = defineGroup({
  name: 'basic',
  description: "WeChat's IP lists and the network check of the callback URL (X-Api-Key).",
  routes: basicRoutes,
  endpoints: wechat,
});
