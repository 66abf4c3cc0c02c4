/**
 * The authorize URL and the page URLs around it. Pure functions, so the exact strings
 * WeChat checks can be tested without a browser.
 */
export type Scope = 'snsapi_base' | 'snsapi_userinfo';

export interface AuthorizeParams {
  appId: string;
  redirectUri: string;
  scope: Scope;
  state: string;
}

/**
 * WeChat checks the parameter order (appid, redirect_uri, response_type, scope, state) and
 * wants `#wechat_redirect` at the end, so the string is written out rather than built
 * with URLSearchParams.
 */
export function buildAuthorizeUrl(authorizeUrl: string, p: AuthorizeParams): string {
  const e = encodeURIComponent;
  return (
    `${authorizeUrl}?appid=${e(p.appId)}&redirect_uri=${e(p.redirectUri)}` +
    `&response_type=code&scope=${e(p.scope)}&state=${e(p.state)}#wechat_redirect`
  );
}

/**
 * The page's address without WeChat's `code` and `state`. `keepHash` keeps the page's own
 * fragment (an SPA route) but drops the `#wechat_redirect` WeChat may leave behind;
 * redirect_uri never carries a fragment.
 */
export function withoutOAuthParams(href: string, keepHash: boolean): string {
  const url = new URL(href);
  url.searchParams.delete('code');
  url.searchParams.delete('state');
  if (!keepHash || url.hash === '#wechat_redirect') url.hash = '';
  return url.href;
}

/** 128 bits from the browser's CSPRNG as 32 hex digits: inside WeChat's `[a-zA-Z0-9]{0,128}`. */
export function newState(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

const base64url = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

/**
 * A PKCE pair: the verifier the page keeps and the challenge (base64url SHA-256) it sends for
 * the state. Undefined where WebCrypto's digest is missing (a page not served over https).
 */
export async function newPkce(): Promise<{ verifier: string; challenge: string } | undefined> {
  if (!crypto.subtle) return undefined;
  const verifier = base64url(crypto.getRandomValues(new Uint8Array(32)));
  const challenge = base64url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))));
  return { verifier, challenge };
}
