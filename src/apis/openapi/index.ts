import { defineGroup } from '../group.js';
import { wechat } from './endpoints.js';
import { errcodes } from './errcodes.js';
import { openapiRoutes } from './routes.js';

export const openapi = defineGroup({
  name: 'openapi',
  description: "API management: the day's call counts and their reset, an API's quota, a request id's record (X-Api-Key; never open to end users).",
  routes: openapiRoutes,
  endpoints: wechat,
  errcodes,
});
