/**
 * Temporary media, article images and permanent material. Uploads take the file itself (a
 * multipart part or base64 in JSON) and send it to WeChat with the account's token: the token
 * never leaves the function (CloudBase's function answered an upload URL carrying it).
 */
import * as v from 'valibot';
import { defineRoute, type RawBody } from '../../function/route.js';
import { forward, hinted } from '../group.js';
import { AppError } from '../../errors.js';
import { wechat } from './endpoints.js';
import { ARTICLE_IMAGE_RULE, MATERIAL_RULES, MEDIA_TYPES, TEMP_RULES, UPLOAD_BODY_LIMIT, type MediaType } from './limits.js';
import { fileFields, fileOf } from './upload.js';
import { articles } from '../draft/articles.js';

const ADD_NEWS_HINT =
  'WeChat retired material/add_news. Create the article as a draft with /draft/add (the same articles) and publish it with /publish/submit.';

const A_TYPE: Record<MediaType, string> = { image: 'an image', voice: 'a voice file', video: 'a video', thumb: 'a thumbnail' };

const mediaId = v.pipe(v.string(), v.minLength(1), v.maxLength(256));

const description = v.union([
  v.object({ title: v.pipe(v.string(), v.minLength(1)), introduction: v.optional(v.string()) }),
  v.pipe(v.string(), v.minLength(1)),
]);

/** A video's description as WeChat's form field wants it: JSON `{title, introduction}`. */
function descriptionField(value: v.InferOutput<typeof description> | undefined): string {
  if (value === undefined) throw new AppError('bad_request', 'Invalid request body: description is required for a video: {"title": "…", "introduction": "…"}');
  let parsed: unknown = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch {
      parsed = undefined;
    }
  }
  const { title, introduction } = (parsed ?? {}) as { title?: unknown; introduction?: unknown };
  if (typeof title !== 'string' || title === '' || (introduction !== undefined && typeof introduction !== 'string')) {
    throw new AppError('bad_request', 'Invalid request body: description must be {"title": "…", "introduction": "…"} (as an object, or as JSON text in a form field)');
  }
  return JSON.stringify({ title, introduction: introduction ?? '' });
}

/** A file WeChat sent (image, voice, thumb) or its JSON answer (news, video), as the caller gets it. */
const asRaw = ({ bytes, contentType }: { bytes: Uint8Array; contentType: string }): RawBody => ({ body: bytes, contentType });

