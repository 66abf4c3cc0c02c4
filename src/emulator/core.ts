/**
 * The emulated WeChat back end's core, shared by every API group's emulator part: accounts,
 * the global access_token (classic and stable), daily quotas, the clock, the IP whitelist
 * switch and the token check every server API makes. No HTTP here: app.ts turns requests into
 * calls and replies into JSON. Time comes from the injected clock, so tests move it instead of
 * sleeping.
 */
import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock.js';
import { Audience } from './audience.js';

export const GLOBAL_TOKEN_TTL_S = 7200;
/** Old and new global tokens both work this long after a new one is issued. */
export const OVERLAP_MS = 5 * 60_000;
export const FORCE_REFRESH_GAP_MS = 30_000;

export interface EmulatorApp {
  appId: string;
  appSecret: string;
  /** Bound to an Open Platform account: unionid is returned. */
  openPlatform?: boolean;
}

export interface Limits {
  /** cgi-bin/token fetches a day (WeChat gives a new account 2000). */
  tokenDailyQuota: number;
  /** stable_token force refreshes a day. */
  forceRefreshDailyQuota: number;
  /** getticket calls a day. */
  ticketDailyQuota: number;
}

export const DEFAULT_LIMITS: Limits = { tokenDailyQuota: 2000, forceRefreshDailyQuota: 20, ticketDailyQuota: 2000 };

/** WeChat's error reply; errmsg carries a request id, as WeChat's do. */
export type ErrorReply = {
  errcode: number;
  errmsg: string;
};
export type Reply = Record<string, unknown>;

export function rid(): string {
  const part = () => randomBytes(4).toString('hex');
  return `${part()}-${part()}-${part()}`;
}

export function wxError(errcode: number, text: string): ErrorReply {
  return { errcode, errmsg: `${text}, rid: ${rid()}` };
}

export function isError(value: unknown): value is ErrorReply {
  return typeof value === 'object' && value !== null && typeof (value as ErrorReply).errcode === 'number' && (value as ErrorReply).errcode !== 0;
}

export const newToken = (bytes = 48) => randomBytes(bytes).toString('base64url');

export interface GlobalToken {
  appId: string;
  source: 'classic' | 'stable';
  expiresAt: number;
  /** A newer token replaced it: once its overlap ends WeChat calls it "not latest" (40001). */
  superseded?: boolean;
}

export interface Account {
  app: EmulatorApp;
  /** The newest classic token; older ones only live out their overlap. */
  classic?: string;
  stable?: string;
  lastForceAt?: number;
  /** Usage per day, keyed by `${kind}:${dayNumber}`. */
  usage: Map<string, number>;
}

/** What openapi/rid/get tells of a failed call. */
export interface RidRecord {
  invoke_time: number;
  cost_in_ms: number;
  request_url: string;
  request_body: string;
  response_body: string;
  client_ip: string;
}

/** Failed calls remembered for openapi/rid/get; WeChat keeps them 7 days, the emulator the newest this many. */
const RID_LIMIT = 5_000;

export class EmulatorCore {
  /** Failed calls by the rid in their errmsg (Map order: oldest first). */
  private readonly rids = new Map<string, RidRecord>();
  private readonly accounts = new Map<string, Account>();
  private readonly globalTokens = new Map<string, GlobalToken>();
  private readonly resets: Array<() => void> = [];
  /** Every served API path and its declared daily quota (undefined: none), for openapi/quota/get. */
  private readonly dailyQuotas = new Map<string, number | undefined>();
  ipWhitelisted = true;
  private sweepCounter = 0;
  /** Followers and what the account sent them, for every group that reads or writes them. */
  readonly audience: Audience;

  constructor(
    readonly clock: Clock,
    apps: EmulatorApp[],
    readonly limits: Limits = DEFAULT_LIMITS,
  ) {
    this.audience = new Audience(clock);
    for (const app of apps) this.addApp(app);
  }

  addApp(app: EmulatorApp): void {
    this.accounts.set(app.appId, { app, usage: new Map() });
  }

