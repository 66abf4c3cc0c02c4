/**
 * Redis when it answers, this instance's memory when it does not. The cache being down
 * must never fail a request: every operation that Redis refuses is served from a
 * MemoryStore instead, a warning is logged once per outage, and Redis is tried again as
 * soon as it is back.
 *
 * While Redis answers, values read from or written to it are also kept in memory with the
 * same remaining lifetime, so an outage starts with the token and ticket this instance last
 * saw instead of a fetch from WeChat. Locks and counters are not copied: during an outage
 * each instance coordinates only with itself.
 */
import type { Logger } from '../log.js';
import type { MemoryStore } from './memory.js';
import type { Store } from './store.js';

/** A primary that can tell how long a value has left (RedisStore can). */
export interface PrimaryStore extends Store {
  getWithTtl?(key: string): Promise<{ value: string; ttlMs: number } | undefined>;
}

export interface FallbackStoreOptions {
  /**
   * After a failure, how long to serve from memory before asking Redis again. It bounds what
   * an unreachable (rather than refusing) Redis costs: one command deadline per interval,
   * not one per request. Measured on the process's monotonic time: it is about the network,
   * not the lifetime of any value.
   */
  retryIntervalMs?: number;
  now?: () => number;
}

export class FallbackStore implements Store {
  private degraded = false;
  private retryAt = 0;
  private readonly retryIntervalMs: number;
  private readonly now: () => number;

  constructor(
    private readonly primary: PrimaryStore,
    private readonly memory: MemoryStore,
    private readonly logger: Logger,
    options: FallbackStoreOptions = {},
  ) {
    this.retryIntervalMs = options.retryIntervalMs ?? 250;
    this.now = options.now ?? (() => performance.now());
  }

  /** True while requests are being served from memory. */
  get usingMemory(): boolean {
    return this.degraded;
  }

  async get(key: string): Promise<string | undefined> {
    return this.attempt(
      async () => {
        if (!this.primary.getWithTtl) return this.primary.get(key);
        const found = await this.primary.getWithTtl(key);
        if (!found) return undefined;
        if (found.ttlMs > 0) await this.memory.set(key, found.value, found.ttlMs);
        return found.value;
      },
      () => this.memory.get(key),
    );
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    await this.memory.set(key, value, ttlMs);
    await this.attempt(
      () => this.primary.set(key, value, ttlMs),
      async () => {},
    );
  }

  setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    return this.attempt(
      () => this.primary.setIfAbsent(key, value, ttlMs),
      () => this.memory.setIfAbsent(key, value, ttlMs),
    );
  }

  async deleteIf(key: string, expected: string): Promise<boolean> {
    // Both sides: a lock taken in memory during an outage is released there, and a stale
    // copy of a token that failed must not survive in memory for the next outage.
    const inMemory = await this.memory.deleteIf(key, expected);
    return this.attempt(
      () => this.primary.deleteIf(key, expected),
      async () => inMemory,
    );
  }

  async delete(key: string): Promise<void> {
    await this.memory.delete(key);
    await this.attempt(
      () => this.primary.delete(key),
      async () => {},
    );
  }

  /** Extends a lock only while it is still held by `expected`, where it was taken. */
  extendIf(key: string, expected: string, ttlMs: number): Promise<boolean> {
    const inMemory = async () => {
      // In memory only this process contends, and a refresh is single-flight per process.
      if ((await this.memory.get(key)) !== expected) return false;
      await this.memory.set(key, expected, ttlMs);
      return true;
    };
    const primary = this.primary.extendIf?.bind(this.primary);
    return this.attempt(async () => {
      if (!primary) return false;
      // A lock taken in memory during an outage is not in Redis; keep extending it there.
      return (await primary(key, expected, ttlMs)) || inMemory();
    }, inMemory);
  }

  increment(key: string, ttlMs: number): Promise<number> {
    return this.attempt(
      () => this.primary.increment(key, ttlMs),
      () => this.memory.increment(key, ttlMs),
    );
  }

  async close(): Promise<void> {
    await this.primary.close();
    await this.memory.close();
  }

  private async attempt<T>(onPrimary: () => Promise<T>, onMemory: () => Promise<T>): Promise<T> {
    if (this.degraded && this.now() < this.retryAt) return onMemory();
    let result: T;
    try {
      result = await onPrimary();
    } catch (error) {
      this.retryAt = this.now() + this.retryIntervalMs;
      if (!this.degraded) {
        this.degraded = true;
        this.logger.warn(
          { reason: redisMessage(error) },
          'Redis is unreachable: serving the token and ticket from this instance’s memory until it is back',
        );
      }
      return onMemory();
    }
    if (this.degraded) {
      this.degraded = false;
      this.logger.info('Redis is reachable again: back to the shared store');
    }
    return result;
  }
}

/** ioredis messages can quote a command's arguments; keep only the first line's gist, without values. */
function redisMessage(error: unknown): string {
  const message = String((error as Error)?.message ?? error);
  return message.split('\n')[0].slice(0, 200).replace(/redis:\/\/\S+/g, 'redis://…');
}
