/**
 * The in-process store: the default for a single instance, and the fallback when Redis
 * is unreachable. Expiry follows the injected clock. It holds at most `maxEntries` keys: past
 * that the least recently used goes, so a flood of new keys (forged callers, each a rate-limit
 * counter) cannot grow memory, while a key in steady use (a caller over its limit, the token)
 * stays. lru-cache keeps its entries in arrays allocated once, so eviction costs the same at any size.
 */
import { LRUCache } from 'lru-cache';
import type { Clock } from '../clock.js';
import type { Store } from './store.js';

export interface MemoryStoreOptions {
  /** The most keys held at once (default 100 000). */
  maxEntries?: number;
}

export class MemoryStore implements Store {
  private readonly entries: LRUCache<string, string>;

  constructor(clock: Clock, options: MemoryStoreOptions = {}) {
    this.entries = new LRUCache<string, string>({
      max: options.maxEntries ?? 100_000,
      perf: clock,
      // Read the clock on every check: tests move it by hand, and no timer is armed per key.
      ttlResolution: 0,
    });
  }

  get size(): number {
    return this.entries.size;
  }

  async get(key: string): Promise<string | undefined> {
    return this.entries.get(key);
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    this.write(key, value, ttlMs);
  }

  async setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    if (this.entries.has(key)) return false;
    this.write(key, value, ttlMs);
    return true;
  }

  async deleteIf(key: string, expected: string): Promise<boolean> {
    if (this.entries.get(key) !== expected) return false;
    this.entries.delete(key);
    return true;
  }

  async delete(key: string): Promise<void> {
    this.entries.delete(key);
  }

  async increment(key: string, ttlMs: number): Promise<number> {
    const current = this.entries.get(key);
    if (current === undefined) {
      this.write(key, '1', ttlMs);
      return 1;
    }
    const next = Number(current) + 1;
    // The window's expiry stays where the first increment put it.
    this.entries.set(key, String(next), { noUpdateTTL: true });
    return next;
  }

  async close(): Promise<void> {
    this.entries.clear();
  }

  private write(key: string, value: string, ttlMs: number): void {
    // lru-cache reads a TTL of 0 as "forever"; a key that is already due is simply not kept.
    // It counts a key stale once its age exceeds the TTL; the half millisecond makes a key
    // due at exactly `ttlMs`, as Redis has it.
    if (ttlMs <= 0) this.entries.delete(key);
    else this.entries.set(key, value, { ttl: ttlMs - 0.5 });
  }
}
