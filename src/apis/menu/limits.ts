/**
 * WeChat's limits on a custom menu (wechat-oa-api.md §6.1), shared by the routes' schemas,
 * which refuse a body before any call, and the emulator, which answers WeChat's errcodes for a
 * body that reaches it directly.
 */
export const MAX_BUTTONS = 3;
export const MAX_SUB_BUTTONS = 5;
export const MAX_NAME_BYTES = 16;
export const MAX_SUB_NAME_BYTES = 60;
export const MAX_KEY_BYTES = 128;
export const MAX_URL_BYTES = 1024;

/** The fields a leaf button of each type must carry. */
export const REQUIRED_FIELDS = {
  click: ['key'],
  scancode_push: ['key'],
  scancode_waitmsg: ['key'],
  pic_sysphoto: ['key'],
  pic_photo_or_album: ['key'],
  pic_weixin: ['key'],
  location_select: ['key'],
  view: ['url'],
  miniprogram: ['url', 'appid', 'pagepath'],
  media_id: ['media_id'],
  view_limited: ['media_id'],
  article_id: ['article_id'],
  article_view_limited: ['article_id'],
} as const satisfies Record<string, readonly string[]>;

export type ButtonType = keyof typeof REQUIRED_FIELDS;
export const BUTTON_TYPES = Object.keys(REQUIRED_FIELDS) as ButtonType[];

/** The fields a button may carry; anything else is dropped. */
export const BUTTON_FIELDS = ['type', 'name', 'key', 'url', 'media_id', 'article_id', 'appid', 'pagepath'] as const;

export const byteLength = (text: string): number => Buffer.byteLength(text, 'utf8');
