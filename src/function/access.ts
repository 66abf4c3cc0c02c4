/**
 * Who may call a route. Admin routes need the admin key; user routes need a caller
 * credential according to AUTH_MODE; public routes need nothing.
 *
 * AUTH_MODE:
 *   gateway  the CloudBase gateway verified the Bearer token before forwarding; the function only
 *            insists that one is present and reads its `sub` for logs and rate limits.
 *   jwt      the function verifies the token itself (signature, expiry, issuer, audience) against
 *            JWKS_URL or JWT_PUBLIC_KEY: for the HTTP access service, where no gateway checks it.
 *   none     local development only; refused in production by the configuration.
 */
import { createPublicKey, timingSafeEqual, createHash, type KeyObject } from 'node:crypto';
import type { JWTPayload, JWTVerifyGetKey } from 'jose';
import { systemClock, type Clock } from '../clock.js';
import type { Config } from '../config.js';
import { AppError } from '../errors.js';
import type { Logger } from '../log.js';
import { createCorsPolicy } from './cors.js';
import type { Access, Caller } from './route.js';
import type { HeaderSource } from './request-headers.js';

export interface AccessCheck {
  /**
   * `open`: the route is one PUBLIC_ROUTES opened, so a caller without a Bearer token is let in
   * as a public caller (no identity), if its browser origin is allowed.
   */
  check(access: Access, headers: HeaderSource, open?: boolean): Promise<Caller>;
}

export interface AccessOptions {
  /** Expiry is judged on this clock, so tests can age a token without waiting. */
  clock?: Clock;
  logger?: Logger;
  /** How the JWKS is fetched and cached; the defaults suit production. */
  jwks?: JwksPolicy;
}

export interface JwksPolicy {
  /** How long a fetched key set is used before it is fetched again (default 10 minutes). */
  cacheMaxAgeMs?: number;
  /**
   * After a fetch, a token with an unknown `kid` does not trigger another fetch for this long
   * (default 30 s): rotation is picked up, but a flood of made-up kids cannot hammer the JWKS URL.
   */
  cooldownMs?: number;
  /** Deadline for one JWKS fetch (default 3 s). */
  timeoutMs?: number;
}

/** Only signatures made with a private key: a shared-secret (HS*) or unsigned token is never accepted. */
const ASYMMETRIC = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'];

/** A Bearer token longer than this is not a CloudBase token; refusing it early bounds the work. */
const MAX_TOKEN_LENGTH = 8192;

/** Allowed difference between the signer's clock and ours, in seconds. */
const CLOCK_TOLERANCE_S = 30;

/** Compares digests so neither the length nor the content of the key leaks through timing. */
export function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

function bearer(headers: HeaderSource): string | undefined {
  const header = headers.get('authorization');
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) throw new AppError('unauthenticated', 'Authorization header must be "Bearer <accessToken>"');
  if (match[1].length > MAX_TOKEN_LENGTH) throw new AppError('unauthenticated', 'Access token is too long to be a CloudBase access token');
  return match[1];
}

/** The `sub` when it is a non-empty string; anything else is no user id at all. */
function subOf(payload: JWTPayload | undefined): string | undefined {
  return typeof payload?.sub === 'string' && payload.sub ? payload.sub : undefined;
}

const digestOf = (text: string) => createHash('sha256').update(text).digest('base64url');

/** A bounded identity that compares whole: short subs as they are, long ones by digest, never cut. */
export function identityOfSub(sub: string): string {
  return sub.length <= 128 ? `sub:${sub}` : `sub#${digestOf(sub)}`;
}

/** A caller whose token carries no string `sub` is still told apart from every other token. */
export const identityOfToken = (token: string): string => `bearer#${digestOf(token)}`;

/** With AUTH_MODE=none (local only) every caller is the one developer at the keyboard. */
export const LOCAL_IDENTITY = 'local';

/** Which algorithms a PEM key can verify, so a token cannot pick a weaker one. */
function algorithmsFor(key: KeyObject): string[] {
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'];
    case 'rsa-pss':
      return ['PS256', 'PS384', 'PS512'];
    case 'ec': {
      const curve = key.asymmetricKeyDetails?.namedCurve;
      return curve === 'secp384r1' ? ['ES384'] : curve === 'secp521r1' ? ['ES512'] : ['ES256'];
    }
    case 'ed25519':
      return ['EdDSA', 'Ed25519'];
    default:
      return [];
  }
}

type Jose = typeof import('jose');

/**
 * The claims of a token the gateway has already verified, read for the logs and the limiter:
 * the middle segment, base64url-decoded. Nothing here is trusted for access; a token that does
 * not decode simply has no user id.
 */
function unverifiedClaims(token: string): JWTPayload | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const claims: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    return claims !== null && typeof claims === 'object' && !Array.isArray(claims) ? (claims as JWTPayload) : undefined;
  } catch {
    return undefined;
  }
}

/** jose's failure, in words that tell the caller what to do; never the token itself. */
function reasonFor({ errors }: Jose, error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'Access token has expired; sign in again for a new one';
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.reason === 'missing') return `Access token has no "${error.claim}" claim`;
    if (error.claim === 'iss') return 'Access token was issued by another issuer than this function trusts (JWT_ISSUER)';
    if (error.claim === 'aud') return 'Access token is meant for another audience than this function (JWT_AUDIENCE)';
    if (error.claim === 'nbf') return 'Access token is not valid yet';
    return `Access token has an invalid "${error.claim}" claim`;
  }
  if (error instanceof errors.JWKSNoMatchingKey) return 'Access token is signed with a key this function does not know (unknown kid)';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'Access token signature is not valid';
  if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported) return 'Access token is signed with an algorithm this function does not accept';
  return 'Access token is not a well-formed JWT';
}

