/** Subscription-notification errcodes (wechat-oa-api.md §4.1, §4.3). */
import type { ErrcodeTable } from '../../wechat/errcodes.js';

export const errcodes: ErrcodeTable = {
  43101: {
    kind: 'caller',
    status: 403,
    hint: 'The user has not accepted this notification (never, already used, or withdrawn): ask them to accept it again on your page before sending.',
  },
  41030: { kind: 'caller', hint: 'The mini-program page path is not in the released version of the mini program.' },
  200011: { kind: 'configuration', status: 403, hint: 'This account may not manage subscription templates: it is banned from them.' },
  200012: { kind: 'quota', status: 409, hint: 'The account has 25 private templates, the most it may keep: delete one with /subscribe/deltemplate first.' },
  200013: { kind: 'caller', status: 403, hint: 'This public template is banned; pick another title.' },
  200014: { kind: 'caller', hint: 'The tid is not a public title: list titles with /subscribe/getpubtemplatetitles.' },
  200020: { kind: 'caller', hint: "kidList must hold 2 to 5 distinct keyword ids of the title: list them with /subscribe/getpubtemplatekeywords." },
  200021: { kind: 'caller', hint: 'sceneDesc is not valid: describe the scene in at most 15 characters.' },
};
