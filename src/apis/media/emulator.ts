/** The media group's emulator part: uploads checked as WeChat checks them, files kept in the shared library. */
import type { Reply } from '../../emulator/core.js';
import { wxError } from '../../emulator/core.js';
import type { BinaryReply, EmulatorPart, EmulatorPartFactory } from '../../emulator/part.js';
import { seconds } from '../../clock.js';
import { wechat } from './endpoints.js';
import { ARTICLE_IMAGE_RULE, extensionOf, MATERIAL_RULES, MEDIA_TYPES, TEMP_RULES, type FileRule, type MediaType } from './limits.js';
import { libraryOf, type Material, type MediaLibrary } from './library.js';

export interface MediaEmulatorPart extends EmulatorPart {
  library: MediaLibrary;
}

const isMediaType = (value: unknown): value is MediaType => MEDIA_TYPES.includes(value as MediaType);

/** The uploaded file's bytes, or WeChat's answer to a file it refuses. */
async function checkedFile(file: File | undefined, rule: FileRule, formatErrcode = 40005): Promise<{ file: { bytes: Uint8Array; name: string; type: string } } | { error: Reply }> {
  if (!file) return { error: wxError(41005, 'media data missing') };
  if (file.size === 0) return { error: wxError(44001, 'empty media data') };
  if (!rule.extensions.includes(extensionOf(file.name))) return { error: wxError(formatErrcode, formatErrcode === 40137 ? 'unsupported image format' : 'invalid file type') };
  if (file.size > rule.maxBytes) return { error: wxError(rule.sizeErrcode, 'media size out of limit') };
  return { file: { bytes: new Uint8Array(await file.arrayBuffer()), name: file.name, type: file.type || 'application/octet-stream' } };
}

const mmbiz = (mediaId: string, filename: string) => `http://mmbiz.qpic.cn/mmbiz_${extensionOf(filename) || 'jpg'}/${mediaId}/0`;

export const part: EmulatorPartFactory<MediaEmulatorPart> = (core) => {
  const library = libraryOf(core);
  const appOf = (account: { app: { appId: string } } | undefined) => account!.app.appId;
  const binary = (file: { bytes: Uint8Array; contentType: string }): BinaryReply => ({ binary: file.bytes, contentType: file.contentType });
  const material = (appId: string, mediaId: unknown): Material | undefined => (typeof mediaId === 'string' ? library.of(appId).materials.get(mediaId) : undefined);

  return {
    library,
    endpoints: [
      {
        ...wechat.upload,
        token: 'global',
        body: 'multipart',
        dailyQuota: 100_000,
        answer: async ({ account, query, files }) => {
          if (!isMediaType(query.type)) return wxError(40004, 'invalid media type');
          const checked = await checkedFile(files.media, TEMP_RULES[query.type]);
          if ('error' in checked) return checked.error;
          const { file } = checked;
          const stored = { media_id: library.newMediaId(), type: query.type, filename: file.name, contentType: file.type, bytes: file.bytes, createdAt: library.now() };
          library.of(appOf(account)).temp.set(stored.media_id, stored);
          const id = query.type === 'thumb' ? { thumb_media_id: stored.media_id } : { media_id: stored.media_id };
          return { type: query.type, ...id, created_at: seconds(core.clock) };
        },
      },
      {
        ...wechat.get,
        token: 'global',
        dailyQuota: 200_000,
        answer: ({ account, query }) => {
          const file = library.temp(appOf(account), query.media_id ?? '');
          if (!file) return wxError(40007, 'invalid media_id');
          if (file.type === 'video') return { video_url: mmbiz(file.media_id, file.filename) };
          return binary(file);
        },
      },
      {
        ...wechat.uploadImg,
        token: 'global',
        body: 'multipart',
        answer: async ({ files }) => {
          const checked = await checkedFile(files.media, ARTICLE_IMAGE_RULE, 40137);
          if ('error' in checked) return checked.error;
          return { url: mmbiz(library.newMediaId(), checked.file.name) };
        },
      },
      {
        ...wechat.addMaterial,
        token: 'global',
        body: 'multipart',
        answer: async ({ account, query, files, body }) => {
          if (!isMediaType(query.type)) return wxError(40004, 'invalid media type');
          let video: { title?: unknown; introduction?: unknown } = {};
          if (query.type === 'video') {
            try {
              video = JSON.parse(String(body.description ?? ''));
            } catch {
              return wxError(40035, 'invalid parameter: description');
            }
            if (typeof video?.title !== 'string' || video.title === '') return wxError(40035, 'invalid parameter: description.title');
          }
          const checked = await checkedFile(files.media, MATERIAL_RULES[query.type]);
          if ('error' in checked) return checked.error;
          const { file } = checked;
          const media_id = library.newMediaId();
          const stored: Material = { media_id, type: query.type, filename: file.name, contentType: file.type, bytes: file.bytes, createdAt: library.now() };
          if (query.type === 'image') stored.url = mmbiz(media_id, file.name);
          if (query.type === 'video') Object.assign(stored, { title: video.title, introduction: typeof video.introduction === 'string' ? video.introduction : '' });
          library.of(appOf(account)).materials.set(media_id, stored);
          return stored.url ? { media_id, url: stored.url } : { media_id };
        },
      },
      {
        ...wechat.getMaterial,
        token: 'global',
        answer: ({ account, body }) => {
          const found = material(appOf(account), body.media_id);
          if (!found) return wxError(40007, 'invalid media_id');
          if (found.type === 'video') return { title: found.title, description: found.introduction, down_url: mmbiz(found.media_id, found.filename) };
          return binary(found);
        },
      },
      {
        ...wechat.delMaterial,
        token: 'global',
        answer: ({ account, body }) => {
          const media = library.of(appOf(account));
          if (!material(appOf(account), body.media_id)) return wxError(40007, 'invalid media_id');
          media.materials.delete(body.media_id as string);
          return { errcode: 0, errmsg: 'ok' };
        },
      },
      {
        ...wechat.count,
        token: 'global',
        answer: ({ account }) => {
          const counts = { voice_count: 0, video_count: 0, image_count: 0, news_count: 0 };
          for (const item of library.of(appOf(account)).materials.values()) {
            if (item.type === 'voice') counts.voice_count++;
            else if (item.type === 'video') counts.video_count++;
            else if (item.type === 'image') counts.image_count++;
          }
          return counts;
        },
      },
      {
        ...wechat.batchget,
        token: 'global',
        answer: ({ account, body }) => {
          const { type, offset, count } = body;
          if (!['image', 'video', 'voice', 'news'].includes(type as string)) return wxError(40004, 'invalid media type');
          if (!Number.isInteger(offset) || (offset as number) < 0 || !Number.isInteger(count) || (count as number) < 1 || (count as number) > 20) {
            return wxError(40035, 'invalid parameter: offset or count');
          }
          const all = [...library.of(appOf(account)).materials.values()].filter((item) => item.type === type).reverse();
          const items = all.slice(offset as number, (offset as number) + (count as number));
          return {
            total_count: all.length,
            item_count: items.length,
            item: items.map((item) => ({ media_id: item.media_id, name: item.filename, update_time: Math.floor(item.createdAt / 1000), ...(item.url && { url: item.url }) })),
          };
        },
      },
      // Retired by WeChat: the answer a retired API gives (wechat-oa-api.md §10.9).
      { ...wechat.addNews, token: 'global', answer: () => wxError(45103, 'This API has been unsupported') },
    ],
  };
};
