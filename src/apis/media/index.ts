import { defineGroup } from '../group.js';
import { wechat } from './endpoints.js';
import { errcodes } from './errcodes.js';
import { mediaRoutes } from './routes.js';

export const media = defineGroup({
  name: 'media',
  description: 'Temporary media, images for articles and permanent material (X-Api-Key). Uploads take the file itself; no token is ever handed out.',
  routes: mediaRoutes,
  endpoints: wechat,
  errcodes,
});
