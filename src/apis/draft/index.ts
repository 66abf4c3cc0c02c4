import { defineGroup } from '../group.js';
import { wechat } from './endpoints.js';
import { draftRoutes } from './routes.js';

export const draft = defineGroup({
  name: 'draft',
  description: 'The draft box, where articles are written before /publish/submit (X-Api-Key). Replaces /media/add_news.',
  routes: draftRoutes,
  endpoints: wechat,
});
