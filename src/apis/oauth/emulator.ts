/**
 * The oauth group's emulator part: authorization codes, users' OAuth tokens and the four
 * sns endpoints. The authorize page (src/emulator/app.ts) issues codes through `issueCode`.
 */
import { randomBytes } from 'node:crypto';
import { isError, newToken, wxError, type Account, type EmulatorCore, type ErrorReply, type Reply } from '../../emulator/core.js';
import type { EmulatorPart, EmulatorPartFactory } from '../../emulator/part.js';
import { openidFor, profileFor, unionidFor, type Profile, type SimulatedUser } from '../../emulator/users.js';
import { wechat } from './endpoints.js';

export const CODE_TTL_MS = 5 * 60_000;
export const USER_TOKEN_TTL_S = 7200;
export const REFRESH_TOKEN_TTL_MS = 30 * 24 * 3600_000;

export type Scope = 'snsapi_base' | 'snsapi_userinfo';

export interface IssueCodeInput {
  appId: string;
  scope: Scope;
  user?: string;
  snapshot?: boolean;
  profile?: 'full' | 'placeholder';
}

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

const BENCH_CODE = /^bench-[\w-]{1,64}$/;
const LANGS = ['zh_CN', 'zh_TW', 'en'];

export interface OAuthEmulatorPart extends EmulatorPart {
  /** A code as if the user had just passed the authorize page. */
  issueCode(input: IssueCodeInput): string;
}

export const part: EmulatorPartFactory<OAuthEmulatorPart> = (core, settings) => new OAuthState(core, settings.acceptBenchCodes ?? false).part();

class OAuthState {
  private readonly codes = new Map<string, CodeRecord>();
  private readonly userTokens = new Map<string, UserToken>();
  private readonly refreshTokens = new Map<string, UserToken>();
  private sweepCounter = 0;

  constructor(
    private readonly core: EmulatorCore,
    private readonly acceptBenchCodes: boolean,
  ) {
    core.onReset(() => {
      this.codes.clear();
      this.userTokens.clear();
      this.refreshTokens.clear();
    });
  }

  part(): OAuthEmulatorPart {
    return {
      issueCode: (input) => this.issueCode(input),
      endpoints: [
        { ...wechat.accessToken, answer: ({ query: q }) => this.exchangeCode(q.appid, q.secret, q.code, q.grant_type) },
        { ...wechat.refreshToken, answer: ({ query: q }) => this.refresh(q.appid, q.grant_type, q.refresh_token) },
        {
          ...wechat.userInfo,
          answer: ({ query: q, origin }) => (q.lang && !LANGS.includes(q.lang) ? wxError(40005, 'invalid lang') : this.userInfo(q.access_token, q.openid, origin)),
        },
        { ...wechat.auth, answer: ({ query: q }) => this.verify(q.access_token, q.openid) },
      ],
    };
  }

  issueCode(input: IssueCodeInput): string {
    const user: SimulatedUser = { name: input.user ?? 'alice', snapshot: Boolean(input.snapshot), profile: input.profile ?? 'full' };
    const code = randomBytes(16).toString('hex');
    this.codes.set(code, { appId: input.appId, scope: input.scope, user, issuedAt: this.core.clock.now(), used: false });
    this.sweep();
    return code;
  }

  private exchangeCode(appId?: string, secret?: string, code?: string, grantType?: string): Reply {
    const account = this.core.credentials(appId, secret);
    if (isError(account)) return account;
    if (grantType !== 'authorization_code') return wxError(40002, 'invalid grant_type');
    if (!code) return wxError(41008, 'missing code');
    const record = this.codes.get(code);
    if (!record && this.acceptBenchCodes && BENCH_CODE.test(code)) {
      // A benchmark's exchange is answered like any other and remembered nowhere: kept, the
      // codes and tokens of a run grew this process's heap until its pauses set the p99 of
      // every server measured against it.
      return this.grant(account, { name: code, snapshot: false, profile: 'full' }, 'snsapi_base', undefined, false);
    }
    if (!record || record.appId !== appId) return wxError(40029, 'invalid code');
    if (record.used) return wxError(40163, 'code been used');
    if (this.core.clock.now() - record.issuedAt > CODE_TTL_MS) return wxError(42003, 'code expired');
    record.used = true;
    return this.grant(account, record.user, record.scope);
  }

  /** `keep`: false for a benchmark's exchange, whose tokens nothing will present again. */
  private grant(account: Account, user: SimulatedUser, scope: Scope, refreshToken?: string, keep = true): Reply {
    const now = this.core.clock.now();
    const appId = account.app.appId;
    const openid = openidFor(appId, user);
    const accessToken = newToken();
    if (keep) this.userTokens.set(accessToken, { appId, openid, scope, user, expiresAt: now + USER_TOKEN_TTL_S * 1000 });
    if (!refreshToken) {
      refreshToken = newToken();
      if (keep) this.refreshTokens.set(refreshToken, { appId, openid, scope, user, expiresAt: now + REFRESH_TOKEN_TTL_MS });
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

  private refresh(appId?: string, grantType?: string, refreshToken?: string): Reply {
    if (!appId) return wxError(41002, 'appid missing');
    const account = this.core.account(appId);
    if (!account) return wxError(40013, 'invalid appid');
    if (grantType !== 'refresh_token') return wxError(40002, 'invalid grant_type');
    if (!refreshToken) return wxError(41003, 'refresh_token missing');
    const record = this.refreshTokens.get(refreshToken);
    if (!record || record.appId !== appId) return wxError(40030, 'invalid refresh_token');
    if (this.core.clock.now() > record.expiresAt) return wxError(42002, 'refresh_token timeout');
    return this.grant(account, record.user, record.scope, refreshToken);
  }

  private userToken(accessToken?: string, openid?: string): UserToken | ErrorReply {
    if (!accessToken) return wxError(41001, 'access_token missing');
    const token = this.userTokens.get(accessToken);
    if (!token) return wxError(40001, 'invalid credential, access_token is invalid or not latest');
    if (this.core.clock.now() >= token.expiresAt) return wxError(42001, 'access_token expired');
    if (!openid) return wxError(41009, 'missing openid');
    if (openid !== token.openid) return wxError(40003, 'invalid openid');
    return token;
  }

  private userInfo(accessToken?: string, openid?: string, avatarBase = ''): Reply {
    const token = this.userToken(accessToken, openid);
    if (isError(token)) return token;
    if (token.scope !== 'snsapi_userinfo' || token.user.snapshot) return wxError(48001, 'api unauthorized');
    const app = this.core.account(token.appId)!.app;
    const profile: Profile = profileFor(token.user, token.openid, avatarBase, app.openPlatform ? unionidFor(token.user) : undefined);
    return { ...profile };
  }

  private verify(accessToken?: string, openid?: string): Reply {
    const token = this.userToken(accessToken, openid);
    if (isError(token)) return token;
    return { errcode: 0, errmsg: 'ok' };
  }

  /** Keeps memory bounded in long emulator runs: drop what can no longer be used. */
  private sweep(): void {
    if (++this.sweepCounter % 1000 !== 0) return;
    const now = this.core.clock.now();
    for (const [key, code] of this.codes) if (now - code.issuedAt > 2 * CODE_TTL_MS) this.codes.delete(key);
    for (const [key, token] of this.userTokens) if (now > token.expiresAt) this.userTokens.delete(key);
    for (const [key, token] of this.refreshTokens) if (now > token.expiresAt) this.refreshTokens.delete(key);
  }
}
