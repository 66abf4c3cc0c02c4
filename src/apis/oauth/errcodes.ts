/** The web-authorization errcodes: all the caller's to fix, with what to do. */
import type { ErrcodeTable } from '../../wechat/errcodes.js';

const AUTHORIZE_AGAIN = 'Send the user through the authorize page again to get a fresh code.';

export const errcodes: ErrcodeTable = {
  40029: { kind: 'caller', hint: 'The code is unknown, expired (5 minutes) or was issued to another AppID. ' + AUTHORIZE_AGAIN },
  40163: { kind: 'caller', hint: 'The code was already exchanged. Exchange each code once, and strip it from the address bar before exchanging.' },
  41008: { kind: 'caller', hint: 'Pass the code WeChat appended to redirect_uri.' },
  42003: { kind: 'caller', hint: 'The code expired (codes live 5 minutes). ' + AUTHORIZE_AGAIN },
  40030: { kind: 'caller', hint: 'The refresh_token is not valid. ' + AUTHORIZE_AGAIN },
  42002: { kind: 'caller', hint: 'The refresh_token expired (they live 30 days). ' + AUTHORIZE_AGAIN },
  40003: { kind: 'caller', hint: 'The openid does not belong to this access_token or this AppID.' },
};
