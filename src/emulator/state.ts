/**
 * The emulated WeChat back end: accounts, authorization codes, user tokens, the global
 * access_token (classic and stable), jsapi tickets, daily quotas. No HTTP here: the
 * HTTP layer (app.ts) turns requests into calls and replies into JSON.
 * Time comes from the injected clock, so tests move it instead of sleeping.
 */
import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock.js';
import { openidFor, profileFor, unionidFor, type Profile, type SimulatedUser } from './users.js';

export const CODE_TTL_MS = 5 * 60_000;
export const USER_TOKEN_TTL_S = 7200;
export const REFRESH_TOKEN_TTL_MS = 30 * 24 * 3600_000;
export const GLOBAL_TOKEN_TTL_S = 7200;
/** Old and new global tokens both work this long after a new one is issued. */
export const OVERLAP_MS = 5 * 60_000;
export const FORCE_REFRESH_GAP_MS = 30_000;

export type Scope = 'snsapi_base' | 'snsapi_userinfo';

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

const newCode = () => randomBytes(16).toString('hex');
const newToken = (bytes = 48) => randomBytes(bytes).toString('base64url');

interface CodeRecord {
  appId: string;
  scope: Scope;
  user: SimulatedUser;
  issuedAt: number;
  used: boolean;
}

interface UserToken {
  appId: string;
  openid: string;
  scope: Scope;
  user: SimulatedUser;
  expiresAt: number;
}

interface RefreshRecord {
  appId: string;
  openid: string;
  scope: Scope;
  user: SimulatedUser;
  expiresAt: number;
}

interface GlobalToken {
  appId: string;
  source: 'classic' | 'stable';
  expiresAt: number;
  /** A newer token replaced it: once its overlap ends WeChat calls it "not latest" (40001). */
  superseded?: boolean;
}

interface AppState {
  app: EmulatorApp;
  /** The newest classic token; older ones only live out their overlap. */
  classic?: string;
  stable?: string;
  lastForceAt?: number;
  /** Usage per day, keyed by `${kind}:${dayNumber}`. */
  usage: Map<string, number>;
}

export interface IssueCodeInput {
  appId: string;
  scope: Scope;
  user?: string;
  snapshot?: boolean;
  profile?: 'full' | 'placeholder';
}

const BENCH_CODE = /^bench-[\w-]{1,64}$/;

export class WeChatState {
  private readonly apps = new Map<string, AppState>();
  private readonly codes = new Map<string, CodeRecord>();
  private readonly userTokens = new Map<string, UserToken>();
  private readonly refreshTokens = new Map<string, RefreshRecord>();
  private readonly globalTokens = new Map<string, GlobalToken>();
  private readonly tickets = new Map<string, number>();
  ipWhitelisted = true;
  private sweepCounter = 0;

  constructor(
    readonly clock: Clock,
    apps: EmulatorApp[],
    readonly limits: Limits = DEFAULT_LIMITS,
    /** Codes named bench-<unique> are exchanged without the authorize page and nothing of them is kept (benchmarks). */
    readonly acceptBenchCodes = false,
  ) {
    for (const app of apps) this.addApp(app);
  }

  addApp(app: EmulatorApp): void {
    this.apps.set(app.appId, { app, usage: new Map() });
  }

  hasApp(appId: string): boolean {
    return this.apps.has(appId);
  }

  /** Forgets every code, token and count, keeping the accounts. */
  reset(): void {
    this.codes.clear();
    this.userTokens.clear();
    this.refreshTokens.clear();
    this.globalTokens.clear();
    this.tickets.clear();
    this.ipWhitelisted = true;
    for (const state of this.apps.values()) {
      state.classic = undefined;
      state.stable = undefined;
      state.lastForceAt = undefined;
      state.usage.clear();
    }
  }

  // --- web authorization (wechat-api.md §A) ---

  issueCode(input: IssueCodeInput): string {
    const user: SimulatedUser = {
      name: input.user ?? 'alice',
      snapshot: Boolean(input.snapshot),
      profile: input.profile ?? 'full',
    };
    const code = newCode();
    this.codes.set(code, { appId: input.appId, scope: input.scope, user, issuedAt: this.clock.now(), used: false });
    this.sweep();
    return code;
  }

  /** Checks appid and secret the way every credentialed call does. */
  private credentials(appId: string | undefined, secret: string | undefined): AppState | ErrorReply {
    if (!appId) return wxError(41002, 'appid missing');
    const state = this.apps.get(appId);
    if (!state) return wxError(40013, 'invalid appid');
    if (!secret) return wxError(41004, 'appsecret missing');
    if (secret !== state.app.appSecret) return wxError(40125, 'invalid appsecret');
    return state;
  }

