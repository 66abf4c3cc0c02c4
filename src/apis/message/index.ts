import { defineGroup } from '../group.js';
import { wechat } from './endpoints.js';
import { errcodes } from './errcodes.js';
import { messageRoutes } from './routes.js';

export const message = defineGroup({
  name: 'message',
  description: 'Template messages to followers and mass (broadcast) messages: send, preview, status, delete, speed (X-Api-Key).',
  routes: messageRoutes,
  endpoints: wechat,
  errcodes,
});
