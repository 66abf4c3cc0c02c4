/**
 * Every call made with the account's global access_token goes through here, so each API group
 * gets the same handling without writing it again:
 * - the token is added from the credential manager; a token WeChat refuses (40001/40014/42001)
 *   is expired only while it is still the stored one, and the call is retried once
 *   (CredentialManager.withToken);
 * - errcode -1 (WeChat busy) is retried with backoff; a failed connection only on a GET, since
 *   a POST that may have reached WeChat (a message sent) must not be sent twice;
 * - 45009/45011 are the quota error, 48001 "not allowed for this account", 40164 the IP
 *   whitelist error naming the IP WeChat saw (the errcode table gives kinds and hints);
 * - the per-call deadline and the split of `rid` out of errmsg are WeChatHttp's.
 * The OAuth (sns/*) calls do not use the global token and stay on OAuthApi.
 */
import { AppError } from '../errors.js';
import { WeChatError } from './errcodes.js';
import { isTransient, withRetry, type BinaryBody, type Query, type RetryOptions, type WeChatHttp, type WeChatRequest } from './http.js';

/** Runs a call with the current token, renewing a refused one once (CredentialManager). */
export interface TokenHolder {
  withToken<T>(call: (accessToken: string) => Promise<T>): Promise<T>;
}

export type Host = 'api' | 'mp';

/** WeChat's own mp host, where the QR code image is served. */
export const MP_BASE_URL = 'https://mp.weixin.qq.com';

export interface CallOptions {
  query?: Query;
  /** mp: mp.weixin.qq.com (some answers point there); the API base otherwise. */
  host?: Host;
  /** The request's signal (RouteContext.signal), for a call whose result belongs to that request alone. */
  signal?: AbortSignal;
}

export interface UploadFile {
  /** The form field WeChat reads the file from ("media" for most). */
  field: string;
  filename: string;
  contentType: string;
  bytes: Uint8Array;
}

export interface AccountClientOptions {
  http: Pick<WeChatHttp, 'call'>;
  tokens: TokenHolder;
  /** Base URL for host "mp"; the API base when absent (the emulator serves both). */
  mpBaseUrl?: string;
  retry?: RetryOptions;
}

export class AccountClient {
  private readonly http: Pick<WeChatHttp, 'call'>;
  private readonly tokens: TokenHolder;
  private readonly mpBaseUrl: string | undefined;
  private readonly retry: RetryOptions | undefined;

  constructor(options: AccountClientOptions) {
    this.http = options.http;
    this.tokens = options.tokens;
    this.mpBaseUrl = options.mpBaseUrl;
    this.retry = options.retry;
  }

  get<T>(path: string, options: CallOptions = {}): Promise<T> {
    return this.send<T>({ method: 'GET', path, scope: 'global' }, options);
  }

  post<T>(path: string, body: unknown, options: CallOptions = {}): Promise<T> {
    return this.send<T>({ method: 'POST', path, json: body, scope: 'global' }, options);
  }

  /** A multipart form: one file plus string fields (a media upload). */
  async upload<T>(path: string, file: UploadFile, fields: Record<string, string> = {}, options: CallOptions = {}): Promise<T> {
    const raw = await encodeForm(file, fields);
    return this.send<T>({ method: 'POST', path, raw, scope: 'global' }, options);
  }

  /**
   * The address of a page on the mp host that needs no token (the QR code image), for a caller
   * to open itself: no call is made and no token is added.
   */
  mpUrl(path: string, query: Record<string, string> = {}): string {
    const base = (this.mpBaseUrl ?? MP_BASE_URL).replace(/\/+$/, '');
    const search = new URLSearchParams(query).toString();
    return `${base}${path}${search ? `?${search}` : ''}`;
  }

  /** A body that is not JSON (a media file, a QR code), with its content type; a JSON error is still an error. */
  async download(path: string, options: CallOptions & { method?: 'GET' | 'POST'; body?: unknown } = {}): Promise<BinaryBody> {
    const result = await this.send<unknown>(
      { method: options.method ?? (options.body === undefined ? 'GET' : 'POST'), path, json: options.body, scope: 'global', accept: 'binary' },
      options,
    );
    if (isBinary(result)) return result;
    // A file endpoint that answered JSON without an errcode (a video's download URL).
    return { bytes: Buffer.from(JSON.stringify(result)), contentType: 'application/json' };
  }

  private async send<T>(call: WeChatRequest, options: CallOptions): Promise<T> {
    const baseUrl = options.host === 'mp' ? this.mpBaseUrl : undefined;
    const retryable = call.method === 'GET' ? isTransient : isBusy;
    try {
      return (await this.tokens.withToken((accessToken) =>
        withRetry(() => this.http.call<T>({ ...call, baseUrl, signal: options.signal, query: { ...options.query, access_token: accessToken } }), this.retry, retryable),
      )) as T;
    } catch (error) {
      throw error instanceof WeChatError && error.errcode === 40164 ? whitelistError(error) : error;
    }
  }
}

const isBusy = (error: unknown) => error instanceof WeChatError && error.errcode === -1;

const isBinary = (value: unknown): value is BinaryBody =>
  typeof value === 'object' && value !== null && Buffer.isBuffer((value as BinaryBody).bytes) && typeof (value as BinaryBody).contentType === 'string';

/** Node's own multipart encoder (the web Response), loaded only by an upload. */
async function encodeForm(file: UploadFile, fields: Record<string, string>): Promise<{ bytes: Uint8Array; contentType: string }> {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  form.append(file.field, new Blob([file.bytes as Uint8Array<ArrayBuffer>], { type: file.contentType }), file.filename);
  const encoded = new Response(form);
  return { bytes: new Uint8Array(await encoded.arrayBuffer()), contentType: encoded.headers.get('content-type') ?? 'multipart/form-data' };
}

/** The errcode table's 40164 hint, led by the IP WeChat saw, which the operator must whitelist. */
export function whitelistError(error: WeChatError): AppError {
  const ip = /invalid ip\s+([0-9a-fA-F.:]+)/i.exec(error.errmsg)?.[1];
  const seen = ip ? `WeChat saw this function call from ${ip}. ` : '';
  return new AppError('configuration', `${error.message}. Add the function's egress IP to the Official Account's IP whitelist`, {
    errcode: error.errcode,
    rid: error.rid,
    hint: seen + (error.details.hint ?? ''),
  });
}
