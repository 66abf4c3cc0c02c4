/**
 * Browser SDK for WeChat web authorization through offiaccount-common.
 *
 *   const auth = createWebAuth({ baseUrl, getAccessToken })
 *   const session = await auth.handleRedirect()   // on every load: the return from WeChat, or the stored session
 *   if (!session) await auth.signIn({ scope: 'snsapi_userinfo' })
 *
 * It does the parts pages get wrong by hand: a state signed by the function (or, from a
 * function without /oauth/state, one from crypto.getRandomValues), checked on return, and
 * checked by the function when sessionStorage lost it; `code` and `state` removed from the
 * address bar before the exchange, so a reload or a shared link never presents the code again
 * (WeChat's 40163); denial and every function error as a typed WebAuthError.
 *
 * With `cloudbaseAuth` (the auth of a CloudBase JS SDK app the page made) and a function that
 * issues custom-login tickets, the sign-in ends signed in to CloudBase as this WeChat user. A page
 * with no CloudBase session yet calls the function's public sign-in routes; its state is then
 * bound to a secret kept in storage (PKCE), sent with the code.
 */
import { createCall, type TransportOptions } from './call.js';
import { WebAuthError } from './errors.js';
import { buildAuthorizeUrl, newPkce, newState, withoutOAuthParams, type Scope } from './url.js';

export { WebAuthError, type WebAuthErrorKind, type WebAuthErrorDetails } from './errors.js';
export { buildAuthorizeUrl, type AuthorizeParams, type Scope } from './url.js';
export type { Envelope, TransportOptions } from './call.js';

export interface Profile {
  openid: string;
  nickname: string;
  /** 1 male, 2 female, 0 unknown. */
  sex: number;
  province: string;
  city: string;
  country: string;
  headimgurl: string;
  privilege: string[];
  unionid?: string;
}

/** What /oauth/token and /oauth/refresh return, in WeChat's field names. */
export interface OAuthToken {
  openid: string;
  access_token: string;
  refresh_token: string;
  expires_in: number;
  /** Comma-separated, as WeChat sends it. */
  scope: string;
  unionid?: string;
  /** 1 for a "Moments snapshot page" visitor: a virtual openid and no profile. */
  is_snapshotuser?: number;
}

/** What /oauth/token adds when the function holds the CloudBase custom-login key. */
interface TokenAnswer extends OAuthToken {
  ticket?: string;
}

/**
 * The part of a CloudBase JS SDK auth the SDK uses (`app.auth()` of @cloudbase/js-sdk): no
 * dependency on it, any object with this method will do.
 */
export interface CloudBaseAuthLike {
  signInWithCustomTicket(getTicket: () => Promise<string>): Promise<unknown>;
}

export interface Session extends OAuthToken {
  /** When access_token expires, in ms since the epoch (browser clock). */
  expires_at: number;
  /** Present after a snsapi_userinfo sign-in. */
  profile?: Profile;
}

export interface OAuthConfig {
  appId: string;
  authorizeUrl: string;
  scopes: string[];
  mode: string;
}

type KeyValue = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

export interface WebAuthOptions extends TransportOptions {
  /** Default scope for signIn(); snsapi_base unless given. */
  scope?: Scope;
  /** Language of the profile's place names. */
  lang?: 'zh_CN' | 'zh_TW' | 'en';
  /** Where the pending state and the session are kept; sessionStorage unless given. */
  storage?: KeyValue;
  /** Prefix of the storage keys, for two accounts on one page. */
  storageKey?: string;
  /** The clock `expires_at` is counted on: Date.now unless given (a page whose server runs on another clock). */
  now?: () => number;
  location?: { href: string; replace(url: string): void };
  history?: { state?: unknown; replaceState(data: unknown, unused: string, url: string): void };
  /**
   * The page's CloudBase auth: the ticket from /oauth/token is handed to its
   * signInWithCustomTicket before anything else is asked, so later calls carry a real Bearer
   * (have getAccessToken read it from the same auth).
   */
  cloudbaseAuth?: CloudBaseAuthLike;
}

export interface SignInOptions {
  scope?: Scope;
  /** Where WeChat sends the person back; this page (without code/state/fragment) unless given. */
  redirectUri?: string;
}

export interface WebAuth {
  /** Sends the browser to WeChat's authorize page; resolves with the URL it went to. */
  signIn(options?: SignInOptions): Promise<string>;
  /**
   * Call on every page load. Back from WeChat: checks the state, strips code and state from
   * the address bar, exchanges the code (and fetches the profile under snsapi_userinfo).
   * Otherwise: the stored session, or null when nobody is signed in.
   */
  handleRedirect(): Promise<Session | null>;
  /** A new 2-hour access_token from the 30-day refresh_token. */
  refresh(): Promise<Session>;
  /** Whether WeChat still accepts the session's access_token. */
  verify(): Promise<boolean>;
  session(): Session | null;
  signOut(): void;
  config(): Promise<OAuthConfig>;
}

/** A state /oauth/state signs: base36 issue time, 32 hex of nonce, 32 hex of MAC. */
const SIGNED = /^[0-9a-z]{1,11}[0-9a-f]{64}$/;

