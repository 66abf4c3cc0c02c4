/**
 * Makes a code exchange idempotent for the code's lifetime. WeChat answers a second
 * exchange of the same code with 40163, which strands a user who refreshed the page or
 * double-tapped; here the second presentation gets the first exchange's result instead.
 * Concurrent presentations share one upstream call. Failures are not kept, so WeChat
 * stays the judge of a code that did not exchange.
 */
import { createHash } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { OAuthApi, OAuthToken } from './oauth.js';

interface Entry {
  result: Promise<OAuthToken>;
  expiresAt: number;
}

export interface CodeExchangeOptions {
  /** How long a result is replayed: a code's own life on WeChat. */
  ttlMs?: number;
  /** Upper bound on remembered codes; the oldest go first. */
  maxEntries?: number;
}

export class CodeExchange {
  private readonly entries = new Map<string, Entry>();
  private readonly ttlMs: number;
  private readonly maxEntries: number;

  constructor(
    private readonly api: Pick<OAuthApi, 'exchangeCode'>,
    private readonly clock: Clock,
    options: CodeExchangeOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? 5 * 60_000;
    this.maxEntries = options.maxEntries ?? 10_000;
  }

  get size(): number {
    return this.entries.size;
  }

  exchange(code: string): Promise<OAuthToken> {
    // Keyed by a hash so the process never holds a list of live codes.
    const key = createHash('sha256').update(code).digest('base64url');
    const now = this.clock.now();
    const existing = this.entries.get(key);
    if (existing && existing.expiresAt > now) return existing.result;

    this.prune(now);
    const result = this.api.exchangeCode(code);
    const entry: Entry = { result, expiresAt: now + this.ttlMs };
    this.entries.delete(key);
    this.entries.set(key, entry);
    result.catch(() => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
    return result;
  }

  /** Entries are kept in insertion order, so expired and surplus ones are at the front. */
  private prune(now: number): void {
    for (const [key, entry] of this.entries) {
      if (entry.expiresAt > now && this.entries.size < this.maxEntries) break;
      this.entries.delete(key);
    }
  }
}
