import { defineGroup } from '../group.js';
import { wechat } from './endpoints.js';
import { jssdkRoutes } from './routes.js';

export const jssdk = defineGroup({
  name: 'jssdk',
  description: 'JS-SDK: the wx.config signature for a page.',
  routes: jssdkRoutes,
  endpoints: wechat,
});
