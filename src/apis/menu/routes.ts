/**
 * The custom menu (wechat-oa-api.md §6): CloudBase's /menu/create, /menu/get (the menu created
 * through the API) and /menu/delete with their bodies, plus the menu in effect and the
 * conditional menus. Every route changes or reads what all followers see: admin only.
 */
import * as v from 'valibot';
import { forward } from '../group.js';
import { wechat } from './endpoints.js';
import { buttons, matchrule, menuId } from './schemas.js';

export const menuRoutes = [
  forward(wechat.create, {
    path: '/menu/create',
    summary: 'Replaces the default menu: 1–3 buttons, up to 5 sub-buttons each (cgi-bin/menu/create, 1,000 a day).',
    body: v.object({ button: buttons }),
  }),
  forward(wechat.get, {
    path: '/menu/get',
    summary: 'The menu created through the API and its conditional menus (cgi-bin/menu/get); 404 (46003) when there is none.',
    body: v.object({}),
  }),
  forward(wechat.current, {
    path: '/menu/current',
    summary: 'The menu in effect, including one built in the MP console (cgi-bin/get_current_selfmenu_info, its own shape).',
    body: v.object({}),
  }),
  forward(wechat.delete, {
    path: '/menu/delete',
    summary: 'Deletes the default menu and every conditional menu (cgi-bin/menu/delete).',
    body: v.object({}),
  }),
  forward(wechat.addConditional, {
    path: '/menu/addconditional',
    summary: 'Adds a conditional menu shown to the followers its matchrule selects; a default menu must exist. Answers its menuid.',
    body: v.object({ button: buttons, matchrule }),
  }),
  forward(wechat.delConditional, {
    path: '/menu/delconditional',
    summary: 'Deletes the conditional menu with this menuid.',
    body: v.object({ menuid: menuId }),
  }),
  forward(wechat.tryMatch, {
    path: '/menu/trymatch',
    summary: 'The menu this user (openid or WeChat ID) would see.',
    body: v.object({ user_id: v.pipe(v.string(), v.minLength(1), v.maxLength(128)) }),
  }),
];
