import { defineGroup } from '../group.js';
import { wechat } from './endpoints.js';
import { publishRoutes } from './routes.js';

export const publish = defineGroup({
  name: 'publish',
  description: 'Publishing drafts as articles and reading the jobs and articles (X-Api-Key).',
  routes: publishRoutes,
  endpoints: wechat,
});
