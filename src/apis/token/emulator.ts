/** The token group's emulator part: the core issues the global tokens; these are its endpoints. */
import type { EmulatorPartFactory } from '../../emulator/part.js';
import { wechat } from './endpoints.js';

export const part: EmulatorPartFactory = (core) => ({
  endpoints: [
    { ...wechat.token, answer: ({ query: q }) => core.classicToken(q.grant_type, q.appid, q.secret) },
    { ...wechat.stableToken, answer: ({ body }) => core.stableToken(body) },
    { ...wechat.callbackIp, token: 'global', answer: () => ({ ip_list: ['127.0.0.1', '::1'] }) },
  ],
});