export function createWebAuth(options: WebAuthOptions = {}): WebAuth {
  const call = createCall(options);
  const store = (): KeyValue => options.storage ?? sessionStorage;
  const loc = () => options.location ?? location;
  const hist = () => options.history ?? history;
  const key = options.storageKey ?? 'offiaccount';
  const STATE = `${key}.state`;
  const VERIFIER = `${key}.verifier`;
  const SESSION = `${key}.session`;

  const session = (): Session | null => {
    try {
      return JSON.parse(store().getItem(SESSION) ?? 'null');
    } catch {
      return null;
    }
  };

  const save = (s: Omit<Session, 'expires_at'>): Session => {
    const saved = { ...s, expires_at: (options.now ?? Date.now)() + s.expires_in * 1000 };
    store().setItem(SESSION, JSON.stringify(saved));
    return saved;
  };

  const current = (): Session => {
    const s = session();
    if (!s) throw new WebAuthError('no_session', 'Nobody is signed in on this page');
    return s;
  };

  const config = () => call<OAuthConfig>('/oauth/config', {});

  return {
    config,
    session,

    async signIn(o = {}) {
      const pkce = await newPkce();
      const [{ appId, authorizeUrl }, state] = await Promise.all([
        config(),
        // Signed by the function, so a return whose sessionStorage was lost can still be vouched for.
        // A function from before /oauth/state answers 404: a local state still works while storage lasts.
        call<{ state: string }>('/oauth/state', pkce ? { code_challenge: pkce.challenge } : {}).then(
          (r) => r.state,
          (e: WebAuthError) => {
            if (e.status == 404 || /^No route/.test(e.message)) return newState();
            throw e;
          },
        ),
      ]);
      store().setItem(STATE, state);
      // Only a state the function signed was bound to the verifier; a local one never reaches it.
      if (pkce && SIGNED.test(state)) store().setItem(VERIFIER, pkce.verifier);
      else store().removeItem(VERIFIER);
      const url = buildAuthorizeUrl(authorizeUrl, {
        appId,
        redirectUri: o.redirectUri ?? withoutOAuthParams(loc().href, false),
        scope: o.scope ?? options.scope ?? 'snsapi_base',
        state,
      });
      // replace, not assign: Back from the authorize page must not land on a page that redirects again.
      loc().replace(url);
      return url;
    },

    async handleRedirect() {
      const params = new URL(loc().href).searchParams;
      const code = params.get('code');
      const state = params.get('state');
      if (code === null && state === null) return session();

      // Before anything else, and before any await: from here on a reload, the Back button or a
      // copied link cannot present this code again.
      const h = hist();
      h.replaceState(h.state ?? null, '', withoutOAuthParams(loc().href, true));
      const expected = store().getItem(STATE);
      const verifier = store().getItem(VERIFIER);
      store().removeItem(STATE);
      store().removeItem(VERIFIER);

      // With the stored state, compare here. Without it (storage lost in WeChat's webview), only a
      // state shaped like a signed one goes on, and the function checks its signature before the
      // code is exchanged.
      if (expected ? state !== expected : !SIGNED.test(state ?? '')) {
        throw new WebAuthError(
          'state_mismatch',
          'The sign-in response does not belong to a sign-in started in this browser (state mismatch); it was refused',
        );
      }
      if (!code) throw new WebAuthError('denied', 'The person declined to authorize on WeChat');

      // The verifier proves this browser asked for the state; without it, the state alone as before.
      const body = verifier ? { code, state, code_verifier: verifier } : expected ? { code } : { code, state };
      const { ticket, ...token } = await call<TokenAnswer>('/oauth/token', body).catch((e: WebAuthError) => {
        // The function's refusal of the state: no WeChat errcode, and says so.
        throw !expected && e.errcode == null && /\bstate\b/.test(e.message) ? Object.assign(e, { kind: 'state_mismatch' }) : e;
      });
      // Into CloudBase first: the routes after this one may need its Bearer. The ticket is not kept.
      if (ticket && options.cloudbaseAuth) {
        let outcome: unknown;
        try {
          outcome = await options.cloudbaseAuth.signInWithCustomTicket(async () => ticket);
        } catch (error) {
          outcome = { error };
        }
        // Newer CloudBase SDKs answer {data, error} instead of throwing.
        const failed = (outcome as { error?: { message?: string } } | undefined)?.error;
        if (failed) throw new WebAuthError('cloudbase', `CloudBase refused the sign-in ticket: ${failed.message ?? failed}`);
      }
      let s = save(token);
      // Snapshot-page visitors have no profile: WeChat would answer 48001.
      if (token.scope.split(',').includes('snsapi_userinfo') && !token.is_snapshotuser) {
        const profile = await call<Profile>('/oauth/userinfo', {
          access_token: token.access_token,
          openid: token.openid,
          ...(options.lang && { lang: options.lang }),
        });
        s = save({ ...s, profile });
      }
      return s;
    },

    async refresh() {
      const s = current();
      return save({ ...s, ...(await call<OAuthToken>('/oauth/refresh', { refresh_token: s.refresh_token })) });
    },

    async verify() {
      const { access_token, openid } = current();
      return (await call<{ valid: boolean }>('/oauth/verify', { access_token, openid })).valid;
    },

    signOut() {
      store().removeItem(SESSION);
      store().removeItem(STATE);
      store().removeItem(VERIFIER);
    },
  };
}
