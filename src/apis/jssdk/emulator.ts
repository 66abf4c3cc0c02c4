/** The jssdk group's emulator part: jsapi (and wx_card) tickets, under a daily quota. */
import { newToken, wxError } from '../../emulator/core.js';
import type { EmulatorPartFactory } from '../../emulator/part.js';
import { wechat } from './endpoints.js';

export const part: EmulatorPartFactory = (core) => ({
  endpoints: [
    {
      ...wechat.ticket,
      token: 'global',
      answer: ({ query, account }) => {
        if (query.type !== 'jsapi' && query.type !== 'wx_card') return wxError(40097, 'invalid args');
        if (!core.countUse(account!, 'ticket', core.limits.ticketDailyQuota)) return wxError(45009, 'reach max api daily quota limit');
        return { errcode: 0, errmsg: 'ok', ticket: newToken(64), expires_in: 7200 };
      },
    },
  ],
});
