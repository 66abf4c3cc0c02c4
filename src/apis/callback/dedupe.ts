/**
 * Each push is handled once, however often WeChat retries it (three tries, 5 seconds apart).
 * The first delivery claims the push in the store; a retry that arrives while it is handled
 * waits for its reply (in this process by sharing the promise, on another instance by reading
 * the store until the reply is there) and answers with the same reply. With Redis behind the
 * store this holds across instances.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Store } from '../../store/store.js';

export interface DedupeOptions {
  store: Store;
  /** Namespace of the keys, with the account's hash tag: `oa:{appId}:callback:`. */
  keyPrefix: string;
  /** How long a claim lives if its holder dies mid-way, after which a retry handles the push again. */
  claimTtlMs?: number;
  /** How long a reply is kept for retries: WeChat's tries are over well within it. */
  replyTtlMs?: number;
  /** Pause between reads of the store while another instance handles the push. */
  pollMs?: number;
}

export interface Outcome {
  reply: string;
  /** True on the delivery that handled the push, false on a retry that was answered from it. */
  handled: boolean;
}

const CLAIM = 'claim:';
const DONE = 'done:';

export class Deduplicator {
  private readonly inFlight = new Map<string, Promise<string>>();
  private readonly claimTtlMs: number;
  private readonly replyTtlMs: number;
  private readonly pollMs: number;

  constructor(private readonly options: DedupeOptions) {
    this.claimTtlMs = options.claimTtlMs ?? 30_000;
    this.replyTtlMs = options.replyTtlMs ?? 10 * 60_000;
    this.pollMs = options.pollMs ?? 50;
  }

  /**
   * The push's reply: `handle()`'s when this delivery claims it, otherwise the first delivery's.
   * Resolves undefined if `until` settles while another instance still holds the claim.
   * A store that fails is no reason to lose a push: the push is then handled here.
   */
  async once(id: string, handle: () => Promise<string>, until?: Promise<unknown>): Promise<Outcome | undefined> {
    let expired = false;
    void until?.then(() => (expired = true));
    const key = this.options.keyPrefix + createHash('sha256').update(id).digest('base64url').slice(0, 32);
    for (;;) {
      const local = this.inFlight.get(key);
      if (local) return { reply: await local, handled: false };
      const claim = CLAIM + randomUUID();
      const claimed = await this.options.store.setIfAbsent(key, claim, this.claimTtlMs).catch(() => true);
      if (claimed) return { reply: await this.handleClaimed(key, claim, handle), handled: true };
      const stored = await this.options.store.get(key).catch(() => undefined);
      if (stored?.startsWith(DONE)) return { reply: stored.slice(DONE.length), handled: false };
      if (stored === undefined) continue; // the claim expired or was given up: try to claim it
      if (expired) return undefined;
      await pause(this.pollMs, until);
      if (expired) return undefined;
    }
  }

  private handleClaimed(key: string, claim: string, handle: () => Promise<string>): Promise<string> {
    const work = (async () => {
      try {
        const reply = await handle();
        await this.options.store.set(key, DONE + reply, this.replyTtlMs).catch(() => {});
        return reply;
      } catch (error) {
        // Let a retry try again rather than answer it with nothing.
        await this.options.store.deleteIf(key, claim).catch(() => {});
        throw error;
      } finally {
        this.inFlight.delete(key);
      }
    })();
    this.inFlight.set(key, work);
    return work;
  }
}

/** Waits `ms`, or less if `until` settles first. */
function pause(ms: number, until?: Promise<unknown>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const sleep = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  return Promise.race([sleep, until]).then(() => clearTimeout(timer));
}
