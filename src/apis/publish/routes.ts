/**
 * Publishing a draft: a job WeChat runs after accepting it. Its result is read with
 * /publish/get, and WeChat also pushes it to the message server (PUBLISHJOBFINISH).
 */
import * as v from 'valibot';
import { forward } from '../group.js';
import { listAnswer, page } from '../draft/routes.js';
import { wechat } from './endpoints.js';

const id = v.pipe(v.string(), v.minLength(1), v.maxLength(256));

export const publishRoutes = [
  forward(wechat.submit, {
    path: '/publish/submit',
    summary: 'Publishes a draft (its media_id): answers {publish_id, msg_data_id}; the job runs after that (read it with /publish/get). Needs X-Api-Key.',
    body: v.object({ media_id: id }),
    response: v.object({ publish_id: v.string(), msg_data_id: v.optional(v.string()) }),
  }),
  forward(wechat.get, {
    path: '/publish/get',
    summary: 'A publish job: publish_status (0 published, 1 publishing, 2–4 failed, 5 deleted, 6 banned), article_id and article_detail once published, fail_idx. Needs X-Api-Key.',
    body: v.object({ publish_id: id }),
    response: v.object({ publish_id: v.string(), publish_status: v.number(), article_id: v.optional(v.string()), fail_idx: v.optional(v.array(v.number())) }),
  }),
  forward(wechat.delete, {
    path: '/publish/delete',
    summary: 'Deletes a published article: article_id, and index (from 1) for one of its articles, 0 or absent for all. Needs X-Api-Key.',
    body: v.object({ article_id: id, index: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(8))) }),
  }),
  forward(wechat.getArticle, {
    path: '/publish/getarticle',
    summary: 'A published article: {news_item: [{…, url, is_deleted}]}. Needs X-Api-Key.',
    body: v.object({ article_id: id }),
    response: v.object({ news_item: v.array(v.unknown()) }),
  }),
  forward(wechat.batchget, {
    path: '/publish/batchget',
    summary: 'Lists published articles, newest first: offset (default 0), count 1–20 (default 20), no_content 1 to leave out the content. Needs X-Api-Key.',
    body: page,
    response: listAnswer,
  }),
];
