/** Mass-send errcodes (wechat-oa-api.md §8). */
import type { ErrcodeTable } from '../../wechat/errcodes.js';

export const errcodes: ErrcodeTable = {
  40130: { kind: 'caller', hint: 'A mass send by openid needs at least 2 openids (and at most 10,000); send to one user with /kefu/send or a template message.' },
  40032: { kind: 'caller', hint: 'Too many openids in one call: at most 10,000 for a mass send.' },
  45028: { kind: 'quota', hint: "The account has no mass sends left today. Try again tomorrow." },
  45065: {
    kind: 'caller',
    status: 409,
    hint: 'A mass send with this clientmsgid was already made, and it is not sent twice. Use a new clientmsgid for a new message.',
  },
  45066: { kind: 'rate_limited', hint: 'The same clientmsgid was sent again within a minute: wait a minute, then check the first send with /message/mass_get.' },
  45067: { kind: 'caller', hint: 'clientmsgid is longer than 64 bytes.' },
  48003: { kind: 'configuration', status: 403, hint: "The account has not agreed to the mass-send protocol: an administrator must agree to it in the platform's console (mass send page)." },
  40060: { kind: 'caller', hint: 'article_idx is not an article of this mass send: 1 for the first article, 0 for all.' },
  45083: { kind: 'caller', hint: 'speed must be 0 (fastest) to 4.' },
  45084: { kind: 'caller', hint: 'Send the speed to set: {"speed": 0..4}.' },
};
