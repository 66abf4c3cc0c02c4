/**
 * WeChat's web-authorization (sns) APIs, typed. The code exchange is sent once and never
 * retried: a code is single use, and WeChat may have consumed it even when its answer was lost.
 */
import { withRetry, type CallOptions, type WeChatHttp } from './http.js';
import { WeChatError } from './errcodes.js';

export interface OAuthCredentials {
  appId: string;
  appSecret: string;
}

export interface OAuthToken {
  openid: string;
  access_token: string;
  refresh_token: string;
  expires_in: number;
  scope: string;
  unionid?: string;
  is_snapshotuser?: number;
}

export interface UserProfile {
  openid: string;
  nickname: string;
  sex: number;
  province: string;
  city: string;
  country: string;
  headimgurl: string;
  privilege: string[];
  unionid?: string;
}

export type ProfileLang = 'zh_CN' | 'zh_TW' | 'en';

interface RawToken {
  openid?: string;
  access_token?: string;
  refresh_token?: string;
  expires_in?: number;
  scope?: string;
  unionid?: string;
  is_snapshotuser?: number;
}

/** Keeps only the fields WeChat documents, so nothing unexpected is passed through to pages. */
function toToken(raw: RawToken): OAuthToken {
  const token: OAuthToken = {
    openid: String(raw.openid ?? ''),
    access_token: String(raw.access_token ?? ''),
    refresh_token: String(raw.refresh_token ?? ''),
    expires_in: Number(raw.expires_in ?? 0),
    scope: String(raw.scope ?? ''),
  };
  if (raw.unionid) token.unionid = String(raw.unionid);
  if (raw.is_snapshotuser !== undefined) token.is_snapshotuser = Number(raw.is_snapshotuser);
  return token;
}

export class OAuthApi {
  constructor(
    private readonly http: WeChatHttp,
    private readonly credentials: OAuthCredentials,
  ) {}

  async exchangeCode(code: string): Promise<OAuthToken> {
    const raw = await this.http.get<RawToken>(
      '/sns/oauth2/access_token',
      { appid: this.credentials.appId, secret: this.credentials.appSecret, code, grant_type: 'authorization_code' },
      // No request signal: once sent, WeChat may have spent the code, so the answer is kept
      // for the caller's retry (CodeExchange) even when the request that asked has gone.
      'oauth',
    );
    return toToken(raw);
  }

  /** `signal`: the request's, so the call ends with it (deadline, or the caller leaving). */
  async refresh(refreshToken: string, options: CallOptions = {}): Promise<OAuthToken> {
    const raw = await withRetry(() =>
      this.http.get<RawToken>(
        '/sns/oauth2/refresh_token',
        { appid: this.credentials.appId, grant_type: 'refresh_token', refresh_token: refreshToken },
        'oauth',
        options,
      ),
    );
    return toToken(raw);
  }

  async userInfo(accessToken: string, openid: string, lang: ProfileLang = 'zh_CN', options: CallOptions = {}): Promise<UserProfile> {
    const raw = await withRetry(() =>
      this.http.get<Partial<UserProfile>>('/sns/userinfo', { access_token: accessToken, openid, lang }, 'oauth', options),
    );
    const profile: UserProfile = {
      openid: String(raw.openid ?? openid),
      nickname: String(raw.nickname ?? ''),
      sex: Number(raw.sex ?? 0),
      province: String(raw.province ?? ''),
      city: String(raw.city ?? ''),
      country: String(raw.country ?? ''),
      headimgurl: String(raw.headimgurl ?? ''),
      privilege: Array.isArray(raw.privilege) ? raw.privilege.map(String) : [],
    };
    if (raw.unionid) profile.unionid = String(raw.unionid);
    return profile;
  }

  /** True while the token is valid for this openid; WeChat's "invalid"/"expired" answers become false. */
  async verify(accessToken: string, openid: string, options: CallOptions = {}): Promise<boolean> {
    try {
      await withRetry(() => this.http.get('/sns/auth', { access_token: accessToken, openid }, 'oauth', options));
      return true;
    } catch (error) {
      if (error instanceof WeChatError && [40001, 40014, 42001, 40003, 41001].includes(error.errcode)) return false;
      throw error;
    }
  }
}
