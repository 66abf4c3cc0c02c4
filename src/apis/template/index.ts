import { defineGroup } from '../group.js';
import { wechat } from './endpoints.js';
import { errcodes } from './errcodes.js';
import { templateRoutes } from './routes.js';

export const template = defineGroup({
  name: 'template',
  description: "Template messages: the account's industries and templates; /message/template_send sends them (X-Api-Key).",
  routes: templateRoutes,
  endpoints: wechat,
  errcodes,
});
