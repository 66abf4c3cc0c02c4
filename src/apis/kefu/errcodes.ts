/** The customer-service errcodes (wechat-oa-api.md §1.5, §5): what each means and what to do. */
import type { ErrcodeTable } from '../../wechat/errcodes.js';

export const errcodes: ErrcodeTable = {
  45015: {
    kind: 'caller',
    status: 409,
    hint: 'The follower has not interacted recently: a message opens 48 hours (5 sends), a follow, menu click or QR scan 1 minute (3 sends). Use a template or subscription message instead.',
  },
  45047: { kind: 'caller', status: 409, hint: "The sends this follower's last interaction allowed are used up; wait for them to write again." },
  45072: { kind: 'caller', hint: 'command must be Typing or CancelTyping.' },
  45080: { kind: 'caller', status: 409, hint: 'The typing indicator needs a message exchange with the follower in the last 30 seconds.' },
  45081: { kind: 'caller', status: 409, hint: 'The indicator is already shown (it lasts 15 seconds); send CancelTyping or a message first.' },
  61450: { kind: 'upstream', hint: 'WeChat failed on the agent account; try again shortly.' },
  61451: { kind: 'caller', hint: 'A parameter of the agent account call is invalid.' },
  61452: { kind: 'caller', status: 404, hint: 'No agent account has this kf_account: /kefu/list lists them.' },
  61453: { kind: 'caller', status: 409, hint: 'An agent account with this kf_account exists already.' },
  61454: { kind: 'caller', hint: 'The kf_account prefix (before @) is at most 10 characters.' },
  61455: { kind: 'caller', hint: 'The kf_account prefix (before @) allows only letters and digits.' },
  61456: { kind: 'caller', status: 409, hint: 'The account has as many agent accounts as WeChat allows; delete one first.' },
  61457: { kind: 'caller', hint: 'The avatar must be a JPEG or PNG image.' },
  65400: {
    kind: 'configuration',
    hint: 'Switch on the new customer service in the MP console (Customer service → enable), or wait a few minutes after enabling it.',
  },
};
