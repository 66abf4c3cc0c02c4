/**
 * Customer-service limits (wechat-oa-api.md §5), shared by the routes' schemas and the emulator.
 */
export const MSG_TYPES = ['text', 'image', 'voice', 'video', 'music', 'news', 'mpnews', 'mpnewsarticle', 'msgmenu', 'wxcard', 'miniprogrampage'] as const;
export type MsgType = (typeof MSG_TYPES)[number];

/** Text content: WeChat's limit is not published; 2048 bytes is the figure commonly quoted. */
export const MAX_TEXT_BYTES = 2048;

/** `prefix@wechatid`: the prefix is 1–10 letters or digits (61454, 61455). */
export const KF_PREFIX_MAX = 10;
export const KF_ACCOUNT = /^[A-Za-z0-9]{1,10}@[A-Za-z0-9_-]{1,64}$/;

/** Nicknames: 16 characters is the limit commonly cited. */
export const MAX_NICKNAME = 16;

/** Agents per account (older docs: 10, 61456). */
export const MAX_AGENTS = 10;

export const TYPING_COMMANDS = ['Typing', 'CancelTyping'] as const;

/** Avatars: WeChat takes JPEG (PNG is accepted by the same upload); others are 61457. */
export const AVATAR_TYPES = ['image/jpeg', 'image/png'] as const;
export const MAX_AVATAR_BYTES = 5 * 1024 * 1024;
