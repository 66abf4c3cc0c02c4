/**
 * What each WeChat errcode means for the person reading the error: whose fault it is
 * (which decides the HTTP status) and what to do about it.
 */
import { AppError, type ErrorKind } from '../errors.js';

/** Which kind of token a call carried: a user's OAuth token, or the account's global one. */
export type TokenScope = 'oauth' | 'global' | 'none';

interface ErrcodeRule {
  kind: ErrorKind;
  status?: number;
  hint?: string;
}

const AUTHORIZE_AGAIN = 'Send the user through the authorize page again to get a fresh code.';

const RULES: Record<number, ErrcodeRule> = {
  40029: { kind: 'caller', hint: 'The code is unknown, expired (5 minutes) or was issued to another AppID. ' + AUTHORIZE_AGAIN },
  40163: { kind: 'caller', hint: 'The code was already exchanged. Exchange each code once, and strip it from the address bar before exchanging.' },
  41008: { kind: 'caller', hint: 'Pass the code WeChat appended to redirect_uri.' },
  42003: { kind: 'caller', hint: 'The code expired (codes live 5 minutes). ' + AUTHORIZE_AGAIN },
  40030: { kind: 'caller', hint: 'The refresh_token is not valid. ' + AUTHORIZE_AGAIN },
  42002: { kind: 'caller', hint: 'The refresh_token expired (they live 30 days). ' + AUTHORIZE_AGAIN },
  40003: { kind: 'caller', hint: 'The openid does not belong to this access_token or this AppID.' },
  48001: {
    kind: 'caller',
    status: 403,
    hint: 'This API is not authorized: user profiles need scope=snsapi_userinfo, and the account must have the permission.',
  },
  40013: { kind: 'configuration', hint: 'The AppID is not valid. Check appId in the integration settings.' },
  40125: {
    kind: 'configuration',
    hint: 'The AppSecret is wrong or was reset. Paste the current AppSecret into the integration (Integration Center → Edit).',
  },
  40164: {
    kind: 'configuration',
    hint:
      "This server's IP is not on the account's IP whitelist. Put the function's egress IP on the whitelist " +
      '(Official Accounts platform → Settings & Development → Basic Settings → IP whitelist); ' +
      'on CloudBase, enable a fixed egress IP for the function first and whitelist that.',
  },
  45009: { kind: 'quota', hint: "The account's daily quota for this API is spent; it resets at midnight (UTC+8). Do not retry." },
  45011: { kind: 'quota', hint: 'WeChat says calls are too frequent. Slow down; do not retry in a loop.' },
  [-1]: { kind: 'upstream', hint: 'WeChat is busy. Try again shortly.' },
};

const TOKEN_ERRCODES = new Set([40001, 40014, 42001]);

export function isTokenErrcode(errcode: number): boolean {
  return TOKEN_ERRCODES.has(errcode);
}

export function classifyErrcode(errcode: number, scope: TokenScope): ErrcodeRule {
  if (TOKEN_ERRCODES.has(errcode)) {
    // A user's OAuth token that expired is the caller's to renew (/oauth/refresh);
    // a global token that still fails after one refresh is ours to report.
    return scope === 'oauth'
      ? { kind: 'caller', status: 401, hint: 'The OAuth access_token is invalid or expired. Renew it with /oauth/refresh.' }
      : { kind: 'token', hint: 'The global access_token was refused even after a refresh. Check that no other system resets it.' };
  }
  return RULES[errcode] ?? { kind: 'upstream' };
}

/**
 * WeChat's errmsg ends with its request id; split it off so msg stays readable and rid
 * machine-readable. Anchored searches from the end, so the work stays linear however long the
 * errmsg (a lazy `^(.*?)…$` pattern retried from every position and took seconds on 40k characters).
 */
export function splitRid(errmsg: string): { text: string; rid?: string } {
  const modern = /rid:\s*([0-9a-zA-Z-]+)\s*$/.exec(tail(errmsg));
  if (modern) return { text: beforeMarker(errmsg, errmsg.lastIndexOf('rid:')), rid: modern[1] };
  const legacy = /hints:\s*\[\s*req_id:\s*([^\]\s]+)\s*\]\s*$/.exec(tail(errmsg));
  if (legacy) return { text: beforeMarker(errmsg, errmsg.lastIndexOf('hints:')), rid: legacy[1] };
  return { text: errmsg.trim() };
}

/** The marker and the id after it fit in this many characters; nothing before them is scanned. */
const TAIL = 256;

/** The end of the message from its last marker on, so the patterns only ever see a bounded string. */
function tail(errmsg: string): string {
  const marker = Math.max(errmsg.lastIndexOf('rid:'), errmsg.lastIndexOf('hints:'));
  return marker === -1 || errmsg.length - marker > TAIL ? '' : errmsg.slice(marker);
}

/** The text before the marker, without the separators (commas, spaces) that led up to it. */
function beforeMarker(errmsg: string, marker: number): string {
  let end = marker;
  while (end > 0 && /[,\s]/.test(errmsg[end - 1])) end--;
  return errmsg.slice(0, end).trim();
}

export class WeChatError extends AppError {
  readonly errcode: number;
  readonly errmsg: string;
  readonly rid: string | undefined;

  constructor(errcode: number, rawErrmsg: string, scope: TokenScope) {
    const { text, rid } = splitRid(rawErrmsg);
    const rule = classifyErrcode(errcode, scope);
    super(rule.kind, `WeChat API error [${errcode}]: ${text || 'unknown error'}`, {
      errcode,
      rid,
      hint: rule.hint,
      status: rule.status,
    });
    this.name = 'WeChatError';
    this.errcode = errcode;
    this.errmsg = text;
    this.rid = rid;
  }
}
