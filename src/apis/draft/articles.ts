/**
 * An article of a draft (and of CloudBase's legacy add_news), with WeChat's limits
 * (wechat-oa-api.md §10.9). Fields this schema does not name are passed to WeChat as sent.
 */
import * as v from 'valibot';

/** Articles a draft (a news message) may hold. */
export const MAX_ARTICLES = 8;
/** WeChat's limit on an article's content, in characters. */
export const MAX_CONTENT_CHARS = 20_000;

const flag = v.optional(v.picklist([0, 1]));

export const article = v.looseObject({
  title: v.pipe(v.string(), v.minLength(1)),
  thumb_media_id: v.pipe(v.string(), v.minLength(1), v.maxLength(256)),
  content: v.pipe(v.string(), v.minLength(1), v.maxLength(MAX_CONTENT_CHARS)),
  author: v.optional(v.string()),
  digest: v.optional(v.string()),
  content_source_url: v.optional(v.string()),
  show_cover_pic: flag,
  need_open_comment: flag,
  only_fans_can_comment: flag,
});

export const articles = v.pipe(v.array(article), v.minLength(1), v.maxLength(MAX_ARTICLES));

export type Article = v.InferOutput<typeof article>;
