/**
 * A tiny stand-in for CloudBase's sign-in, for the local run only: it signs short-lived access
 * tokens with a key made at start and publishes that key as a JWKS, so the local function runs in
 * AUTH_MODE=jwt and the demo page sends a real Bearer token, as a page on CloudBase does.
 *
 *   POST /__dev/signin     {user?: string} → {code: 0, msg: 'success', data: {access_token, token_type: 'Bearer', expires_in}}
 *   POST /__dev/signin     {ticket} → the same, for the ticket's uid: CloudBase's custom login
 *   GET  /__dev/jwks.json  the public key, as CloudBase publishes its /auth/v1/certs (a bare JWKS,
 *                          as every JWT library reads it: the one answer that is not the envelope)
 *
 * It also plays the CloudBase environment's custom login: it makes a custom-login key (the JSON
 * the console would give) for the function to sign tickets with, and accepts those tickets only
 * when they verify with that key's public half, for this environment, unexpired.
 *
 * Anyone who can reach the local run can sign in as anyone: that is the point of a stand-in, and
 * why it is only mounted by the dev command and its key dies with the process.
 */
import { createHash, generateKeyPairSync, verify, type KeyObject } from 'node:crypto';
import type { Hono } from 'hono';
import { SignJWT } from 'jose';
import * as v from 'valibot';
import { seconds, systemClock, type Clock } from '../clock.js';
import { CUSTOM_UID } from '../cloudbase/custom-login.js';
import { AppError } from '../errors.js';
import type { AppEnv } from '../function/app.js';
import { success } from '../function/envelope.js';
import { parseJsonBody, validate } from '../function/validation.js';

export const DEV_ISSUER = 'offiaccount-common-dev-signin';
export const DEV_AUDIENCE = 'offiaccount-common-dev';
/** The environment id the local run pretends to be (TCB_ENV). */
export const DEV_ENV_ID = 'local-dev';

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
  env: {
    AUTH_MODE: 'jwt';
    JWT_PUBLIC_KEY: string;
    JWT_ISSUER: string;
    JWT_AUDIENCE: string;
    /** The sign-in routes a page uses before it has a session, as on CloudBase behind the HTTP access service. */
    PUBLIC_ROUTES: string;
    /** The custom-login key the stand-in made, as the console's JSON. */
    CLOUDBASE_CUSTOM_LOGIN_KEY: string;
    TCB_ENV: string;
  };
  /** Signs a token for `user` directly (tests, scripts). */
  issue(user?: string): Promise<{ access_token: string; token_type: 'Bearer'; expires_in: number }>;
  /** The uid of a ticket the function signed with the stand-in's key; throws when it does not verify. */
  redeem(ticket: string): string;
  /** Adds the two routes to the function; returns what the access check needs to verify the tokens. */
  mount(app: Hono<AppEnv>): DevSignin['env'];
}

const signinBody = v.object({
  user: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(64), v.regex(/^[\w.@-]+$/))),
  ticket: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(4096))),
});

/** CloudBase's side of custom login, for tickets in createTicket's format (see src/cloudbase/custom-login.ts). */
function ticketRedeemer(keyId: string, publicKey: KeyObject, envId: string, clock: Clock): (ticket: string) => string {
  const refuse = (why: string) => new AppError('unauthenticated', `The sign-in ticket was refused: ${why}`);
  return (ticket) => {
    const [kid, jwt, extra] = ticket.split('/@@/');
    if (extra !== undefined || !jwt || kid !== keyId) throw refuse('it was not signed with this environment\'s custom-login key');
    const [header, payload, signature, more] = jwt.split('.');
    if (more !== undefined || !signature || !verify('sha256', Buffer.from(`${header}.${payload}`), publicKey, Buffer.from(signature, 'base64url'))) {
      throw refuse('its signature does not verify');
    }
    let claims: { env?: unknown; exp?: unknown; uid?: unknown };
    try {
      claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      throw refuse('it is not well formed');
    }
    if (claims.env !== envId) throw refuse('it is for another environment');
    if (typeof claims.exp !== 'number' || claims.exp <= clock.now()) throw refuse('it has expired (a ticket lives 10 minutes)');
    if (typeof claims.uid !== 'string' || !CUSTOM_UID.test(claims.uid)) throw refuse('its uid is not a CloudBase custom-login uid');
    return claims.uid;
  };
}

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

  // The custom-login key the CloudBase console would hand out for this environment.
  const login = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const loginKeyId = `${DEV_ENV_ID}-${kid}`;
  const loginKey = JSON.stringify({
    private_key_id: loginKeyId,
    private_key: login.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
    env_id: DEV_ENV_ID,
  });
  const redeem = ticketRedeemer(loginKeyId, login.publicKey, DEV_ENV_ID, clock);

  const env: DevSignin['env'] = {
    AUTH_MODE: 'jwt',
    JWT_PUBLIC_KEY: publicKeyPem,
    JWT_ISSUER: DEV_ISSUER,
    JWT_AUDIENCE: DEV_AUDIENCE,
    PUBLIC_ROUTES: '/oauth/config,/oauth/state,/oauth/token',
    CLOUDBASE_CUSTOM_LOGIN_KEY: loginKey,
    TCB_ENV: DEV_ENV_ID,
  };
  return {
    issuer: DEV_ISSUER,
    audience: DEV_AUDIENCE,
    publicKeyPem,
    env,
    issue,
    redeem,
    mount(app) {
      app.post('/__dev/signin', async (c) => {
        const { user, ticket } = validate(signinBody, parseJsonBody(await c.req.text()));
        c.header('Cache-Control', 'no-store');
        return c.json(success(await issue(ticket === undefined ? user : redeem(ticket))));
      });
      app.get('/__dev/jwks.json', (c) => c.json(jwks));
      return env;
    },
  };
}