/** Failures of the key source itself, which are not the caller's fault. */
function isKeySourceFailure({ errors }: Jose, error: unknown): boolean {
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid) return true;
  // jose's generic error is only thrown by the JWKS fetch (non-200 answer, unparsable body).
  if (error instanceof errors.JOSEError) return error.code === 'ERR_JOSE_GENERIC';
  // fetch() failing (refused, DNS) surfaces as a TypeError from undici.
  return error instanceof TypeError && /fetch failed/.test(error.message);
}

type Verify = (token: string) => Promise<JWTPayload>;

function createJwtVerifier(config: Config, clock: Clock, logger: Logger | undefined, policy: JwksPolicy): Verify {
  // jose is loaded only in this mode; the gateway mode, the default on CloudBase, starts without it.
  const loading = import('jose');
  // Awaited on first use; a failure then is answered there, not as an unhandled rejection at start.
  loading.catch(() => undefined);
  let key: JWTVerifyGetKey;
  let algorithms: string[];
  if (config.jwksUrl) {
    const jwksUrl = new URL(config.jwksUrl);
    const remote = loading.then((jose) =>
      jose.createRemoteJWKSet(jwksUrl, {
        cacheMaxAge: policy.cacheMaxAgeMs ?? 10 * 60_000,
        cooldownDuration: policy.cooldownMs ?? 30_000,
        timeoutDuration: policy.timeoutMs ?? 3_000,
      }),
    );
    remote.catch(() => undefined);
    key = async (header, token) => (await remote)(header, token);
    algorithms = ASYMMETRIC;
  } else if (config.jwtPublicKey) {
    const publicKey = createPublicKey(config.jwtPublicKey);
    key = async () => publicKey;
    algorithms = algorithmsFor(publicKey);
  } else {
    throw new Error('AUTH_MODE=jwt without JWKS_URL or JWT_PUBLIC_KEY');
  }
  const options = {
    issuer: config.jwtIssuer,
    audience: config.jwtAudience,
    algorithms,
    clockTolerance: CLOCK_TOLERANCE_S,
    requiredClaims: ['exp'],
  };
  return async (token) => {
    const jose = await loading;
    try {
      const verified = await jose.jwtVerify(token, key, { ...options, currentDate: new Date(clock.now()) });
      return verified.payload;
    } catch (error) {
      if (isKeySourceFailure(jose, error)) {
        logger?.warn({ err: error, jwksUrl: config.jwksUrl }, 'could not fetch the JWKS');
        throw new AppError('unavailable', 'Could not fetch the keys that verify access tokens; try again shortly', {
          hint: 'The function could not reach JWKS_URL.',
        });
      }
      throw new AppError('unauthenticated', reasonFor(jose, error));
    }
  };
}

/**
 * A public caller from a browser must come from an allowed origin (corsAllowOrigin) or from the
 * function's own. CORS alone only stops the page reading the answer; this stops the call.
 */
function publicOriginAllowed(allowed: (origin: string) => string | null, headers: HeaderSource): boolean {
  const origin = headers.get('origin');
  if (origin == null) return true;
  if (allowed(origin)) return true;
  try {
    return new URL(origin).host === headers.get('host');
  } catch {
    return false;
  }
}

export function createAccessCheck(config: Config, options: AccessOptions = {}): AccessCheck {
  const clock = options.clock ?? systemClock;
  const verify = config.authMode === 'jwt' ? createJwtVerifier(config, clock, options.logger, options.jwks ?? {}) : undefined;
  const cors = createCorsPolicy(config.corsAllowOrigins);
  return {
    async check(access, headers, open = false) {
      if (access === 'public') return { kind: 'anonymous' };
      if (access === 'admin') {
        if (!config.adminApiKey) {
          throw new AppError('forbidden', 'Admin routes are off: set ADMIN_API_KEY on the function to enable them', {
            hint: 'Admin routes hand out the account-wide access_token; call them from your backend with the X-Api-Key header.',
          });
        }
        const key = headers.get('x-api-key');
        if (!key || !sameSecret(key, config.adminApiKey)) {
          throw new AppError('forbidden', 'This route needs the admin key in the X-Api-Key header');
        }
        return { kind: 'admin' };
      }
      if (config.authMode === 'none') return { kind: 'anonymous', identity: LOCAL_IDENTITY };
      // In gateway mode a Bearer on an opened route may never have met the gateway (the HTTP
      // access service skips it), so it is not read: every caller there is public.
      if (open && (config.authMode === 'gateway' || !headers.get('authorization'))) {
        if (!publicOriginAllowed(cors.allowed, headers)) {
          throw new AppError('forbidden', 'This page\'s origin may not call the public sign-in routes; add it to corsAllowOrigin', {
            hint: 'corsAllowOrigin lists the origins (scheme://host[:port]) of the pages that sign in through this function.',
          });
        }
        return { kind: 'anonymous' };
      }
      const token = bearer(headers);
      if (!token) {
        throw new AppError('unauthenticated', 'Missing Authorization: Bearer <accessToken> (a CloudBase access token from an authenticated login)');
      }
      if (verify) {
        const userId = subOf(await verify(token));
        // Everything bound to a caller keys on its sub: a token without one would share it with every other.
        if (!userId) throw new AppError('unauthenticated', 'Access token has no user id: its "sub" claim must be a non-empty string');
        return { kind: 'user', userId, identity: identityOfSub(userId) };
      }
      // In gateway mode the CloudBase gateway verified the token; its claims are only read for identity and logs.
      const userId = subOf(unverifiedClaims(token));
      return { kind: 'user', userId, identity: userId ? identityOfSub(userId) : identityOfToken(token) };
    },
  };
}
