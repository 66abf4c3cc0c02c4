import { defineGroup } from '../group.js';
import { wechat } from './endpoints.js';
import { errcodes } from './errcodes.js';
import { menuRoutes } from './routes.js';

export const menu = defineGroup({
  name: 'menu',
  description: 'The custom menu: the default menu, the menu in effect and conditional menus.',
  routes: menuRoutes,
  endpoints: wechat,
  errcodes,
});
