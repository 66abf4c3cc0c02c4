/**
 * CloudBase custom login: the private key the CloudBase console hands out (a JSON file with
 * `private_key_id`, `private_key` and `env_id`) and the ticket signed with it, which the page
 * gives to `auth.signInWithCustomTicket` of `@cloudbase/js-sdk` to become that user in CloudBase.
 *
 * The ticket is what CloudBase's own server SDK (`createTicket` in `@cloudbase/node-sdk`) makes,
 * byte for byte given the same key, uid and instant: `<private_key_id>/@@/<JWT>`, the JWT signed
 * RS256 with header `{"alg":"RS256","typ":"JWT"}` and the claims below in this order, every time
 * in milliseconds (CloudBase's format, not the JWT convention of seconds). test/custom-login.test.ts
 * checks both against the same key.
 */
import { createPrivateKey, sign, type KeyObject } from 'node:crypto';
import type { Clock } from '../clock.js';

export interface CustomLoginKey {
  /** Names the key to CloudBase; it prefixes every ticket and is not secret. */
  privateKeyId: string;
  /** Kept as a KeyObject, which serializes as `{}`: a stray log of the config cannot print it. */
  privateKey: KeyObject;
  envId: string;
}

/** How long a ticket may wait before the page signs in with it. */
export const TICKET_LIFETIME_MS = 10 * 60_000;
/** CloudBase's defaults for the session the ticket opens (the server SDK's own). */
const REFRESH_MS = 3600_000;
const EXPIRE_MS = 7 * 24 * 3600_000;

/** The uids CloudBase accepts for custom login: 4 to 32 of these characters. */
export const CUSTOM_UID = /^[a-zA-Z0-9_\-#@~=*(){}[\]:.,<>+]{4,32}$/;

/**
 * Reads the console's JSON. Throws an Error whose message names the missing or bad field and
 * never quotes the key; the caller turns it into a ConfigError for its variable.
 */
export function parseCustomLoginKey(json: string): CustomLoginKey {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new Error('is not JSON (the private key file the CloudBase console downloads, or its path)');
  }
  const fields = (parsed ?? {}) as Record<string, unknown>;
  for (const field of ['private_key_id', 'private_key', 'env_id']) {
    if (typeof fields[field] !== 'string' || !fields[field]) throw new Error(`has no "${field}"; download the custom login private key again from the CloudBase console`);
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(String(fields.private_key).replace(/\\n/g, '\n'));
  } catch {
    throw new Error('has a "private_key" that is not a PEM private key');
  }
  if (privateKey.asymmetricKeyType !== 'rsa') throw new Error('has a "private_key" that is not an RSA key');
  return { privateKeyId: String(fields.private_key_id), privateKey, envId: String(fields.env_id) };
}

export interface TicketSigner {
  /** A ticket for `uid` (4 to 32 of CUSTOM_UID's characters), good for 10 minutes. */
  sign(uid: string): string;
}

const HEADER = Buffer.from(JSON.stringify({ alg: 'RS256', typ: 'JWT' })).toString('base64url');

/**
 * Signed with node:crypto rather than jose: jose refuses RSA keys under 2048 bits, and the
 * server SDK signs with whatever size the console issued (it turns that check off).
 */
export function createTicketSigner(key: CustomLoginKey, clock: Clock): TicketSigner {
  return {
    sign(uid) {
      if (!CUSTOM_UID.test(uid)) throw new RangeError('a CloudBase custom-login uid is 4 to 32 letters, digits or _-#@~=*(){}[]:.,<>+');
      const iat = clock.now();
      // The claims in the server SDK's order, with its names and millisecond times.
      const claims = { alg: 'RS256', env: key.envId, iat, exp: iat + TICKET_LIFETIME_MS, uid, refresh: REFRESH_MS, expire: iat + EXPIRE_MS };
      const input = `${HEADER}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
      const signature = sign('sha256', Buffer.from(input), key.privateKey).toString('base64url');
      return `${key.privateKeyId}/@@/${input}.${signature}`;
    },
  };
}
