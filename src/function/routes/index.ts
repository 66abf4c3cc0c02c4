import type { RouteDef } from '../route.js';
import { oauthRoutes } from './oauth.js';
import { tokenRoutes } from './token.js';
import { jssdkRoutes } from './jssdk.js';

/** Every route the function serves, in the order the API document lists them. */
export const routes: RouteDef[] = [...oauthRoutes, ...tokenRoutes, ...jssdkRoutes];
