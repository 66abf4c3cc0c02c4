/**
 * Per-caller request limit on end-user routes, so one page stuck in a loop (or one script)
 * cannot spend the account's WeChat quota, which every user of the account shares.
 *
 * Fixed one-minute windows counted in the store: with Redis every instance counts against the
 * same number. The window is read from the injected clock, so tests move time instead of waiting.
 */
import { isIP } from 'node:net';
import type { Clock } from '../clock.js';
import { AppError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Store } from '../store/store.js';
import type { Access, Caller } from './route.js';
import type { HeaderSource } from './request-headers.js';

export interface RateLimit {
  /** Counts the request; throws a rate_limited AppError (429, Retry-After) when over the limit. */
  check(access: Access, caller: Caller, clientAddress: string | undefined): Promise<void>;
}

export interface RateLimitOptions {
  store: Store;
  clock: Clock;
  /** Requests per minute per caller; 0 turns the limit off. */
  perMinute: number;
  /** Starts every key, so functions for different accounts can share one Redis. */
  namespace?: string;
  logger?: Logger;
}

const WINDOW_MS = 60_000;

/**
 * The client's address: the last hop of X-Forwarded-For, else the socket's peer. The last hop is
 * the one the proxy in front of the function appended from the connection it saw; every earlier
 * entry is whatever the client chose to send, so counting by it would let a client open a new
 * allowance per request. A hop that is not an IP address is ignored.
 */
export function clientAddress(headers: HeaderSource, socketAddress: string | undefined): string | undefined {
  const last = headers.get('x-forwarded-for')?.split(',').at(-1)?.trim();
  if (last && isIP(last)) return last;
  return socketAddress && isIP(socketAddress) ? socketAddress : undefined;
}

/** Who is counted: the signed-in user when there is one, else the address the request came from. */
export function callerKey(caller: Caller, address: string | undefined): string {
  if (caller.kind === 'user' && caller.identity) return `u:${caller.identity}`;
  return `ip:${address ?? 'unknown'}`;
}

export function createRateLimit(options: RateLimitOptions): RateLimit {
  const { store, clock, perMinute, logger } = options;
  const namespace = options.namespace ?? 'ratelimit';
  return {
    async check(access, caller, address) {
      if (perMinute <= 0 || access !== 'user') return;
      const now = clock.now();
      const window = Math.floor(now / WINDOW_MS);
      const windowEnds = (window + 1) * WINDOW_MS;
      let count: number;
      try {
        // The key lives a little past its window so a slow clock on another instance still counts into it.
        count = await store.increment(`${namespace}:${window}:${callerKey(caller, address)}`, windowEnds - now + 5_000);
      } catch (error) {
        // A store outage must not take every user route down with it: count nothing rather than refuse everyone.
        logger?.warn({ err: error }, 'rate limit store unavailable; request not counted');
        return;
      }
      if (count > perMinute) {
        const retryAfter = Math.max(1, Math.ceil((windowEnds - now) / 1000));
        throw new AppError('rate_limited', `Too many requests from this caller: the limit is ${perMinute} per minute; try again in ${retryAfter} s`, {
          retryAfter,
          hint: 'A page that calls the function in a loop spends the whole account’s WeChat quota; cache results on the page.',
        });
      }
    },
  };
}
