/** Short links (retired) and short keys (wechat-oa-api.md §12). */
import type { WeChatEndpoint } from '../../function/route.js';

export const wechat = {
  /** long2short: retired by WeChat; forwarded for CloudBase's route, refused upstream. */
  shorturl: { method: 'POST', path: '/cgi-bin/shorturl' },
  shortenGen: { method: 'POST', path: '/cgi-bin/shorten/gen' },
  shortenFetch: { method: 'POST', path: '/cgi-bin/shorten/fetch' },
} as const satisfies Record<string, WeChatEndpoint>;

/** A short key's longest and default lifetime. */
export const SHORT_KEY_MAX_EXPIRE_S = 2_592_000;
/** long_data's limit in bytes. */
export const LONG_DATA_MAX_BYTES = 4096;
