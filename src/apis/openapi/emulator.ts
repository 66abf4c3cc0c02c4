/**
 * API management's emulator part: clear_quota (with a token or the AppSecret) under the monthly
 * allowance, quota/get from the quotas the parts declare, rid/get from the failures the core
 * remembered. `part.clears` is readable by other code: resets used this month per account.
 */
import { isError, wxError, type Account, type EmulatorCore } from '../../emulator/core.js';
import type { EmulatorPart, EmulatorPartFactory } from '../../emulator/part.js';
import { CLEARS_PER_MONTH, wechat } from './endpoints.js';

/** WeChat keeps a rid this long. */
const RID_TTL_S = 7 * 86_400;
/** WeChat's calendar is China's (UTC+8). */
const CHINA_OFFSET_MS = 8 * 3_600_000;

export interface ClearCounts {
  /** Resets the account made in the current calendar month. */
  used(appId: string): number;
}

export interface OpenapiEmulatorPart extends EmulatorPart {
  clears: ClearCounts;
}

export const part: EmulatorPartFactory<OpenapiEmulatorPart> = (core) => {
  /** Resets by `${appId}:${YYYY-MM}`. */
  const clears = new Map<string, number>();
  core.onReset(() => clears.clear());
  const monthKey = (appId: string) => `${appId}:${new Date(core.clock.now() + CHINA_OFFSET_MS).toISOString().slice(0, 7)}`;

  const clear = (account: Account) => {
    const key = monthKey(account.app.appId);
    const used = clears.get(key) ?? 0;
    if (used >= CLEARS_PER_MONTH) return wxError(48006, 'forbid to clear quota because of reaching the limit');
    clears.set(key, used + 1);
    core.clearUsage(account);
    return { errcode: 0, errmsg: 'ok' };
  };
  const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);

  return {
    clears: { used: (appId) => clears.get(monthKey(appId)) ?? 0 },
    endpoints: [
      {
        ...wechat.clearQuota,
        token: 'global',
        answer: ({ account, body }) => {
          const appId = text(body.appid);
          if (!appId) return wxError(41002, 'appid missing');
          // The token's own account only: another account's counts are not this token's to reset.
          if (appId !== account!.app.appId) return wxError(40013, 'invalid appid');
          return clear(account!);
        },
      },
      {
        ...wechat.clearQuotaV2,
        // WeChat's page lists body fields, its example sends them in the query: both are read.
        answer: ({ query, body }) => {
          const account = core.credentials(text(query.appid) ?? text(body.appid), text(query.appsecret) ?? text(body.appsecret));
          return isError(account) ? account : clear(account);
        },
      },
      {
        ...wechat.quotaGet,
        token: 'global',
        answer: ({ account, body }) => {
          const path = text(body.cgi_path);
          if (!path) return wxError(47001, 'data format error');
          if (!path.startsWith('/')) return wxError(76003, 'invalid cgi_path');
          if (/(^|\/)sns\//.test(path)) return wxError(76022, 'could not use this cgi_path, no permission');
          const quota = core.quota(account!, path);
          if (!quota) return wxError(76021, 'cgi_path not found, please check');
          return { errcode: 0, errmsg: 'ok', quota };
        },
      },
      {
        ...wechat.ridGet,
        token: 'global',
        answer: ({ body }) => {
          const rid = text(body.rid);
          if (!rid) return wxError(47001, 'data format error');
          const request = core.failure(rid);
          if (!request || core.clock.now() / 1000 - request.invoke_time > RID_TTL_S) return wxError(76001, 'rid not found');
          return { errcode: 0, errmsg: 'ok', request };
        },
      },
    ],
  };
};
