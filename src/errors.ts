/**
 * The one error table. Every failure the function can answer with is an AppError of
 * some kind; the kind alone decides the HTTP status, so a route never picks a status itself.
 */
export type ErrorKind =
  | 'bad_request' // the body or query is malformed or fails its schema
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'unauthenticated' // no or bad caller credentials
  | 'forbidden' // a caller who may not use this route
  | 'not_found'
  | 'method_not_allowed'
  | 'rate_limited' // this caller sent too much
  | 'caller' // WeChat refused the caller's input (bad or used code, wrong openid)
  | 'configuration' // the operator must fix something (AppSecret, IP whitelist)
  | 'token' // the global access_token failed even after one refresh
  | 'quota' // WeChat's quota for the account is spent
  | 'upstream' // WeChat is down, busy or answered nonsense
  | 'timeout' // WeChat did not answer in time
  | 'unavailable' // a feature that is switched off
  | 'internal';

export const STATUS_BY_KIND: Record<ErrorKind, number> = {
  bad_request: 400,
  payload_too_large: 413,
  unsupported_media_type: 415,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  rate_limited: 429,
  caller: 400,
  configuration: 500,
  token: 502,
  quota: 503,
  upstream: 502,
  timeout: 504,
  unavailable: 503,
  internal: 500,
};

export interface AppErrorDetails {
  /** WeChat's errcode, when the error came from WeChat. */
  errcode?: number;
  /** WeChat's request id, what WeChat support asks for. */
  rid?: string;
  /** What the reader should do about it. */
  hint?: string;
  /** Seconds before trying again is worthwhile (rate limits). */
  retryAfter?: number;
  /** Overrides the status the kind gives (e.g. 403 for a WeChat permission error). */
  status?: number;
}

export class AppError extends Error {
  readonly kind: ErrorKind;
  readonly details: AppErrorDetails;

  constructor(kind: ErrorKind, message: string, details: AppErrorDetails = {}) {
    super(message);
    this.name = 'AppError';
    this.kind = kind;
    this.details = details;
  }

  get status(): number {
    return this.details.status ?? STATUS_BY_KIND[this.kind];
  }
}

export const isAppError = (error: unknown): error is AppError => error instanceof AppError;