  exchangeCode(appId?: string, secret?: string, code?: string, grantType?: string): Reply {
    const account = this.credentials(appId, secret);
    if (isError(account)) return account;
    if (grantType !== 'authorization_code') return wxError(40002, 'invalid grant_type');
    if (!code) return wxError(41008, 'missing code');
    const record = this.codes.get(code);
    if (!record && this.acceptBenchCodes && BENCH_CODE.test(code)) {
      // A benchmark's exchange is answered like any other and remembered nowhere: kept, the
      // codes and tokens of a run (hundreds of thousands) grew this process's heap until its
      // pauses set the p99 of every server measured against it.
      return this.grant(account, { name: code, snapshot: false, profile: 'full' }, 'snsapi_base', undefined, false);
    }
    if (!record || record.appId !== appId) return wxError(40029, 'invalid code');
    if (record.used) return wxError(40163, 'code been used');
    if (this.clock.now() - record.issuedAt > CODE_TTL_MS) return wxError(42003, 'code expired');
    record.used = true;
    return this.grant(account, record.user, record.scope);
  }

  /** `keep`: false for a benchmark's exchange, whose tokens nothing will present again. */
  private grant(account: AppState, user: SimulatedUser, scope: Scope, refreshToken?: string, keep = true): Reply {
    const now = this.clock.now();
    const openid = openidFor(account.app.appId, user);
    const accessToken = newToken();
    if (keep) this.userTokens.set(accessToken, { appId: account.app.appId, openid, scope, user, expiresAt: now + USER_TOKEN_TTL_S * 1000 });
    if (!refreshToken) {
      refreshToken = newToken();
      if (keep) this.refreshTokens.set(refreshToken, { appId: account.app.appId, openid, scope, user, expiresAt: now + REFRESH_TOKEN_TTL_MS });
    }
    if (keep) this.sweep();
    return {
      access_token: accessToken,
      expires_in: USER_TOKEN_TTL_S,
      refresh_token: refreshToken,
      openid,
      scope,
      ...(user.snapshot && { is_snapshotuser: 1 }),
      ...(account.app.openPlatform && !user.snapshot && { unionid: unionidFor(user) }),
    };
  }

  refresh(appId?: string, grantType?: string, refreshToken?: string): Reply {
    if (!appId) return wxError(41002, 'appid missing');
    const account = this.apps.get(appId);
    if (!account) return wxError(40013, 'invalid appid');
    if (grantType !== 'refresh_token') return wxError(40002, 'invalid grant_type');
    if (!refreshToken) return wxError(41003, 'refresh_token missing');
    const record = this.refreshTokens.get(refreshToken);
    if (!record || record.appId !== appId) return wxError(40030, 'invalid refresh_token');
    if (this.clock.now() > record.expiresAt) return wxError(42002, 'refresh_token timeout');
    return this.grant(account, record.user, record.scope, refreshToken);
  }

  private userToken(accessToken?: string, openid?: string): UserToken | ErrorReply {
    if (!accessToken) return wxError(41001, 'access_token missing');
    const token = this.userTokens.get(accessToken);
    if (!token) return wxError(40001, 'invalid credential, access_token is invalid or not latest');
    if (this.clock.now() >= token.expiresAt) return wxError(42001, 'access_token expired');
    if (!openid) return wxError(41009, 'missing openid');
    if (openid !== token.openid) return wxError(40003, 'invalid openid');
    return token;
  }

  userInfo(accessToken?: string, openid?: string, avatarBase = ''): Reply {
    const token = this.userToken(accessToken, openid);
    if (isError(token)) return token;
    if (token.scope !== 'snsapi_userinfo' || token.user.snapshot) return wxError(48001, 'api unauthorized');
    const app = this.apps.get(token.appId)!.app;
    const profile: Profile = profileFor(token.user, token.openid, avatarBase, app.openPlatform ? unionidFor(token.user) : undefined);
    return { ...profile };
  }

  verify(accessToken?: string, openid?: string): Reply {
    const token = this.userToken(accessToken, openid);
    if (isError(token)) return token;
    return { errcode: 0, errmsg: 'ok' };
  }

  // --- global access_token (§B) ---

  private countUse(state: AppState, kind: string, limit: number): boolean {
    const key = `${kind}:${Math.floor(this.clock.now() / 86_400_000)}`;
    const used = state.usage.get(key) ?? 0;
    if (used >= limit) return false;
    state.usage.set(key, used + 1);
    return true;
  }

  private ipError(): ErrorReply {
    return { errcode: 40164, errmsg: `invalid ip 203.0.113.7 ipv6 ::ffff:203.0.113.7, not in whitelist rid: ${rid()}` };
  }

  private mintGlobal(state: AppState, source: 'classic' | 'stable'): string {
    const token = newToken(96);
    this.globalTokens.set(token, { appId: state.app.appId, source, expiresAt: this.clock.now() + GLOBAL_TOKEN_TTL_S * 1000 });
    this.sweep();
    return token;
  }

