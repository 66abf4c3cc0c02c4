/** The errcodes of drafts and published articles (wechat-oa-api.md §1.5, §10.9). */
import type { ErrcodeTable } from '../../wechat/errcodes.js';

export const errcodes: ErrcodeTable = {
  44003: { kind: 'caller', hint: 'The draft has no articles: send at least one.' },
  44004: { kind: 'caller', hint: 'An article has no content.' },
  45002: { kind: 'caller', hint: 'An article is too long: content may have at most 20,000 characters (under 1 MB).' },
  45008: { kind: 'caller', hint: 'Too many articles in one message: a draft holds at most 8.' },
};
