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

/** The count for `key` in the current fixed window, after adding one; and how long until that window ends. */
export async function countInWindow(store: Store, clock: Clock, key: string, windowMs = WINDOW_MS): Promise<{ count: number; retryAfter: number }> {
  const now = clock.now();
  const window = Math.floor(now / windowMs);
  const windowEnds = (window + 1) * windowMs;
  // The key lives a little past its window so a slow clock on another instance still counts into it.
  const count = await store.increment(`${key}:${window}`, windowEnds - now + 5_000);
  return { count, retryAfter: Math.max(1, Math.ceil((windowEnds - now) / 1000)) };
}

export function createRateLimit(options: RateLimitOptions): RateLimit {
  const { store, clock, perMinute, logger } = options;
  const namespace = options.namespace ?? 'ratelimit';
  return {
    async check(access, caller, address) {
      if (perMinute <= 0 || access !== 'user') return;
      let counted: { count: number; retryAfter: number };
      try {
        counted = await countInWindow(store, clock, `${namespace}:${callerKey(caller, address)}`);
      } catch (error) {
        // A store outage must not take every user route down with it: count nothing rather than refuse everyone.
        logger?.warn({ err: error }, 'rate limit store unavailable; request not counted');
        return;
      }
      const { count, retryAfter } = counted;
      if (count > perMinute) {
        throw new AppError('rate_limited', `Too many requests from this caller: the limit is ${perMinute} per minute; try again in ${retryAfter} s`, {
          retryAfter,
          hint: 'A page that calls the function in a loop spends the whole account’s WeChat quota; cache results on the page.',
        });
      }
    },
  };
}

/**
 * Failed attempts per client address (a wrong admin key, later a failed public sign-in): after
 * `perMinute` failures in a minute the address is refused with 429 until the minute ends, right
 * or wrong, so a key cannot be guessed at the speed of the network. One warning per address and
 * minute, when it crosses the limit, rather than a line per attempt.
 */
export interface FailureLimit {
  /** Throws 429 while `address` has used up its failures in the current minute. */
  check(address: string | undefined): Promise<void>;
  /** Counts one failure from `address`. */
  failed(address: string | undefined): Promise<void>;
}

export interface FailureLimitOptions {
  store: Store;
  clock: Clock;
  perMinute: number;
  /** Starts every key; say what is counted (e.g. `oa:{wx…}:admin-fail`). */
  namespace: string;
  /** For the warning: what failed (e.g. "admin key"). */
  what: string;
  logger?: Logger;
}

export function createFailureLimit(options: FailureLimitOptions): FailureLimit {
  const { store, clock, perMinute, namespace, what, logger } = options;
  const keyOf = (address: string | undefined) => `${namespace}:${address ?? 'unknown'}:${Math.floor(clock.now() / WINDOW_MS)}`;
  const refuse = () => {
    const retryAfter = Math.max(1, Math.ceil((WINDOW_MS - (clock.now() % WINDOW_MS)) / 1000));
    return new AppError('rate_limited', `Too many failed attempts from this address: try again in ${retryAfter} s`, { retryAfter });
  };
  return {
    async check(address) {
      // A store that cannot answer does not lock everyone out.
      const count = Number(await store.get(keyOf(address)).catch(() => undefined) ?? 0);
      if (count >= perMinute) throw refuse();
    },
    async failed(address) {
      let count: number;
      try {
        ({ count } = await countInWindow(store, clock, `${namespace}:${address ?? 'unknown'}`));
      } catch {
        return;
      }
      if (count === perMinute) logger?.warn({ address, failures: count, what }, `${what}: too many failed attempts from one address; refusing it until the minute ends`);
    },
  };
}
