/**
 * The customer-service bodies with WeChat's limits (wechat-oa-api.md §5), so a message or an
 * agent account WeChat would refuse gets a 400 naming the field before any call.
 */
import * as v from 'valibot';
import type { UploadedFile } from '../../function/route.js';
import { KF_ACCOUNT, MAX_NICKNAME, MAX_TEXT_BYTES, TYPING_COMMANDS } from './limits.js';

const required = (max = 256) => v.pipe(v.string(), v.minLength(1), v.maxLength(max));
const optionalText = (max = 1024) => v.optional(v.pipe(v.string(), v.maxLength(max)));

export const openid = v.pipe(v.string(), v.minLength(1), v.maxLength(128));
export const kfAccount = v.pipe(v.string(), v.maxLength(100), v.regex(KF_ACCOUNT));

const message = <T extends string, E extends v.ObjectEntries>(msgtype: T, entries: E) =>
  v.object({ msgtype: v.literal(msgtype), [msgtype]: v.object(entries) } as { msgtype: v.LiteralSchema<T, undefined> } & Record<T, v.ObjectSchema<E, undefined>>);

const article = v.object({
  title: optionalText(),
  description: optionalText(),
  url: optionalText(2048),
  picurl: optionalText(2048),
});

const common = {
  touser: openid,
  customservice: v.optional(v.object({ kf_account: kfAccount })),
};

const messages = v.variant('msgtype', [
  message('text', { content: v.pipe(v.string(), v.minLength(1), v.maxBytes(MAX_TEXT_BYTES)) }),
  message('image', { media_id: required() }),
  message('voice', { media_id: required() }),
  message('video', { media_id: required(), thumb_media_id: v.optional(required()), title: optionalText(), description: optionalText() }),
  message('music', { title: optionalText(), description: optionalText(), musicurl: required(2048), hqmusicurl: required(2048), thumb_media_id: required() }),
  // WeChat sends one article per customer-service news message (45008 for more).
  message('news', { articles: v.pipe(v.array(article), v.minLength(1), v.maxLength(1)) }),
  message('mpnews', { media_id: required() }),
  message('mpnewsarticle', { article_id: required() }),
  message('msgmenu', {
    head_content: optionalText(),
    list: v.pipe(v.array(v.object({ id: required(64), content: required(1024) })), v.minLength(1), v.maxLength(10)),
    tail_content: optionalText(),
  }),
  message('wxcard', { card_id: required() }),
  message('miniprogrampage', { title: optionalText(), appid: required(64), pagepath: required(1024), thumb_media_id: required() }),
]);

export const sendBody = v.intersect([v.object(common), messages]);

export const typingBody = v.object({ touser: openid, command: v.picklist(TYPING_COMMANDS) });

export const accountBody = v.object({ kf_account: kfAccount, nickname: v.pipe(v.string(), v.minLength(1), v.maxLength(MAX_NICKNAME)) });

export const isFile = (value: unknown): value is UploadedFile =>
  typeof value === 'object' && value !== null && (value as UploadedFile).bytes instanceof Uint8Array;
