/** API management's errcodes (wechat-oa-api.md §3). */
import type { ErrcodeTable } from '../../wechat/errcodes.js';

export const errcodes: ErrcodeTable = {
  48006: {
    kind: 'quota',
    hint: 'The daily counts can be reset 10 times per calendar month (clear_quota, clear_quota_v2 and the console button together), and this month\'s are used. Wait for the daily reset or the next month.',
  },
  76001: {
    kind: 'caller',
    status: 404,
    hint: 'WeChat keeps a rid for 7 days, and only the account that made the call can look it up: check the rid and that it is from this account and recent.',
  },
  76021: { kind: 'caller', status: 404, hint: 'WeChat has no API at this cgi_path. Give the path as in its URL, e.g. /cgi-bin/message/custom/send.' },
  76022: { kind: 'caller', hint: 'This cgi_path cannot be queried with the account\'s token (sns/ APIs and other account types are not covered).' },
};
