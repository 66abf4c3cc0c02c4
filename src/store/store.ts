/**
 * The small key-value interface everything shared between instances goes through:
 * the global token and ticket, their refresh locks, rate-limit counters.
 * Values are strings; every key has a time to live, measured on the injected clock
 * by the memory backend and by Redis itself in the Redis backend.
 */
export interface Store {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string, ttlMs: number): Promise<void>;
  /** Sets only when the key is absent; true when it was set. The lock primitive. */
  setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean>;
  /** Deletes only while the key still holds `expected`; true when it deleted. Safe lock release and compare-and-expire. */
  deleteIf(key: string, expected: string): Promise<boolean>;
  delete(key: string): Promise<void>;
  /**
   * Resets the key's TTL only while it still holds `expected`: a lock holder keeps its lock while
   * it works. Optional: a store without it (memory, one process) needs no extension.
   */
  extendIf?(key: string, expected: string, ttlMs: number): Promise<boolean>;
  /** Adds one and returns the new count; the TTL starts with the first increment. Rate-limit windows. */
  increment(key: string, ttlMs: number): Promise<number>;
  close(): Promise<void>;
}
