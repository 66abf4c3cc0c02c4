/**
 * USER_ROUTES: the operator opens named admin routes to signed-in end users. The routes keep
 * everything else (schema, handler); only their access changes, so the router, the access check,
 * the rate limit and /openapi.json all see the opened route as a user route.
 */
import { ConfigError } from '../config.js';
import type { ApiGroup } from '../apis/group.js';

export function openToUsers(groups: readonly ApiGroup[], paths: readonly string[]): readonly ApiGroup[] {
  if (!paths.length) return groups;
  const admin = new Map(groups.flatMap((group) => group.routes.filter((route) => route.access === 'admin').map((route) => [route.path, route] as const)));
  for (const path of paths) {
    const route = admin.get(path);
    if (!route) {
      throw new ConfigError('USER_ROUTES', `USER_ROUTES may only list admin routes of the account's API groups (see /openapi.json); "${path}" is not one`);
    }
    if (route.openable === false) {
      throw new ConfigError('USER_ROUTES', `USER_ROUTES can never open ${path}: it spends or reveals what belongs to the whole account`);
    }
  }
  const opened = new Set(paths);
  return groups.map((group) =>
    group.routes.some((route) => opened.has(route.path))
      ? { ...group, routes: group.routes.map((route) => (opened.has(route.path) && route.access === 'admin' ? { ...route, access: 'user' as const } : route)) }
      : group,
  );
}
