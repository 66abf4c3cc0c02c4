/**
 * Who may call a route. Admin routes need the admin key; user routes need a caller
 * credential according to AUTH_MODE; public routes need nothing.
 */
import { timingSafeEqual, createHash } from 'node:crypto';
import { decodeJwt } from 'jose';
import type { Config } from '../config.js';
import { AppError } from '../errors.js';
import type { Access, Caller } from './route.js';

export interface AccessCheck {
  check(access: Access, headers: Headers): Promise<Caller>;
}

/** Compares digests so neither the length nor the content of the key leaks through timing. */
export function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

function bearer(headers: Headers): string | undefined {
  const header = headers.get('authorization');
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) throw new AppError('unauthenticated', 'Authorization header must be "Bearer <accessToken>"');
  return match[1];
}

export function createAccessCheck(config: Config): AccessCheck {
  return {
    async check(access, headers) {
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
      if (config.authMode === 'none') return { kind: 'anonymous' };
      const token = bearer(headers);
      if (!token) {
        throw new AppError('unauthenticated', 'Missing Authorization: Bearer <accessToken> (a CloudBase access token from an authenticated login)');
      }
      // In gateway mode the CloudBase gateway verified the token; its claims are only read for the logs.
      let userId: string | undefined;
      try {
        const sub = decodeJwt(token).sub;
        if (typeof sub === 'string') userId = sub.slice(0, 128);
      } catch {
        userId = undefined;
      }
      return { kind: 'user', userId };
    },
  };
}
