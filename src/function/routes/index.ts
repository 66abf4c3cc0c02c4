import type { RouteDef } from '../route.js';
import { oauthRoutes } from './oauth.js';

/** Every route the function serves, in the order the API document lists them. */
export const routes: RouteDef[] = [...oauthRoutes];