export const mediaRoutes = [
  defineRoute({
    path: '/media/upload_temp',
    access: 'admin',
    input: 'upload',
    bodyLimit: UPLOAD_BODY_LIMIT,
    summary:
      'Uploads temporary media (kept 3 days): the file as a multipart part named media with a type field, or JSON {type, filename, content_base64}. image ≤ 10 MB png/jpg/gif, voice ≤ 2 MB amr/mp3, video ≤ 10 MB mp4, thumb ≤ 64 KB jpg. Needs X-Api-Key.',
    body: v.object({ type: v.picklist(MEDIA_TYPES), ...fileFields }),
    response: v.object({ type: v.string(), media_id: v.optional(v.string()), thumb_media_id: v.optional(v.string()), created_at: v.number() }),
    calls: [wechat.upload],
    handler: async (body, { services, signal }) => {
      const file = fileOf(body, TEMP_RULES[body.type], A_TYPE[body.type]);
      return services.account.upload(wechat.upload.path, file, {}, { query: { type: body.type }, signal });
    },
  }),
  defineRoute({
    path: '/media/get_temp',
    access: 'admin',
    output: 'binary',
    summary: "Downloads temporary media: the file with WeChat's Content-Type (a video: WeChat's JSON {video_url}). Errors are the usual JSON envelope. Needs X-Api-Key.",
    body: v.object({ media_id: mediaId }),
    calls: [wechat.get],
    handler: async ({ media_id }, { services, signal }) => asRaw(await services.account.download(wechat.get.path, { query: { media_id }, signal })),
  }),
  defineRoute({
    path: '/media/uploadimg',
    access: 'admin',
    input: 'upload',
    bodyLimit: UPLOAD_BODY_LIMIT,
    summary: 'Uploads an image for use inside article content (JPG/PNG ≤ 1 MB; not counted as material): a multipart part named media, or JSON {filename, content_base64}. Answers {url}. Needs X-Api-Key.',
    body: v.object(fileFields),
    response: v.object({ url: v.string() }),
    calls: [wechat.uploadImg],
    handler: async (body, { services, signal }) => services.account.upload(wechat.uploadImg.path, fileOf(body, ARTICLE_IMAGE_RULE, 'an article image'), {}, { signal }),
  }),
  defineRoute({
    path: '/media/add_material',
    access: 'admin',
    input: 'upload',
    bodyLimit: UPLOAD_BODY_LIMIT,
    summary:
      'Adds permanent material: type, the file (multipart part media, or JSON filename + content_base64) and for a video description {title, introduction}. image ≤ 10 MB bmp/png/jpg/gif, voice ≤ 2 MB mp3/wma/wav/amr, video ≤ 10 MB mp4, thumb ≤ 64 KB jpg. Needs X-Api-Key.',
    body: v.object({ type: v.picklist(MEDIA_TYPES), description: v.optional(description), ...fileFields }),
    response: v.object({ media_id: v.string(), url: v.optional(v.string()) }),
    calls: [wechat.addMaterial],
    handler: async (body, { services, signal }) => {
      const fields: Record<string, string> = body.type === 'video' ? { description: descriptionField(body.description) } : {};
      const file = fileOf(body, MATERIAL_RULES[body.type], A_TYPE[body.type]);
      return services.account.upload(wechat.addMaterial.path, file, fields, { query: { type: body.type }, signal });
    },
  }),
  defineRoute({
    path: '/media/get_material',
    access: 'admin',
    output: 'binary',
    summary: "Permanent material: an image, voice or thumb as the file with WeChat's Content-Type; news and video as WeChat's JSON. Needs X-Api-Key.",
    body: v.object({ media_id: mediaId }),
    calls: [wechat.getMaterial],
    handler: async ({ media_id }, { services, signal }) => asRaw(await services.account.download(wechat.getMaterial.path, { body: { media_id }, signal })),
  }),
  forward(wechat.delMaterial, { path: '/media/del_material', summary: 'Deletes permanent material. Needs X-Api-Key.', body: v.object({ media_id: mediaId }) }),
  forward(wechat.count, {
    path: '/media/count',
    summary: 'How many items of permanent material the account keeps, by type. Needs X-Api-Key.',
    body: v.object({}),
    response: v.object({ voice_count: v.number(), video_count: v.number(), image_count: v.number(), news_count: v.number() }),
  }),
  forward(wechat.batchget, {
    path: '/media/batchget_material',
    summary: 'Lists permanent material of one type (image, video, voice, news), newest first: offset from 0 (default 0), count 1–20 (default 20). Needs X-Api-Key.',
    body: v.object({
      type: v.picklist(['image', 'video', 'voice', 'news']),
      offset: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0)), 0),
      count: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(20)), 20),
    }),
    response: v.object({ total_count: v.number(), item_count: v.number(), item: v.array(v.unknown()) }),
  }),
  defineRoute({
    path: '/media/add_news',
    access: 'admin',
    summary:
      "CloudBase's legacy route: passes {articles} to material/add_news, which WeChat has retired (its refusal comes back with a hint naming /draft/add). Use /draft/add and /publish/submit. Needs X-Api-Key.",
    body: v.object({ articles }),
    calls: [wechat.addNews],
    handler: ({ articles }, { services, signal }) => hinted(services.account.post(wechat.addNews.path, { articles }, { signal }), ADD_NEWS_HINT),
  }),
];
