/**
 * The one error type the SDK throws, so a page can tell the person what happened:
 * `kind` says which story to tell, the rest is what the function's envelope carried.
 */
export type WebAuthErrorKind =
  /** The person declined on WeChat's consent page (WeChat came back with a state but no code). */
  | 'denied'
  /** The state coming back is not the one this browser sent: a forged or stale link. */
  | 'state_mismatch'
  /** refresh() or verify() with nobody signed in. */
  | 'no_session'
  /** The function answered with an error envelope (or not with an envelope at all). */
  | 'function'
  /** The function could not be reached. */
  | 'network'
  /** The CloudBase JS SDK refused the custom-login ticket (custom login off, another environment). */
  | 'cloudbase';

export interface WebAuthErrorDetails {
  /** HTTP status of the function's answer. */
  status?: number;
  /** WeChat's errcode, when WeChat refused (e.g. 40029 invalid code). */
  errcode?: number;
  /** WeChat's request id, what WeChat support asks for. */
  rid?: string;
  /** What to do about it, in words, from the function. */
  hint?: string;
  /** The id the function's logs use for this request. */
  requestId?: string;
}

export class WebAuthError extends Error implements WebAuthErrorDetails {
  readonly kind: WebAuthErrorKind;
  // Filled by Object.assign below; `declare` keeps the bundle from defining them one by one.
  declare status?: number;
  declare errcode?: number;
  declare rid?: string;
  declare hint?: string;
  declare requestId?: string;

  constructor(kind: WebAuthErrorKind, message: string, details: WebAuthErrorDetails = {}) {
    super(message);
    this.name = 'WebAuthError';
    this.kind = kind;
    Object.assign(this, details);
  }
}
