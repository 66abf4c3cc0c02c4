import { defineGroup } from '../group.js';
import { wechat } from './endpoints.js';
import { errcodes } from './errcodes.js';
import { qrcodeRoutes } from './routes.js';

export const qrcode = defineGroup({
  name: 'qrcode',
  description: 'Parameterised QR codes: tickets and the image address (X-Api-Key).',
  routes: qrcodeRoutes,
  endpoints: wechat,
  errcodes,
});