  hasApp(appId: string): boolean {
    return this.accounts.has(appId);
  }

  account(appId: string): Account | undefined {
    return this.accounts.get(appId);
  }

  /** A group's part registers what it forgets on reset. */
  onReset(reset: () => void): void {
    this.resets.push(reset);
  }

  /** Forgets every code, token and count, keeping the accounts. */
  reset(): void {
    this.globalTokens.clear();
    this.ipWhitelisted = true;
    this.audience.reset();
    this.rids.clear();
    for (const account of this.accounts.values()) {
      account.classic = undefined;
      account.stable = undefined;
      account.lastForceAt = undefined;
      account.usage.clear();
    }
    for (const reset of this.resets) reset();
  }

  /** Checks appid and secret the way every credentialed call does. */
  credentials(appId: string | undefined, secret: string | undefined): Account | ErrorReply {
    if (!appId) return wxError(41002, 'appid missing');
    const account = this.accounts.get(appId);
    if (!account) return wxError(40013, 'invalid appid');
    if (!secret) return wxError(41004, 'appsecret missing');
    if (secret !== account.app.appSecret) return wxError(40125, 'invalid appsecret');
    return account;
  }

  /** Counts one call against a daily quota; false once the day's are used. */
  countUse(account: Account, kind: string, limit: number): boolean {
    const key = this.usageKey(kind);
    const used = account.usage.get(key) ?? 0;
    if (used >= limit) return false;
    account.usage.set(key, used + 1);
    return true;
  }

  /** Today's calls of one kind (an API path for endpoints with a daily quota). */
  used(account: Account, kind: string): number {
    return account.usage.get(this.usageKey(kind)) ?? 0;
  }

  /** Resets today's counts of every API, as clear_quota does. */
  clearUsage(account: Account): void {
    const today = this.usageKey('');
    for (const key of account.usage.keys()) if (key.endsWith(today)) account.usage.delete(key);
  }

  /** The emulator serves this path, with this daily quota per account if it has one. */
  declareEndpoint(path: string, dailyQuota?: number): void {
    this.dailyQuotas.set(path, dailyQuota ?? this.dailyQuotas.get(path));
  }

  /**
   * An API's quota as openapi/quota/get reports it; undefined for a path the emulator does not
   * serve or that has no daily quota. The token and ticket fetches count under their own kinds.
   */
  quota(account: Account, path: string): { daily_limit: number; used: number; remain: number } | undefined {
    const [kind, limit] =
      path === '/cgi-bin/token' ? ['token', this.limits.tokenDailyQuota]
      : path === '/cgi-bin/ticket/getticket' ? ['ticket', this.limits.ticketDailyQuota]
      : [path, this.dailyQuotas.get(path)];
    if (limit === undefined) return undefined;
    const used = this.used(account, kind);
    return { daily_limit: limit, used, remain: Math.max(0, limit - used) };
  }

  private usageKey(kind: string): string {
    return `${kind}:${Math.floor(this.clock.now() / 86_400_000)}`;
  }

  /** Keeps what openapi/rid/get needs of a failed call. */
  recordFailure(errmsg: string, record: Omit<RidRecord, 'invoke_time'>): void {
    const id = /rid: ([\w-]+)/.exec(errmsg)?.[1];
    if (!id) return;
    this.rids.set(id, { invoke_time: Math.floor(this.clock.now() / 1000), ...record });
    if (this.rids.size > RID_LIMIT) this.rids.delete(this.rids.keys().next().value!);
  }

  failure(rid: string): RidRecord | undefined {
    return this.rids.get(rid);
  }

  ipError(): ErrorReply {
    return { errcode: 40164, errmsg: `invalid ip 203.0.113.7 ipv6 ::ffff:203.0.113.7, not in whitelist rid: ${rid()}` };
  }

  // --- the global access_token ---

  private mintGlobal(account: Account, source: 'classic' | 'stable'): string {
    const token = newToken(96);
    this.globalTokens.set(token, { appId: account.app.appId, source, expiresAt: this.clock.now() + GLOBAL_TOKEN_TTL_S * 1000 });
    this.sweep();
    return token;
  }

