/**
 * The Store on Redis, shared by every instance of the function. Each operation touches
 * one key, so with keys that carry a hash tag (`oa:{appId}:token`) it works through a cluster
 * proxy (one address in front of a Redis Cluster), which routes by key. The client fails fast: no offline queue, a short command deadline, no
 * replays after a reconnect. A Redis that is down must cost a request a few milliseconds,
 * never hang it; FallbackStore decides what to do instead.
 */
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import type { Store } from './store.js';

// Compare-and-delete in one step: a plain GET then DEL could delete a value another
// instance wrote in between (a lock it now holds, a token it just fetched).
const DELETE_IF = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

// INCR and the first PEXPIRE together, so a crash between them cannot leave a counter without a TTL.
const INCREMENT = `local n = redis.call('INCR', KEYS[1]) if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end return n`;

// A lock's holder extends it while it works, and only while the lock is still its own.
const EXTEND_IF = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;

// The value with its remaining lifetime, so a fallback can keep a copy that expires when this one does.
const GET_WITH_TTL = `local v = redis.call('GET', KEYS[1]) if not v then return nil end return {v, redis.call('PTTL', KEYS[1])}`;

export interface RedisStoreOptions {
  /** Deadline for one command; a slower Redis counts as down for that call. */
  commandTimeoutMs?: number;
  connectTimeoutMs?: number;
  /** Longest pause between reconnect attempts, so recovery after a restart is quick. */
  maxReconnectDelayMs?: number;
  /** Prepended to every key (tests use a random one so runs never collide). */
  keyPrefix?: string;
  /**
   * Speak the Cluster protocol: the URL names one node, the client discovers the rest and
   * follows MOVED/ASK redirects. Not needed behind a cluster proxy, which takes one address.
   */
  cluster?: boolean;
}

type Scripted = (Redis | Cluster) & {
  oaDeleteIf(key: string, expected: string): Promise<number>;
  oaIncrement(key: string, ttlMs: number): Promise<number>;
  oaGetWithTtl(key: string): Promise<[string, number] | null>;
  oaExtendIf(key: string, expected: string, ttlMs: number): Promise<number>;
};

export class RedisStore implements Store {
  readonly client: Scripted;
  private closed = false;

  constructor(url: string, options: RedisStoreOptions = {}) {
    const redisOptions: RedisOptions = {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: options.commandTimeoutMs ?? 500,
      connectTimeout: options.connectTimeoutMs ?? 2000,
      keyPrefix: options.keyPrefix,
      // Keep trying for as long as the process lives; requests are served from memory meanwhile.
      retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 10), options.maxReconnectDelayMs ?? 1000),
      // A READONLY error means a failover made this node a replica: reconnect to find the primary.
      reconnectOnError: (error) => error.message.startsWith('READONLY'),
    };
    const client = (options.cluster ? clusterClient(url, redisOptions, options) : new Redis(url, redisOptions)) as Scripted;
    client.defineCommand('oaDeleteIf', { numberOfKeys: 1, lua: DELETE_IF });
    client.defineCommand('oaIncrement', { numberOfKeys: 1, lua: INCREMENT });
    client.defineCommand('oaGetWithTtl', { numberOfKeys: 1, lua: GET_WITH_TTL });
    client.defineCommand('oaExtendIf', { numberOfKeys: 1, lua: EXTEND_IF });
    // Connection errors surface as rejected commands, which FallbackStore reports once;
    // without a listener each reconnect attempt would be an unhandled 'error' event.
    client.on('error', () => {});
    this.client = client;
  }

  /**
   * Connects, waiting at most `timeoutMs`. Resolves false instead of throwing: a Redis that
   * is down at start must not stop the function, which then serves from memory and keeps
   * reconnecting in the background.
   */
  async connect(timeoutMs = 2000): Promise<boolean> {
    if (this.client.status === 'ready') return true;
    const ready = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => done(false), timeoutMs);
      const done = (value: boolean) => {
        clearTimeout(timer);
        this.client.off('ready', onReady);
        resolve(value);
      };
      const onReady = () => done(true);
      this.client.once('ready', onReady);
    });
    if (this.client.status === 'wait') this.client.connect().catch(() => {});
    return ready;
  }

  get ready(): boolean {
    return this.client.status === 'ready';
  }

  async get(key: string): Promise<string | undefined> {
    return (await this.client.get(key)) ?? undefined;
  }

  async getWithTtl(key: string): Promise<{ value: string; ttlMs: number } | undefined> {
    const reply = await this.client.oaGetWithTtl(key);
    if (!reply) return undefined;
    return { value: reply[0], ttlMs: Number(reply[1]) };
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    await this.client.set(key, value, 'PX', positive(ttlMs));
  }

  async setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    return (await this.client.set(key, value, 'PX', positive(ttlMs), 'NX')) === 'OK';
  }

  async deleteIf(key: string, expected: string): Promise<boolean> {
    return (await this.client.oaDeleteIf(key, expected)) === 1;
  }

  /** Resets the key's TTL only while it still holds `expected`; true when it did. */
  async extendIf(key: string, expected: string, ttlMs: number): Promise<boolean> {
    return (await this.client.oaExtendIf(key, expected, positive(ttlMs))) === 1;
  }

  async delete(key: string): Promise<void> {
    await this.client.del(key);
  }

  async increment(key: string, ttlMs: number): Promise<number> {
    return Number(await this.client.oaIncrement(key, positive(ttlMs)));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.client.status === 'ready') {
      await this.client.quit().catch(() => this.client.disconnect());
    } else {
      this.client.disconnect();
    }
  }
}

/** A Cluster client seeded with the URL's node, carrying its credentials and TLS to every node. */
function clusterClient(url: string, redisOptions: RedisOptions, options: RedisStoreOptions): Cluster {
  const parsed = new URL(url);
  // Reconnects and the offline queue are the cluster's to manage, not each node's.
  const { keyPrefix, retryStrategy: _perNodeRetry, enableOfflineQueue: _perNodeQueue, ...perNode } = redisOptions;
  return new Cluster([{ host: parsed.hostname, port: Number(parsed.port || 6379) }], {
    lazyConnect: true,
    enableOfflineQueue: false,
    keyPrefix,
    clusterRetryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 10), options.maxReconnectDelayMs ?? 1000),
    redisOptions: {
      ...perNode,
      username: decodeURIComponent(parsed.username) || undefined,
      password: decodeURIComponent(parsed.password) || undefined,
      ...(parsed.protocol === 'rediss:' && { tls: {} }),
    },
  });
}

/** Redis refuses a PX of zero or less; a value already expired is kept for a millisecond. */
function positive(ttlMs: number): number {
  return Math.max(1, Math.ceil(ttlMs));
}
