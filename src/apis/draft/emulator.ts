/** The draft box's emulator part: drafts kept in the media library, checked as WeChat checks them. */
import type { Reply } from '../../emulator/core.js';
import { wxError } from '../../emulator/core.js';
import type { EmulatorPart, EmulatorPartFactory } from '../../emulator/part.js';
import { libraryOf, type ArticleFields, type MediaLibrary } from '../media/library.js';
import { MAX_ARTICLES, MAX_CONTENT_CHARS } from './articles.js';
import { wechat } from './endpoints.js';

export interface DraftEmulatorPart extends EmulatorPart {
  library: MediaLibrary;
}

/** An article as WeChat stores it, or its refusal: the cover must be permanent material (an image or thumb). */
export function checkArticle(library: MediaLibrary, appId: string, value: unknown): { article: ArticleFields } | { error: Reply } {
  const article = (typeof value === 'object' && value !== null && !Array.isArray(value) ? value : {}) as Record<string, unknown>;
  if (typeof article.title !== 'string' || article.title === '') return { error: wxError(40035, 'invalid parameter: title') };
  if (typeof article.content !== 'string' || article.content === '') return { error: wxError(44004, 'empty content') };
  if (article.content.length > MAX_CONTENT_CHARS) return { error: wxError(45002, 'content size out of limit') };
  const cover = typeof article.thumb_media_id === 'string' ? library.of(appId).materials.get(article.thumb_media_id) : undefined;
  if (!cover || (cover.type !== 'image' && cover.type !== 'thumb')) return { error: wxError(40007, 'invalid media_id') };
  return { article: { author: '', digest: '', content_source_url: '', need_open_comment: 0, only_fans_can_comment: 0, ...article } as unknown as ArticleFields };
}

/** A page of a list as WeChat answers it, or 40035 for a bad offset or count. */
export function pageOf<T>(all: T[], body: Record<string, unknown>): { items: T[] } | { error: Reply } {
  const { offset, count } = body;
  if (!Number.isInteger(offset) || (offset as number) < 0 || !Number.isInteger(count) || (count as number) < 1 || (count as number) > 20) {
    return { error: wxError(40035, 'invalid parameter: offset or count') };
  }
  return { items: all.slice(offset as number, (offset as number) + (count as number)) };
}

/** News items as a list shows them: without content when no_content is 1. */
export const shown = <T extends Record<string, unknown>>(articles: T[], noContent: unknown) => articles.map((article) => (noContent === 1 ? { ...article, content: '' } : article));

export const part: EmulatorPartFactory<DraftEmulatorPart> = (core) => {
  const library = libraryOf(core);
  const appOf = (account: { app: { appId: string } } | undefined) => account!.app.appId;
  const draftOf = (appId: string, mediaId: unknown) => (typeof mediaId === 'string' ? library.of(appId).drafts.get(mediaId) : undefined);
  const preview = (mediaId: string, index: number) => `https://mp.weixin.qq.com/s?__biz=emulator&tempkey=${mediaId}_${index}`;

  return {
    library,
    endpoints: [
      {
        ...wechat.add,
        token: 'global',
        answer: ({ account, body }) => {
          const appId = appOf(account);
          if (!Array.isArray(body.articles) || body.articles.length === 0) return wxError(44003, 'empty news data');
          if (body.articles.length > MAX_ARTICLES) return wxError(45008, 'article size out of limit');
          const articles: ArticleFields[] = [];
          for (const value of body.articles) {
            const checked = checkArticle(library, appId, value);
            if ('error' in checked) return checked.error;
            articles.push(checked.article);
          }
          const media_id = library.newMediaId();
          library.of(appId).drafts.set(media_id, { media_id, articles, updatedAt: library.now() });
          return { media_id };
        },
      },
      {
        ...wechat.get,
        token: 'global',
        answer: ({ account, body }) => {
          const draft = draftOf(appOf(account), body.media_id);
          if (!draft) return wxError(40007, 'invalid media_id');
          return { news_item: draft.articles.map((article, index) => ({ ...article, url: preview(draft.media_id, index) })) };
        },
      },
      {
        ...wechat.update,
        token: 'global',
        answer: ({ account, body }) => {
          const appId = appOf(account);
          const draft = draftOf(appId, body.media_id);
          if (!draft) return wxError(40007, 'invalid media_id');
          const index = body.index;
          if (!Number.isInteger(index) || (index as number) < 0 || (index as number) >= draft.articles.length) return wxError(40035, 'invalid parameter: index');
          const checked = checkArticle(library, appId, body.articles);
          if ('error' in checked) return checked.error;
          draft.articles[index as number] = checked.article;
          draft.updatedAt = library.now();
          return { errcode: 0, errmsg: 'ok' };
        },
      },
      {
        ...wechat.delete,
        token: 'global',
        answer: ({ account, body }) => {
          const draft = draftOf(appOf(account), body.media_id);
          if (!draft) return wxError(40007, 'invalid media_id');
          library.of(appOf(account)).drafts.delete(draft.media_id);
          return { errcode: 0, errmsg: 'ok' };
        },
      },
      { ...wechat.count, token: 'global', answer: ({ account }) => ({ total_count: library.of(appOf(account)).drafts.size }) },
      {
        ...wechat.batchget,
        token: 'global',
        answer: ({ account, body }) => {
          const all = [...library.of(appOf(account)).drafts.values()].sort((a, b) => b.updatedAt - a.updatedAt);
          const page = pageOf(all, body);
          if ('error' in page) return page.error;
          return {
            total_count: all.length,
            item_count: page.items.length,
            item: page.items.map((draft) => ({ media_id: draft.media_id, content: { news_item: shown(draft.articles, body.no_content) }, update_time: Math.floor(draft.updatedAt / 1000) })),
          };
        },
      },
    ],
  };
};
