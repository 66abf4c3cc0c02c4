/**
 * WeChat's rules for uploaded files (wechat-oa-api.md §10.1, §10.3, §10.4): one table, read by the
 * routes (to refuse a file before it costs a call) and by the emulator (to answer as WeChat does).
 */
export type MediaType = 'image' | 'voice' | 'video' | 'thumb';

export const MEDIA_TYPES = ['image', 'voice', 'video', 'thumb'] as const satisfies readonly MediaType[];

export interface FileRule {
  maxBytes: number;
  /** Lower-case file-name extensions WeChat takes (it reads the format from the name). */
  extensions: readonly string[];
  /** WeChat's errcode for a file over the size. */
  sizeErrcode: number;
}

const MB = 1024 * 1024;

/** Temporary media (media/upload). */
export const TEMP_RULES: Record<MediaType, FileRule> = {
  image: { maxBytes: 10 * MB, extensions: ['png', 'jpeg', 'jpg', 'gif'], sizeErrcode: 40009 },
  voice: { maxBytes: 2 * MB, extensions: ['amr', 'mp3'], sizeErrcode: 40010 },
  video: { maxBytes: 10 * MB, extensions: ['mp4'], sizeErrcode: 40011 },
  thumb: { maxBytes: 64 * 1024, extensions: ['jpg', 'jpeg'], sizeErrcode: 40012 },
};

/** Permanent material (material/add_material). */
export const MATERIAL_RULES: Record<MediaType, FileRule> = {
  image: { maxBytes: 10 * MB, extensions: ['bmp', 'png', 'jpeg', 'jpg', 'gif'], sizeErrcode: 40006 },
  voice: { maxBytes: 2 * MB, extensions: ['mp3', 'wma', 'wav', 'amr'], sizeErrcode: 40006 },
  video: { maxBytes: 10 * MB, extensions: ['mp4'], sizeErrcode: 40006 },
  thumb: { maxBytes: 64 * 1024, extensions: ['jpg', 'jpeg'], sizeErrcode: 40006 },
};

/** An image for article bodies (media/uploadimg): not counted as material. */
export const ARTICLE_IMAGE_RULE: FileRule = { maxBytes: 1 * MB, extensions: ['jpg', 'jpeg', 'png'], sizeErrcode: 45001 };

/** The largest file any upload route takes (10 MB) sent as base64 inside JSON (13.4 MB), with room for the other fields. */
export const UPLOAD_BODY_LIMIT = 14 * MB;

export const extensionOf = (filename: string): string => /\.([^./\\]+)$/.exec(filename)?.[1]?.toLowerCase() ?? '';

export const sizeText = (bytes: number): string => (bytes >= MB ? `${+(bytes / MB).toFixed(1)} MB` : `${+(bytes / 1024).toFixed(1)} KB`);