  /** Ends a token's life at most `afterMs` from now. */
  private retire(token: string | undefined, afterMs: number): void {
    const record = token ? this.globalTokens.get(token) : undefined;
    if (!record) return;
    record.expiresAt = Math.min(record.expiresAt, this.clock.now() + afterMs);
    record.superseded = true;
  }

  classicToken(grantType?: string, appId?: string, secret?: string): Reply {
    if (grantType !== 'client_credential') return wxError(40002, 'invalid grant_type');
    const account = this.credentials(appId, secret);
    if (isError(account)) return account;
    if (!this.ipWhitelisted) return this.ipError();
    if (!this.countUse(account, 'token', this.limits.tokenDailyQuota)) return wxError(45009, 'reach max api daily quota limit');
    // Each fetch retires the previous token after a 5-minute overlap.
    this.retire(account.classic, OVERLAP_MS);
    account.classic = this.mintGlobal(account, 'classic');
    return { access_token: account.classic, expires_in: GLOBAL_TOKEN_TTL_S };
  }

  stableToken(body: { grant_type?: unknown; appid?: unknown; secret?: unknown; force_refresh?: unknown }): Reply {
    if (body.grant_type !== 'client_credential') return wxError(40002, 'invalid grant_type');
    if (body.force_refresh !== undefined && typeof body.force_refresh !== 'boolean') return wxError(47001, 'data format error');
    const account = this.credentials(str(body.appid), str(body.secret));
    if (isError(account)) return account;
    if (!this.ipWhitelisted) return this.ipError();
    const now = this.clock.now();
    const current = account.stable ? this.globalTokens.get(account.stable) : undefined;
    const live = current && now < current.expiresAt ? current : undefined;

    if (body.force_refresh === true) {
      // Calls within 30 s of the last force refresh do not refresh again.
      if (live && account.lastForceAt !== undefined && now - account.lastForceAt < FORCE_REFRESH_GAP_MS) {
        return { access_token: account.stable, expires_in: Math.floor((live.expiresAt - now) / 1000) };
      }
      if (!this.countUse(account, 'force', this.limits.forceRefreshDailyQuota)) return wxError(45009, 'reach max api daily quota limit');
      account.lastForceAt = now;
      this.retire(account.stable, 0);
      account.stable = this.mintGlobal(account, 'stable');
      return { access_token: account.stable, expires_in: GLOBAL_TOKEN_TTL_S };
    }
    // Normal mode: the same token while it has more than 5 minutes left; then a new one,
    // with the old one still working until its own expiry.
    if (live && live.expiresAt - now > OVERLAP_MS) {
      return { access_token: account.stable, expires_in: Math.floor((live.expiresAt - now) / 1000) };
    }
    account.stable = this.mintGlobal(account, 'stable');
    return { access_token: account.stable, expires_in: GLOBAL_TOKEN_TTL_S };
  }

  /** The global-token check every server API makes. */
  globalToken(accessToken?: string): GlobalToken | ErrorReply {
    if (!accessToken) return wxError(41001, 'access_token missing');
    const token = this.globalTokens.get(accessToken);
    if (!token) return wxError(40001, 'invalid credential, access_token is invalid or not latest');
    if (this.clock.now() >= token.expiresAt) {
      return token.superseded
        ? wxError(40001, 'invalid credential, access_token is invalid or not latest')
        : wxError(42001, 'access_token expired');
    }
    return token;
  }

  isValidAccessToken(token: string): boolean {
    return !isError(this.globalToken(token));
  }

  /** Makes a global token stop working at once, as a force refresh elsewhere would. */
  invalidateAccessToken(token: string): void {
    this.globalTokens.delete(token);
  }

  /** Keeps memory bounded in long emulator runs: drop what can no longer be used. */
  private sweep(): void {
    if (++this.sweepCounter % 1000 !== 0) return;
    const now = this.clock.now();
    for (const [key, token] of this.globalTokens) if (now > token.expiresAt) this.globalTokens.delete(key);
  }
}

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
