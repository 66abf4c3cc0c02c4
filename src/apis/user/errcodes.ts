/** The codes of followers, tags and the blacklist (wechat-oa-api.md §1.5, §9.5). */
import type { ErrcodeTable } from '../../wechat/errcodes.js';

export const errcodes: ErrcodeTable = {
  45056: { kind: 'caller', hint: 'The account already has 100 tags: delete one (/user/tags action delete) before creating another.' },
  45057: { kind: 'caller', hint: 'The tag has more than 100,000 followers: untag them (/user/tags action untag) before deleting it.' },
  45058: { kind: 'caller', hint: 'Tags 0, 1 and 2 are system tags and cannot be changed or deleted.' },
  45059: { kind: 'caller', hint: 'A follower carries at most 20 tags: untag one before adding another.' },
  45157: { kind: 'caller', hint: 'The tag name is empty, invalid or already used by another tag of this account.' },
  45158: { kind: 'caller', hint: 'The tag name is too long: at most 30 characters.' },
  45159: { kind: 'caller', hint: 'No tag of this account has this id: list them with /user/tags action list.' },
  46004: { kind: 'caller', hint: 'No such user.' },
  49003: { kind: 'caller', hint: 'The openid belongs to another AppID: use the openid this account gave the user.' },
};
