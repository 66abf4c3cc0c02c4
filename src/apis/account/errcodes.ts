/** Short links and short keys' errcodes (wechat-oa-api.md §12). */
import type { ErrcodeTable } from '../../wechat/errcodes.js';

export const errcodes: ErrcodeTable = {
  45103: {
    kind: 'caller',
    status: 410,
    hint: 'WeChat retired this API. For a short link, keep the long data with /account/shorten_gen and put the short key in your link or QR code; read it back with /account/shorten_fetch.',
  },
};
