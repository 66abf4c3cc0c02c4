/**
 * Makes a code exchange idempotent for the code's lifetime. WeChat answers a second
 * exchange of the same code with 40163, which strands a user who refreshed the page or
 * double-tapped; here the same caller presenting the same code again gets the first
 * exchange's result instead. Concurrent presentations share one upstream call. Failures are
 * not kept, so WeChat stays the judge of a code that did not exchange.
 *
 * Results are keyed by the caller as well as the code: someone else who got hold of a used
 * code (a Referer, a proxy log) is sent to WeChat, which answers 40163, instead of being handed
 * the first user's tokens. With a shared store (Redis) a refresh that lands on another instance
 * is answered too; there the result is encrypted with a key derived from the code, so the store
 * never holds a user's tokens readable without the code itself.
 */
import crypto, { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { Clock } from '../clock.js';
import type { Logger } from '../log.js';
import type { Store } from '../store/store.js';
import type { OAuthApi, OAuthToken } from './oauth.js';

export interface CodeExchangeOptions {
  /** How long a result is replayed: a code's own life on WeChat. */
  ttlMs?: number;
  /** Upper bound on codes remembered in this process; the least recently presented go first. */
  maxEntries?: number;
  /** Shared between instances, with the key prefix of this account (e.g. `oa:{wx…}:code:`). */
  shared?: { store: Store; prefix: string; logger?: Logger };
}

/**
 * SHA-256 of the parts. Node's one-shot `crypto.hash` (20.12 and later) is about four times
 * cheaper than a Hash object, and every code exchange computes one; older 20.x use the object.
 */
const sha256: (text: string) => Buffer =
  typeof crypto.hash === 'function' ? (text) => crypto.hash('sha256', text, 'buffer') : (text) => createHash('sha256').update(text).digest();
const digest = (...parts: string[]) => sha256(parts.join('\n'));

export class CodeExchange {
  /**
   * lru-cache keeps its entries in arrays allocated once, so forgetting the oldest costs the
   * same at any size. (A Map trimmed from its front had to step over every deleted slot on each
   * trim: 4 µs a call at 10 000 entries, more than the hashing and the lookup together.)
   */
  private readonly results: LRUCache<string, Promise<OAuthToken>>;
  private readonly ttlMs: number;

  constructor(
    private readonly api: Pick<OAuthApi, 'exchangeCode'>,
    clock: Clock,
    private readonly options: CodeExchangeOptions = {},
  ) {
    this.ttlMs = wholeAtLeastOne('ttlMs', options.ttlMs ?? 5 * 60_000);
    this.results = new LRUCache({
      max: wholeAtLeastOne('maxEntries', options.maxEntries ?? 10_000),
      // From the first exchange, as WeChat counts a code's life; a repeat does not extend it,
      // and one presented exactly ttlMs later is still replayed. lru-cache takes a start time
      // of 0 for "no TTL": harmless with epoch-millisecond clocks, which the Clock is.
      ttl: this.ttlMs,
      perf: clock,
      // Read the clock on every check: lru-cache would otherwise reuse a reading for a
      // millisecond, arming a timer per call to forget it, and tests move the clock by hand.
      ttlResolution: 0,
    });
  }

  get size(): number {
    return this.results.size;
  }

  /**
   * `callerId`: who presents the code (the caller's whole identity). A caller without one is
   * sent straight to WeChat: with nothing to tell such callers apart, a replay could hand one
   * caller another's tokens.
   */
  exchange(code: string, callerId: string | undefined): Promise<OAuthToken> {
    if (!callerId) return this.api.exchangeCode(code);
    // Keyed by a hash so neither this process nor the store holds a list of live codes.
    const key = digest('key', callerId, code).toString('base64url');
    const existing = this.results.get(key);
    if (existing) return existing;

    const result = this.fromSharedOrWeChat(key, code);
    this.results.set(key, result);
    result.catch(() => {
      if (this.results.peek(key) === result) this.results.delete(key);
    });
    return result;
  }

  private async fromSharedOrWeChat(key: string, code: string): Promise<OAuthToken> {
    const shared = this.options.shared;
    if (shared) {
      const stored = await shared.store.get(shared.prefix + key).catch(() => undefined);
      const replay = stored && open(stored, code);
      if (replay) return replay;
    }
    const result = await this.api.exchangeCode(code);
    if (shared) {
      // A store that is down costs only the cross-instance replay, never the answer.
      await shared.store.set(shared.prefix + key, seal(result, code), this.ttlMs).catch((error: Error) => {
        shared.logger?.warn({ err: { message: error.message } }, 'could not share a code exchange result');
      });
    }
    return result;
  }
}

/** lru-cache would take 0 as "unbounded" and throw its own words at a fraction. */
function wholeAtLeastOne(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`CodeExchange ${name} must be a whole number of at least 1; got ${value}`);
  return value;
}

/** AES-256-GCM under a key only the holder of the code can derive. */
function seal(result: OAuthToken, code: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', digest('seal', code), iv);
  const body = Buffer.concat([cipher.update(JSON.stringify(result), 'utf8'), cipher.final()]);
  return [iv, cipher.getAuthTag(), body].map((part) => part.toString('base64url')).join('.');
}

function open(sealed: string, code: string): OAuthToken | undefined {
  try {
    const [iv, tag, body] = sealed.split('.').map((part) => Buffer.from(part, 'base64url'));
    const decipher = createDecipheriv('aes-256-gcm', digest('seal', code), iv);
    decipher.setAuthTag(tag);
    return JSON.parse(Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8')) as OAuthToken;
  } catch {
    // Tampered or from another version: exchange afresh.
    return undefined;
  }
}
