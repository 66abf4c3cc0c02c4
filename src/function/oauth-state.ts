/**
 * A signed OAuth `state`: the fallback for a page whose sessionStorage did not survive the trip
 * through WeChat's authorize page (a link opened in a fresh webview). Instead of remembering the
 * state, the page presents it back to the function with the code, and the function checks that
 * it issued it, recently, to the same caller.
 *
 *   state = base36(issued, seconds) + nonce (16 random bytes, hex) + mac (HMAC-SHA256, hex, first 16 bytes)
 *   mac   = HMAC(key, issued + '.' + nonce + '.' + callerId)
 *
 * Only [0-9a-z], at most 11 + 32 + 32 characters: inside WeChat's `[a-zA-Z0-9]{1,128}`.
 * The key is derived from the AppSecret, so every instance of the function agrees on it without
 * any new setting, and rotating the AppSecret retires every outstanding state with it.
 *
 * Binding to the caller is what makes it a CSRF defence: a state someone obtained for their own
 * login does not verify for another user's, so their code cannot be planted in a victim's page.
 * It is not single-use; the code it travels with is (WeChat refuses a second exchange).
 *
 * A public caller (PUBLIC_ROUTES, no Bearer) has no identity, so its state is bound to a secret
 * the page keeps instead, as PKCE does: the page asks for the state with
 * code_challenge = base64url(SHA-256(code_verifier)) and sends code_verifier with the code. Someone
 * who took the code and the state from the address bar does not have the verifier.
 */
import { createHash, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { seconds, type Clock } from '../clock.js';

/** How long a signed state is accepted: long enough for a consent page, short enough to go stale. */
export const STATE_LIFETIME_S = 600;

/** Instances read their own clocks; a state stamped a little in our future is still ours. */
const CLOCK_SKEW_S = 60;

const HKDF_INFO = 'offiaccount-common oauth state';
const NONCE_BYTES = 16;
const MAC_BYTES = 16;
const SHAPE = /^([0-9a-z]{1,11})([0-9a-f]{32})([0-9a-f]{32})$/;

export type StateRejection = 'malformed' | 'signature' | 'expired';

export interface OAuthStateSigner {
  /** `callerId`: the caller's whole identity; there is no state for a caller without one. */
  issue(callerId: string): { state: string; expires_in: number };
  /** `ok: false` with why, for logs and tests; the caller is told one story whatever the reason. */
  verify(state: string, callerId: string): { ok: true } | { ok: false; reason: StateRejection };
}

export function createOAuthStateSigner(appSecret: string, clock: Clock): OAuthStateSigner {
  const key = Buffer.from(hkdfSync('sha256', appSecret, Buffer.alloc(0), HKDF_INFO, 32));
  const mac = (issued: string, nonce: string, callerId: string) =>
    createHmac('sha256', key).update(`${issued}.${nonce}.${callerId}`).digest().subarray(0, MAC_BYTES);

  return {
    issue(callerId) {
      const issued = seconds(clock).toString(36);
      const nonce = randomBytes(NONCE_BYTES).toString('hex');
      return { state: issued + nonce + mac(issued, nonce, callerId).toString('hex'), expires_in: STATE_LIFETIME_S };
    },

    verify(state, callerId) {
      const match = SHAPE.exec(state);
      if (!match) return { ok: false, reason: 'malformed' };
      const [, issued, nonce, given] = match;
      // The signature first, in constant time: the issue time is only trusted once it is ours.
      if (!timingSafeEqual(Buffer.from(given, 'hex'), mac(issued, nonce, callerId))) return { ok: false, reason: 'signature' };
      const age = seconds(clock) - parseInt(issued, 36);
      if (age > STATE_LIFETIME_S || age < -CLOCK_SKEW_S) return { ok: false, reason: 'expired' };
      return { ok: true };
    },
  };
}

/** PKCE's S256 transform: what the page sends to /oauth/state for the verifier it keeps. */
export const pkceChallenge = (verifier: string): string => createHash('sha256').update(verifier).digest('base64url');

/** What a state is bound to: the caller's identity, or for a caller without one, its PKCE challenge. */
export function stateBinding(identity: string | undefined, challenge: string | undefined): string | undefined {
  return identity ?? (challenge === undefined ? undefined : `pkce:${challenge}`);
}
