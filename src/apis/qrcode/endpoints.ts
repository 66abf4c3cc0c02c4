/** The WeChat endpoints of parameterised QR codes (wechat-oa-api.md §11). */
import type { WeChatEndpoint } from '../../function/route.js';

export const wechat = {
  create: { method: 'POST', path: '/cgi-bin/qrcode/create' },
} as const satisfies Record<string, WeChatEndpoint>;

/**
 * The QR code image, on mp.weixin.qq.com and without a token. The function never calls it (it
 * only builds the address for a browser), so it is not in the table above; the emulator serves it.
 */
export const SHOW_QRCODE_PATH = '/cgi-bin/showqrcode';

export const QR_KINDS = ['QR_SCENE', 'QR_STR_SCENE', 'QR_LIMIT_SCENE', 'QR_LIMIT_STR_SCENE'] as const;
export type QrKind = (typeof QR_KINDS)[number];

export const QR_LIMITS = {
  /** 30 days. */
  maxExpireSeconds: 2_592_000,
  /** A temporary code without expire_seconds lives this long (wechat-oa-api.md §11.1). */
  defaultExpireSeconds: 60,
  /** Permanent integer scenes are 1 to this; there are at most this many permanent codes. */
  permanent: 100_000,
  /** Temporary integer scenes: a non-zero 32-bit integer. */
  maxTemporarySceneId: 2 ** 32 - 1,
  sceneStrChars: 64,
} as const;

export const isPermanent = (kind: QrKind) => kind.startsWith('QR_LIMIT_');
export const isStringScene = (kind: QrKind) => kind.endsWith('STR_SCENE');
