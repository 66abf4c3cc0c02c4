/**
 * Short links' emulator part: long2short answers as WeChat does since it retired it (45103);
 * short keys are kept with their expiry on the core's clock. `part.keys` is readable by other
 * code (the simulated phone resolving a QR scene that carries a key).
 */
import { randomInt } from 'node:crypto';
import { wxError, type EmulatorCore } from '../../emulator/core.js';
import type { EmulatorPart, EmulatorPartFactory } from '../../emulator/part.js';
import { LONG_DATA_MAX_BYTES, SHORT_KEY_MAX_EXPIRE_S, wechat } from './endpoints.js';

const BASE62 = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
/** Keys kept per account, the oldest dropped first: a bound for long emulator runs. */
const KEYS_PER_ACCOUNT = 10_000;

export interface ShortKey {
  longData: string;
  /** Unix seconds. */
  createTime: number;
  /** Milliseconds on the core's clock. */
  expiresAt: number;
}

export interface ShortKeys {
  /** A live key's record; undefined once expired or never issued. */
  get(appId: string, key: string): ShortKey | undefined;
}

export interface AccountEmulatorPart extends EmulatorPart {
  keys: ShortKeys;
}

export const part: EmulatorPartFactory<AccountEmulatorPart> = (core: EmulatorCore) => {
  /** Per account, by key (Map order: oldest first). */
  const store = new Map<string, Map<string, ShortKey>>();
  core.onReset(() => store.clear());
  const now = () => core.clock.now();

  const get = (appId: string, key: string) => {
    const record = store.get(appId)?.get(key);
    if (record && now() >= record.expiresAt) {
      store.get(appId)!.delete(key);
      return undefined;
    }
    return record;
  };
  const newKey = () => Array.from({ length: 15 }, () => BASE62[randomInt(62)]).join('');

  return {
    keys: { get },
    endpoints: [
      { ...wechat.shorturl, token: 'global', answer: () => wxError(45103, 'This API has been unsupported') },
      {
        ...wechat.shortenGen,
        token: 'global',
        answer: ({ account, body }) => {
          const { long_data: longData, expire_seconds: expire = SHORT_KEY_MAX_EXPIRE_S } = body;
          if (typeof longData !== 'string' || longData === '') return wxError(44002, 'empty post data');
          if (Buffer.byteLength(longData) > LONG_DATA_MAX_BYTES) return wxError(40035, 'invalid parameter: long_data too long');
          if (typeof expire !== 'number' || !Number.isInteger(expire) || expire < 1 || expire > SHORT_KEY_MAX_EXPIRE_S) return wxError(40035, 'invalid parameter: expire_seconds');
          const keys = store.get(account!.app.appId) ?? new Map<string, ShortKey>();
          store.set(account!.app.appId, keys);
          const key = newKey();
          keys.set(key, { longData, createTime: Math.floor(now() / 1000), expiresAt: now() + expire * 1000 });
          if (keys.size > KEYS_PER_ACCOUNT) keys.delete(keys.keys().next().value!);
          return { errcode: 0, errmsg: 'ok', short_key: key };
        },
      },
      {
        ...wechat.shortenFetch,
        token: 'global',
        answer: ({ account, body }) => {
          const record = typeof body.short_key === 'string' ? get(account!.app.appId, body.short_key) : undefined;
          if (!record) return wxError(40035, 'invalid parameter: short_key');
          return {
            errcode: 0,
            errmsg: 'ok',
            long_data: record.longData,
            create_time: record.createTime,
            expire_seconds: Math.max(0, Math.ceil((record.expiresAt - now()) / 1000)),
          };
        },
      },
    ],
  };
};
