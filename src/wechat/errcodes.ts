/**
 * What each WeChat errcode means for the person reading the error: whose fault it is
 * (which decides the HTTP status) and what to do about it. The codes every API can answer
 * are here; each API group declares its own, and `mergeErrcodes` joins them into the one
 * table at start.
 */
import { AppError, type ErrorKind } from '../errors.js';

/** Which kind of token a call carried: a user's OAuth token, or the account's global one. */
export type TokenScope = 'oauth' | 'global' | 'none';

export interface ErrcodeRule {
  kind: ErrorKind;
  status?: number;
  hint?: string;
}

export type ErrcodeTable = Readonly<Record<number, ErrcodeRule>>;

export const CORE_ERRCODES: ErrcodeTable = {
  48001: {
    kind: 'caller',
    status: 403,
    hint: 'This API is not authorized for this account: its type or verification does not include it (for a user profile, the token needs scope=snsapi_userinfo).',
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
  40007: { kind: 'caller', hint: 'The media_id is unknown, of the wrong type, or expired (temporary media live 3 days).' },
  40035: { kind: 'caller', hint: 'WeChat found a parameter invalid. Check the fields the route documents.' },
  45009: {
    kind: 'quota',
    hint: "The account's daily quota for this API is spent; it resets at midnight (UTC+8). Do not retry: reset the day's counts now with /openapi/clear_quota (10 times a month; /openapi/clear_quota_v2 when the token fetches ran out).",
  },
  45011: { kind: 'quota', hint: 'WeChat says calls are too frequent. Slow down; do not retry in a loop.' },
  [-1]: { kind: 'upstream', hint: 'WeChat is busy. Try again shortly.' },
  // Codes several API groups meet (send APIs, menus, materials).
  43004: { kind: 'caller', status: 403, hint: 'The user does not follow the account: messages reach followers only.' },
  43019: { kind: 'caller', status: 403, hint: "The user is on the account's blacklist: remove them from it before sending." },
  40037: { kind: 'caller', hint: "The template_id is not one of the account's templates: list them (/template/list, /subscribe/list)." },
  47003: { kind: 'caller', hint: "A template data value is missing or breaks its placeholder's rule (WeChat's message names it): send every placeholder of the template's content." },
  40008: { kind: 'caller', hint: 'The msgtype is not one this API sends.' },
  // Articles in a customer-service message and in a draft.
  44003: { kind: 'caller', hint: 'The news message or draft has no articles: send one (a customer-service news message carries exactly 1).' },
  44004: { kind: 'caller', hint: 'The text or article content is empty.' },
  45002: { kind: 'caller', hint: 'The content is too long (an article: at most 20,000 characters, under 1 MB).' },
  45008: { kind: 'caller', hint: 'Too many articles: a draft holds at most 8, a customer-service news message exactly 1.' },
  48002: { kind: 'caller', status: 403, hint: 'The user turned off messages from this account.' },
};

const TOKEN_ERRCODES = new Set([40001, 40014, 42001]);

export function isTokenErrcode(errcode: number): boolean {
  return TOKEN_ERRCODES.has(errcode);
}

/**
 * The core codes and every group's, as one table. A code two groups (or a group and the core)
 * describe differently stops the start: one errcode must read the same whichever API answered it.
 */
export function mergeErrcodes(tables: ReadonlyArray<{ source: string; errcodes?: ErrcodeTable }>): ErrcodeTable {
  const merged: Record<number, ErrcodeRule> = { ...CORE_ERRCODES };
  const owner = new Map<number, string>(Object.keys(CORE_ERRCODES).map((code) => [Number(code), 'core']));
  for (const { source, errcodes } of tables) {
    for (const [key, rule] of Object.entries(errcodes ?? {})) {
      const code = Number(key);
      const existing = merged[code];
      if (existing && !sameRule(existing, rule)) {
        throw new Error(`errcode ${code} is declared differently by ${owner.get(code)} and ${source}; declare it once`);
      }
      if (TOKEN_ERRCODES.has(code)) throw new Error(`errcode ${code} (${source}) is a token errcode: the account client handles it`);
      merged[code] = rule;
      if (!owner.has(code)) owner.set(code, source);
    }
  }
  return merged;
}

const sameRule = (a: ErrcodeRule, b: ErrcodeRule) => a.kind === b.kind && a.status === b.status && a.hint === b.hint;

export function classifyErrcode(errcode: number, scope: TokenScope, table: ErrcodeTable = CORE_ERRCODES): ErrcodeRule {
  if (TOKEN_ERRCODES.has(errcode)) {
    // A user's OAuth token that expired is the caller's to renew (/oauth/refresh);
    // a global token that still fails after one refresh is ours to report.
    return scope === 'oauth'
      ? { kind: 'caller', status: 401, hint: 'The OAuth access_token is invalid or expired. Renew it with /oauth/refresh.' }
      : { kind: 'token', hint: 'The global access_token was refused even after a refresh. Check that no other system resets it.' };
  }
  return table[errcode] ?? { kind: 'upstream' };
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

  constructor(errcode: number, rawErrmsg: string, scope: TokenScope, table?: ErrcodeTable) {
    const { text, rid } = splitRid(rawErrmsg);
    const rule = classifyErrcode(errcode, scope, table);
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
