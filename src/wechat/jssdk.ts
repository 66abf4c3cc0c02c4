/**
 * JS-SDK `wx.config` signatures: sha1 over `jsapi_ticket=…&noncestr=…&timestamp=…&url=…`,
 * keys in ASCII order and values raw (no escaping). The URL is signed exactly as the page
 * will present it, minus its #fragment: normalizing it (adding a trailing slash, re-encoding)
 * would change the string WeChat compares, and give "invalid signature".
 */
import { createHash, randomBytes } from 'node:crypto';
import { seconds, type Clock } from '../clock.js';
import { AppError } from '../errors.js';

export interface SignatureInput {
  ticket: string;
  nonceStr: string;
  timestamp: number | string;
  url: string;
}

export function jsapiSignature({ ticket, nonceStr, timestamp, url }: SignatureInput): string {
  const text = `jsapi_ticket=${ticket}&noncestr=${nonceStr}&timestamp=${timestamp}&url=${url}`;
  return createHash('sha1').update(text).digest('hex');
}

/**
 * The URL as it is signed: the page's full address with its query, without the fragment.
 * Anything that is not an absolute http(s) URL is the caller's mistake, reported naming the field.
 */
export function urlToSign(url: string, field = 'url'): string {
  const withoutFragment = url.split('#', 1)[0];
  let parsed: URL;
  try {
    parsed = new URL(withoutFragment);
  } catch {
    throw new AppError('bad_request', `${field} must be an absolute http(s) URL (the page's full address, e.g. https://example.com/page?x=1)`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new AppError('bad_request', `${field} must be an http(s) URL; got a ${parsed.protocol.replace(/:$/, '')} URL`);
  }
  if (/\s/.test(withoutFragment)) {
    throw new AppError('bad_request', `${field} must not contain whitespace: send the page's address exactly as location.href.split('#')[0] gives it`);
  }
  return withoutFragment;
}

const NONCE_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** 16 characters from a cryptographic source, letters and digits only (WeChat's own form). */
export function nonce(length = 16): string {
  // 248 is the largest multiple of 62 below 256: bytes above it are skipped so every character is equally likely.
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < 248 && out.length < length) out += NONCE_ALPHABET[byte % 62];
    }
  }
  return out;
}

export interface JsSdkConfig {
  appId: string;
  timestamp: number;
  nonceStr: string;
  signature: string;
  jsApiList?: string[];
}

export interface JsSdkSources {
  appId: string;
  clock: Clock;
  /** The current jsapi_ticket (CredentialManager.jsapiTicket). */
  ticket: () => Promise<string>;
}

/** What a page passes to wx.config, for the page at `url`. The URL is checked before the ticket is fetched. */
export async function jsSdkConfig(sources: JsSdkSources, url: string, jsApiList?: string[]): Promise<JsSdkConfig> {
  const signedUrl = urlToSign(url);
  const ticket = await sources.ticket();
  const timestamp = seconds(sources.clock);
  const nonceStr = nonce();
  const result: JsSdkConfig = {
    appId: sources.appId,
    timestamp,
    nonceStr,
    signature: jsapiSignature({ ticket, nonceStr, timestamp, url: signedUrl }),
  };
  if (jsApiList) result.jsApiList = jsApiList;
  return result;
}