  /** Ends a token's life at most OVERLAP_MS from now. */
  private retire(token: string | undefined, afterMs: number): void {
    const record = token ? this.globalTokens.get(token) : undefined;
    if (!record) return;
    record.expiresAt = Math.min(record.expiresAt, this.clock.now() + afterMs);
    record.superseded = true;
  }

  classicToken(grantType?: string, appId?: string, secret?: string): Reply {
    if (grantType !== 'client_credential') return wxError(40002, 'invalid grant_type');
    const state = this.credentials(appId, secret);
    if (isError(state)) return state;
    if (!this.ipWhitelisted) return this.ipError();
    if (!this.countUse(state, 'token', this.limits.tokenDailyQuota)) return wxError(45009, 'reach max api daily quota limit');
    // Each fetch retires the previous token after a 5-minute overlap.
    this.retire(state.classic, OVERLAP_MS);
    state.classic = this.mintGlobal(state, 'classic');
    return { access_token: state.classic, expires_in: GLOBAL_TOKEN_TTL_S };
  }

  stableToken(body: { grant_type?: unknown; appid?: unknown; secret?: unknown; force_refresh?: unknown }): Reply {
    if (body.grant_type !== 'client_credential') return wxError(40002, 'invalid grant_type');
    if (body.force_refresh !== undefined && typeof body.force_refresh !== 'boolean') return wxError(47001, 'data format error');
    const state = this.credentials(str(body.appid), str(body.secret));
    if (isError(state)) return state;
    if (!this.ipWhitelisted) return this.ipError();
    const now = this.clock.now();
    const current = state.stable ? this.globalTokens.get(state.stable) : undefined;
    const live = current && now < current.expiresAt ? current : undefined;

    if (body.force_refresh === true) {
      // Calls within 30 s of the last force refresh do not refresh again.
      if (live && state.lastForceAt !== undefined && now - state.lastForceAt < FORCE_REFRESH_GAP_MS) {
        return { access_token: state.stable, expires_in: Math.floor((live.expiresAt - now) / 1000) };
      }
      if (!this.countUse(state, 'force', this.limits.forceRefreshDailyQuota)) return wxError(45009, 'reach max api daily quota limit');
      state.lastForceAt = now;
      this.retire(state.stable, 0);
      state.stable = this.mintGlobal(state, 'stable');
      return { access_token: state.stable, expires_in: GLOBAL_TOKEN_TTL_S };
    }
    // Normal mode: the same token while it has more than 5 minutes left; then a new one,
    // with the old one still working until its own expiry.
    if (live && live.expiresAt - now > OVERLAP_MS) {
      return { access_token: state.stable, expires_in: Math.floor((live.expiresAt - now) / 1000) };
    }
    state.stable = this.mintGlobal(state, 'stable');
    return { access_token: state.stable, expires_in: GLOBAL_TOKEN_TTL_S };
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

  ticket(accessToken?: string, type?: string): Reply {
    const token = this.globalToken(accessToken);
    if (isError(token)) return token;
    if (type !== 'jsapi' && type !== 'wx_card') return wxError(40097, 'invalid args');
    const state = this.apps.get(token.appId)!;
    if (!this.countUse(state, 'ticket', this.limits.ticketDailyQuota)) return wxError(45009, 'reach max api daily quota limit');
    const ticket = newToken(64);
    this.tickets.set(ticket, this.clock.now() + 7200_000);
    return { errcode: 0, errmsg: 'ok', ticket, expires_in: 7200 };
  }

  callbackIp(accessToken?: string): Reply {
    const token = this.globalToken(accessToken);
    if (isError(token)) return token;
    return { ip_list: ['127.0.0.1', '::1'] };
  }

  /** Keeps memory bounded in long emulator runs: drop what can no longer be used. */
  private sweep(): void {
    if (++this.sweepCounter % 1000 !== 0) return;
    const now = this.clock.now();
    for (const [key, code] of this.codes) if (now - code.issuedAt > 2 * CODE_TTL_MS) this.codes.delete(key);
    for (const [key, token] of this.userTokens) if (now > token.expiresAt) this.userTokens.delete(key);
    for (const [key, token] of this.refreshTokens) if (now > token.expiresAt) this.refreshTokens.delete(key);
    for (const [key, token] of this.globalTokens) if (now > token.expiresAt) this.globalTokens.delete(key);
    for (const [key, expiresAt] of this.tickets) if (now > expiresAt) this.tickets.delete(key);
  }
}

export function isError(value: unknown): value is ErrorReply {
  return typeof value === 'object' && value !== null && typeof (value as ErrorReply).errcode === 'number' && (value as ErrorReply).errcode !== 0;
}

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
