/**
 * A tiny stand-in for CloudBase's sign-in, for the local run only: it signs short-lived access
 * tokens with a key made at start and publishes that key as a JWKS, so the local function runs in
 * AUTH_MODE=jwt and the demo page sends a real Bearer token, as a page on CloudBase does.
 *
 *   POST /__dev/signin     {user?: string} → {access_token, token_type: 'Bearer', expires_in}
 *   GET  /__dev/jwks.json  the public key, as CloudBase publishes its /auth/v1/certs
 *
 * Anyone who can reach the local run can sign in as anyone: that is the point of a stand-in, and
 * why it is only mounted by the dev command and its key dies with the process.
 */
import { createHash, generateKeyPairSync } from 'node:crypto';
import type { Hono } from 'hono';
import { SignJWT } from 'jose';
import * as v from 'valibot';
import { seconds, systemClock, type Clock } from '../clock.js';
import type { AppEnv } from '../function/app.js';
import { parseJsonBody, validate } from '../function/validation.js';

export const DEV_ISSUER = 'offiaccount-common-dev-signin';
export const DEV_AUDIENCE = 'offiaccount-common-dev';

export interface DevSigninOptions {
  clock?: Clock;
  /** Lifetime of an issued token; CloudBase's live 2 hours, the stand-in's are shorter so expiry shows up while developing. */
  ttlSeconds?: number;
}

export interface DevSignin {
  /** The `iss` and `aud` the tokens carry. */
  issuer: string;
  audience: string;
  /** The public half, PEM, for JWT_PUBLIC_KEY. */
  publicKeyPem: string;
  /** What the access check needs to verify these tokens, as configuration: AUTH_MODE=jwt with this key. */
  env: { AUTH_MODE: 'jwt'; JWT_PUBLIC_KEY: string; JWT_ISSUER: string; JWT_AUDIENCE: string };
  /** Signs a token for `user` directly (tests, scripts). */
  issue(user?: string): Promise<{ access_token: string; token_type: 'Bearer'; expires_in: number }>;
  /** Adds the two routes to the function; returns what the access check needs to verify the tokens. */
  mount(app: Hono<AppEnv>): DevSignin['env'];
}

const signinBody = v.object({ user: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(64), v.regex(/^[\w.@-]+$/))) });

export function createDevSignin(options: DevSigninOptions = {}): DevSignin {
  const clock = options.clock ?? systemClock;
  const ttl = options.ttlSeconds ?? 15 * 60;
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const kid = createHash('sha256').update(publicKeyPem).digest('base64url').slice(0, 16);
  const jwks = { keys: [{ ...publicKey.export({ format: 'jwk' }), kid, alg: 'ES256', use: 'sig' }] };

  const issue = async (user = 'dev-user') => {
    const now = seconds(clock);
    const access_token = await new SignJWT({})
      .setProtectedHeader({ alg: 'ES256', kid, typ: 'JWT' })
      .setSubject(user)
      .setIssuer(DEV_ISSUER)
      .setAudience(DEV_AUDIENCE)
      .setIssuedAt(now)
      .setExpirationTime(now + ttl)
      .sign(privateKey);
    return { access_token, token_type: 'Bearer' as const, expires_in: ttl };
  };

  const env: DevSignin['env'] = { AUTH_MODE: 'jwt', JWT_PUBLIC_KEY: publicKeyPem, JWT_ISSUER: DEV_ISSUER, JWT_AUDIENCE: DEV_AUDIENCE };
  return {
    issuer: DEV_ISSUER,
    audience: DEV_AUDIENCE,
    publicKeyPem,
    env,
    issue,
    mount(app) {
      app.post('/__dev/signin', async (c) => {
        const { user } = validate(signinBody, parseJsonBody(await c.req.text()));
        c.header('Cache-Control', 'no-store');
        return c.json(await issue(user));
      });
      app.get('/__dev/jwks.json', (c) => c.json(jwks));
      return env;
    },
  };
}
