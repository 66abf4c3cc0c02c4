/**
 * The emulator's media library, per account: temporary media (3 days on the core's clock),
 * permanent material, drafts and publish jobs. The media, draft and publish parts share one per
 * emulator core; other code (the message server's simulated phone) reads it through any of
 * those parts' `library`.
 */
import { randomBytes } from 'node:crypto';
import type { EmulatorCore } from '../../emulator/core.js';
import type { MediaType } from './limits.js';

/** WeChat keeps temporary media 3 days. */
export const TEMP_MEDIA_TTL_MS = 3 * 86_400_000;
/** A submitted job reads as publishing (status 1) this long on the clock, then as published. */
export const PUBLISH_DURATION_MS = 10_000;

export interface StoredFile {
  media_id: string;
  type: MediaType;
  filename: string;
  contentType: string;
  bytes: Uint8Array;
  /** Milliseconds on the core's clock. */
  createdAt: number;
}

export interface Material extends StoredFile {
  /** For an image: where it is served (WeChat's mmbiz host). */
  url?: string;
  /** For a video. */
  title?: string;
  introduction?: string;
}

export type ArticleFields = Record<string, unknown> & { title: string; content: string; thumb_media_id: string };

export interface Draft {
  media_id: string;
  articles: ArticleFields[];
  updatedAt: number;
}

export interface PublishJob {
  publish_id: string;
  msg_data_id: string;
  articles: ArticleFields[];
  submittedAt: number;
  article_id: string;
  /** Article numbers (from 1) deleted after publishing. */
  deleted: Set<number>;
}

/** What a finished job reports (freepublish/get, and the PUBLISHJOBFINISH event). */
export interface JobResult {
  publish_id: string;
  publish_status: number;
  article_id?: string;
  article_detail?: { count: number; item: Array<{ idx: number; article_url: string }> };
  fail_idx: number[];
}

export interface AccountMedia {
  temp: Map<string, StoredFile>;
  materials: Map<string, Material>;
  drafts: Map<string, Draft>;
  jobs: Map<string, PublishJob>;
}

const id = (bytes = 24) => randomBytes(bytes).toString('base64url');
const digits = () => String(2_247_000_000 + Math.floor(Math.random() * 1_000_000_000));

export class MediaLibrary {
  private readonly accounts = new Map<string, AccountMedia>();

  constructor(private readonly core: EmulatorCore) {
    core.onReset(() => this.accounts.clear());
  }

  now(): number {
    return this.core.clock.now();
  }

  of(appId: string): AccountMedia {
    let media = this.accounts.get(appId);
    if (!media) {
      media = { temp: new Map(), materials: new Map(), drafts: new Map(), jobs: new Map() };
      this.accounts.set(appId, media);
    }
    return media;
  }

  newMediaId(): string {
    return id();
  }

  /** A temporary medium while it lives (3 days); undefined once expired (and then forgotten). */
  temp(appId: string, mediaId: string): StoredFile | undefined {
    const media = this.of(appId);
    const file = media.temp.get(mediaId);
    if (file && this.now() - file.createdAt >= TEMP_MEDIA_TTL_MS) {
      media.temp.delete(mediaId);
      return undefined;
    }
    return file;
  }

  submit(appId: string, draft: Draft): PublishJob {
    const job: PublishJob = { publish_id: digits(), msg_data_id: digits(), articles: draft.articles, submittedAt: this.now(), article_id: id(18), deleted: new Set() };
    this.of(appId).jobs.set(job.publish_id, job);
    return job;
  }

  finished(job: PublishJob): boolean {
    return this.now() - job.submittedAt >= PUBLISH_DURATION_MS;
  }

  articleUrl(job: PublishJob, idx: number): string {
    return `https://mp.weixin.qq.com/s/${job.article_id}_${idx}`;
  }

  result(job: PublishJob): JobResult {
    if (!this.finished(job)) return { publish_id: job.publish_id, publish_status: 1, fail_idx: [] };
    const status = job.deleted.size >= job.articles.length ? 5 : 0;
    return {
      publish_id: job.publish_id,
      publish_status: status,
      article_id: job.article_id,
      article_detail: { count: job.articles.length, item: job.articles.map((_, index) => ({ idx: index + 1, article_url: this.articleUrl(job, index + 1) })) },
      fail_idx: [],
    };
  }

  /** Published articles' jobs by article_id (finished jobs only). */
  published(appId: string, articleId: string): PublishJob | undefined {
    for (const job of this.of(appId).jobs.values()) if (job.article_id === articleId && this.finished(job)) return job;
    return undefined;
  }

  /**
   * Every finished job of the account, oldest first, with when it finished: what WeChat pushes
   * as PUBLISHJOBFINISH (the message server reads this list).
   */
  finishedJobs(appId: string): Array<JobResult & { finishedAt: number }> {
    return [...this.of(appId).jobs.values()].filter((job) => this.finished(job)).map((job) => ({ ...this.result(job), finishedAt: job.submittedAt + PUBLISH_DURATION_MS }));
  }
}

const libraries = new WeakMap<EmulatorCore, MediaLibrary>();

/** The one library of an emulator core, shared by the media, draft and publish parts. */
export function libraryOf(core: EmulatorCore): MediaLibrary {
  let library = libraries.get(core);
  if (!library) {
    library = new MediaLibrary(core);
    libraries.set(core, library);
  }
  return library;
}
