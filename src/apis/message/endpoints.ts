/** Template and mass (broadcast) messages (wechat-oa-api.md §7.1, §8). */
import type { WeChatEndpoint } from '../../function/route.js';
import { wechat as template } from '../template/endpoints.js';

export const wechat = {
  templateSend: template.send,
  massSend: { method: 'POST', path: '/cgi-bin/message/mass/send' },
  massSendAll: { method: 'POST', path: '/cgi-bin/message/mass/sendall' },
  massPreview: { method: 'POST', path: '/cgi-bin/message/mass/preview' },
  massGet: { method: 'POST', path: '/cgi-bin/message/mass/get' },
  massDelete: { method: 'POST', path: '/cgi-bin/message/mass/delete' },
  speedGet: { method: 'POST', path: '/cgi-bin/message/mass/speed/get' },
  speedSet: { method: 'POST', path: '/cgi-bin/message/mass/speed/set' },
} as const satisfies Record<string, WeChatEndpoint>;
