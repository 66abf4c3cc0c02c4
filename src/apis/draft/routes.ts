/** The draft box: articles are written here, then published with /publish/submit. */
import * as v from 'valibot';
import { forward } from '../group.js';
import { article, articles, MAX_ARTICLES } from './articles.js';
import { wechat } from './endpoints.js';

const mediaId = v.pipe(v.string(), v.minLength(1), v.maxLength(256));

/** One page of a list: offset from 0, 1–20 items, with or without the content. */
export const page = v.object({
  offset: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0)), 0),
  count: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(20)), 20),
  no_content: v.optional(v.picklist([0, 1])),
});

export const listAnswer = v.object({ total_count: v.number(), item_count: v.number(), item: v.array(v.unknown()) });

/** Up to 8 articles of 20,000 characters, with room for the JSON around them. */
const ARTICLES_BODY_LIMIT = 1024 * 1024;

export const draftRoutes = [
  forward(wechat.add, {
    path: '/draft/add',
    bodyLimit: ARTICLES_BODY_LIMIT,
    summary: `Adds a draft of 1–${MAX_ARTICLES} articles (title, thumb_media_id of permanent material, content ≤ 20,000 characters, …). Answers {media_id}. Needs X-Api-Key.`,
    body: v.object({ articles }),
    response: v.object({ media_id: v.string() }),
  }),
  forward(wechat.get, {
    path: '/draft/get',
    summary: 'A draft: {news_item: [articles]}. Needs X-Api-Key.',
    body: v.object({ media_id: mediaId }),
    response: v.object({ news_item: v.array(v.unknown()) }),
  }),
  forward(wechat.update, {
    path: '/draft/update',
    bodyLimit: ARTICLES_BODY_LIMIT,
    summary: 'Replaces one article of a draft: media_id, index (from 0) and articles (the one article). Needs X-Api-Key.',
    body: v.object({ media_id: mediaId, index: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(MAX_ARTICLES - 1)), articles: article }),
  }),
  forward(wechat.delete, { path: '/draft/delete', summary: 'Deletes a draft. Needs X-Api-Key.', body: v.object({ media_id: mediaId }) }),
  forward(wechat.count, { path: '/draft/count', summary: 'How many drafts there are: {total_count}. Needs X-Api-Key.', body: v.object({}), response: v.object({ total_count: v.number() }) }),
  forward(wechat.batchget, {
    path: '/draft/batchget',
    summary: 'Lists drafts, newest first: offset (default 0), count 1–20 (default 20), no_content 1 to leave out the content. Needs X-Api-Key.',
    body: page,
    response: listAnswer,
  }),
];
