/** Template-message errcodes (wechat-oa-api.md §7.2). */
import type { ErrcodeTable } from '../../wechat/errcodes.js';

export const errcodes: ErrcodeTable = {
  40102: { kind: 'caller', hint: 'The industry id is not one of WeChat\'s industry codes ("1" to "41"), or both ids are the same.' },
  43100: { kind: 'quota', status: 429, hint: "The account's industries may change once a month: keep the current ones (/template/industry_get) until then." },
  45026: { kind: 'quota', status: 409, hint: 'The account has 25 templates, the most it may keep: delete one with /template/del first.' },
  45027: { kind: 'caller', status: 409, hint: "The template belongs to an industry the account has not set: set it with /template/industry_set, or pick a template of the account's industries." },
  40036: { kind: 'caller', hint: 'The template_id has the wrong length: copy it from /template/list.' },
};
