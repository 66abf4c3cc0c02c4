import { defineGroup } from '../group.js';
import { callbackRoutes } from './routes.js';

export const callback = defineGroup({
  name: 'callback',
  description: "The message server: the server URL WeChat verifies and pushes followers' messages and events to (signed with the server token).",
  routes: callbackRoutes,
});
