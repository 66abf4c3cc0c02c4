/**
 * The publishing emulator part: a submitted draft becomes a job that reads as publishing
 * (status 1) for a while on the core's clock, then as published with its article_id.
 * `library.finishedJobs(appId)` lists the finished jobs, for the PUBLISHJOBFINISH push.
 */
import { wxError } from '../../emulator/core.js';
import type { EmulatorPart, EmulatorPartFactory } from '../../emulator/part.js';
import { libraryOf, type MediaLibrary, type PublishJob } from '../media/library.js';
import { pageOf, shown } from '../draft/emulator.js';
import { wechat } from './endpoints.js';

export interface PublishEmulatorPart extends EmulatorPart {
  library: MediaLibrary;
}

export const part: EmulatorPartFactory<PublishEmulatorPart> = (core) => {
  const library = libraryOf(core);
  const appOf = (account: { app: { appId: string } } | undefined) => account!.app.appId;
  const articleOf = (appId: string, articleId: unknown) => (typeof articleId === 'string' ? library.published(appId, articleId) : undefined);
  const newsItems = (job: PublishJob) => job.articles.map((article, index) => ({ ...article, url: library.articleUrl(job, index + 1), is_deleted: job.deleted.has(index + 1) }));

  return {
    library,
    endpoints: [
      {
        ...wechat.submit,
        token: 'global',
        answer: ({ account, body }) => {
          const appId = appOf(account);
          const draft = typeof body.media_id === 'string' ? library.of(appId).drafts.get(body.media_id) : undefined;
          if (!draft) return wxError(40007, 'invalid media_id');
          // Published, the draft leaves the draft box.
          library.of(appId).drafts.delete(draft.media_id);
          const job = library.submit(appId, draft);
          return { errcode: 0, errmsg: 'ok', publish_id: job.publish_id, msg_data_id: job.msg_data_id };
        },
      },
      {
        ...wechat.get,
        token: 'global',
        answer: ({ account, body }) => {
          const job = typeof body.publish_id === 'string' ? library.of(appOf(account)).jobs.get(body.publish_id) : undefined;
          if (!job) return wxError(40035, 'invalid parameter: publish_id');
          return { ...library.result(job) };
        },
      },
      {
        ...wechat.delete,
        token: 'global',
        answer: ({ account, body }) => {
          const job = articleOf(appOf(account), body.article_id);
          if (!job) return wxError(40035, 'invalid parameter: article_id');
          const index = body.index ?? 0;
          if (!Number.isInteger(index) || (index as number) < 0 || (index as number) > job.articles.length) return wxError(40035, 'invalid parameter: index');
          if (index === 0) job.articles.forEach((_, at) => job.deleted.add(at + 1));
          else job.deleted.add(index as number);
          return { errcode: 0, errmsg: 'ok' };
        },
      },
      {
        ...wechat.getArticle,
        token: 'global',
        answer: ({ account, body }) => {
          const job = articleOf(appOf(account), body.article_id);
          if (!job) return wxError(40035, 'invalid parameter: article_id');
          return { news_item: newsItems(job) };
        },
      },
      {
        ...wechat.batchget,
        token: 'global',
        answer: ({ account, body }) => {
          const appId = appOf(account);
          const all = [...library.of(appId).jobs.values()]
            .filter((job) => library.finished(job) && job.deleted.size < job.articles.length)
            .sort((a, b) => b.submittedAt - a.submittedAt);
          const page = pageOf(all, body);
          if ('error' in page) return page.error;
          return {
            total_count: all.length,
            item_count: page.items.length,
            item: page.items.map((job) => ({
              article_id: job.article_id,
              content: { news_item: shown(newsItems(job), body.no_content) },
              update_time: Math.floor(job.submittedAt / 1000),
            })),
          };
        },
      },
    ],
  };
};
