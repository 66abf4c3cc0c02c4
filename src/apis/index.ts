/**
 * Every API group the function serves, in the order the API document lists them. Adding a
 * group is its folder plus one line here.
 */
import type { RouteDef } from '../function/route.js';
import type { ApiGroup } from './group.js';
import { oauth } from './oauth/index.js';
import { token } from './token/index.js';
import { jssdk } from './jssdk/index.js';
import { openapi } from './openapi/index.js';
import { kefu } from './kefu/index.js';
import { menu } from './menu/index.js';
import { account } from './account/index.js';
import { basic } from './basic/index.js';
import { subscribe } from './subscribe/index.js';
import { template } from './template/index.js';
import { message } from './message/index.js';
import { callback } from './callback/index.js';
import { media } from './media/index.js';
import { draft } from './draft/index.js';
import { publish } from './publish/index.js';
import { user } from './user/index.js';
import { qrcode } from './qrcode/index.js';

export const groups: readonly ApiGroup[] = [oauth, token, jssdk, openapi, kefu, menu, account, basic, subscribe, template, message, user, qrcode, media, draft, publish, callback];

/** Every route of every group. */
export const routesOf = (list: readonly ApiGroup[]): RouteDef[] => list.flatMap((group) => group.routes);

export const routes: RouteDef[] = routesOf(groups);
