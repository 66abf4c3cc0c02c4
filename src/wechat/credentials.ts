/**
 * The account's global access_token and jsapi_ticket, kept so that any number of instances
 * share one copy and fetch a new one only when it is needed.
 *
 * - Every credential is stored with its absolute expiry (read from the injected clock) in the
 *   Store that all instances share; a value is used only while the clock says it is valid.
 * - Refresh ahead: once a credential enters its last minutes (refreshAt), the cached one is
 *   still served and a refresh runs in the background, so no request waits for WeChat. Only a
 *   missing or expired credential is refreshed inline, and callers wait for that one fetch.
 * - One refresh at a time: per process, concurrent callers share one in-flight promise; across
 *   instances, a lock in the store (random owner, expiry, compare-and-delete release). The lock
 *   holder re-reads the store before fetching and extends the lock while it works; the others
 *   poll the store with bounded backoff and take over if the holder dies and its lock expires.
 * - A token that WeChat refuses (40001/40014/42001) is expired in the store only while it is
 *   still the stored one, then a fresh one is used for one retry. Concurrent failures therefore
 *   cause one refresh, and nobody expires a token another caller has just fetched.
 * - errcode -1 and network failures get a few retries with exponential backoff; quota (45009,
 *   45011) and configuration errors (40164, 40125) are reported at once, never retried.
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { TokenSource } from '../config.js';
import { AppError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Store } from '../store/store.js';
import { WeChatError, isTokenErrcode } from './errcodes.js';
import { withRetry, type RetryOptions, type WeChatHttp } from './http.js';
import { AccountClient, whitelistError } from './account-client.js';

/** A credential as stored: its value, when it stops working, and when to start renewing it. */
export interface Credential {
  value: string;
  /** Epoch ms (injected clock) after which WeChat no longer accepts it. */
  expiresAt: number;
  /** Epoch ms after which a request triggers a background refresh. */
  refreshAt: number;
}

export interface IssuedToken {
  access_token: string;
  /** Seconds the token has left. */
  expires_in: number;
}

export interface CredentialManagerOptions {
  http: Pick<WeChatHttp, 'get' | 'post' | 'call'>;
  store: Store;
  clock: Clock;
  logger: Logger;
  appId: string;
  appSecret: string;
  /** stable_token (default) or the classic cgi-bin/token. */
  source?: TokenSource;
  /**
   * How long a refresh lock lives if its holder dies; waiters take over after it. A live holder
   * keeps extending it (when the store can), so a slow WeChat does not let a second refresh in.
   */
  lockTtlMs?: number;
  /** How long a caller waits for another instance's refresh before giving up with a 504. */
  waitLimitMs?: number;
  /** Start renewing this long before expiry (at most half a credential's life). */
  refreshAheadMs?: number;
  /** Retries for errcode -1 and network failures (tests make them instant). */
  retry?: RetryOptions;
  /** Base URL for the account client's host "mp". */
  mpBaseUrl?: string;
  /** How a waiter pauses between polls; real time, since it waits for other processes. */
  sleep?: (ms: number) => Promise<void>;
}

/** WeChat's limits on stable_token force_refresh. */
export const FORCE_REFRESH_INTERVAL_MS = 30_000;
export const FORCE_REFRESH_PER_DAY = 20;

/** A credential with less than this left is not handed out: the caller could not use it. */
const USABLE_MARGIN_MS = 30_000;
const POLL_FIRST_MS = 10;
const POLL_MAX_MS = 200;
const DAY_MS = 86_400_000;
/** WeChat's quota days start at midnight in China (UTC+8). */
const CHINA_OFFSET_MS = 8 * 3_600_000;

interface Slot {
  /** What the logs call it. */
  name: 'access_token' | 'stable access_token' | 'jsapi_ticket';
  key: string;
  lockKey: string;
  fetch(failed: string | undefined): Promise<{ value: string; expiresIn: number }>;
}

interface RawToken {
  access_token?: unknown;
  expires_in?: unknown;
}

interface RawTicket {
  ticket?: unknown;
  expires_in?: unknown;
}

/** Keys carry the AppID in a hash tag, so every key of one account lands in one Redis Cluster slot. */
export function credentialKeys(appId: string) {
  const base = `oa:{${appId}}`;
  return {
    token: (source: TokenSource) => `${base}:token:${source}`,
    tokenLock: (source: TokenSource) => `${base}:lock:token:${source}`,
    ticket: `${base}:ticket`,
    ticketLock: `${base}:lock:ticket`,
    forceGate: `${base}:force:last`,
    forceDay: (day: number) => `${base}:force:day:${day}`,
  };
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class CredentialManager {
  readonly source: TokenSource;
  /** Every call made with the global token, this manager's own ticket fetch first. */
  readonly account: AccountClient;
  private readonly http: Pick<WeChatHttp, 'get' | 'post' | 'call'>;
  private readonly store: Store;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly appId: string;
  private readonly appSecret: string;
  private readonly lockTtlMs: number;
  private readonly waitLimitMs: number;
  private readonly refreshAheadMs: number;
  private readonly retry: CredentialManagerOptions['retry'];
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly keys: ReturnType<typeof credentialKeys>;
  private readonly token: Slot;
  private readonly stable: Slot;
  private readonly ticket: Slot;
  /** One refresh per slot per process; concurrent callers share it. */
  private readonly inflight = new Map<string, { promise: Promise<Credential>; background: boolean }>();
  private forcing: Promise<Credential> | undefined;

  constructor(options: CredentialManagerOptions) {
    this.http = options.http;
    this.store = options.store;
    this.clock = options.clock;
    this.logger = options.logger;
    this.appId = options.appId;
    this.appSecret = options.appSecret;
    this.source = options.source ?? 'stable';
    this.lockTtlMs = options.lockTtlMs ?? 10_000;
    // Long enough for a holder's worst case (for a ticket, a token fetch and a ticket fetch, each
    // at most one upstream deadline since timeouts are not retried) and for a dead holder's lock
    // to expire, yet short of CloudBase's function timeout so the caller still gets an envelope.
    this.waitLimitMs = options.waitLimitMs ?? Math.max(12_000, this.lockTtlMs + 2_000);
    // stable_token renews on WeChat's side in a token's last 5 minutes; asking inside that
    // window (with a minute to spare for clock and rounding) always gets the renewed token.
    this.refreshAheadMs = options.refreshAheadMs ?? 4 * 60_000;
    this.retry = options.retry;
    this.sleep = options.sleep ?? realSleep;
    this.keys = credentialKeys(this.appId);
    this.account = new AccountClient({ http: this.http, tokens: this, retry: this.retry, mpBaseUrl: options.mpBaseUrl });

    const stable: Slot = {
      name: this.source === 'stable' ? 'access_token' : 'stable access_token',
      key: this.keys.token('stable'),
      lockKey: this.keys.tokenLock('stable'),
      fetch: (failed) => this.fetchStable(failed),
    };
    this.stable = stable;
    this.token =
      this.source === 'stable'
        ? stable
        : { name: 'access_token', key: this.keys.token('classic'), lockKey: this.keys.tokenLock('classic'), fetch: () => this.fetchClassic() };
    this.ticket = { name: 'jsapi_ticket', key: this.keys.ticket, lockKey: this.keys.ticketLock, fetch: () => this.fetchTicket() };
  }

  /** The account's access_token from the configured source (/token/get). */
  async accessToken(): Promise<IssuedToken> {
    return this.issue(await this.current(this.token));
  }

  /**
   * A stable_token (/token/stable). With force, WeChat invalidates the current token and
   * issues a new one, at most once per 30 s and 20 times a day per account: a force inside the
   * 30 s answers the token the previous force produced, as WeChat itself does; the 21st of the
   * day is refused with a quota error.
   */
  async stableToken(options: { force?: boolean } = {}): Promise<IssuedToken> {
    if (options.force) {
      if (await this.admitForce()) {
        const forcing = this.refreshShared(this.stable, { accept: () => false, force: true });
        this.forcing = forcing;
        try {
          return this.issue(await forcing);
        } finally {
          if (this.forcing === forcing) this.forcing = undefined;
        }
      }
      // A concurrent force from this process: its result, not the token it is about to replace.
      if (this.forcing) return this.issue(await this.forcing);
    }
    return this.issue(await this.current(this.stable));
  }

  /** The jsapi_ticket for JS-SDK signatures. */
  async jsapiTicket(): Promise<string> {
    return (await this.current(this.ticket)).value;
  }

  /**
   * Runs an API call with the access_token. If WeChat says the token is invalid, expired or
   * not the latest, the stored token is expired (only if it is still the one that failed) and
   * the call is retried once with a fresh token; a second refusal is reported, never looped.
   */
  async withToken<T>(call: (accessToken: string) => Promise<T>): Promise<T> {
    const first = await this.current(this.token);
    try {
      return await call(first.value);
    } catch (error) {
      if (!(error instanceof WeChatError) || !isTokenErrcode(error.errcode)) throw error;
      this.logger.warn({ errcode: error.errcode, rid: error.rid }, 'WeChat refused the access_token; renewing it once');
      await this.invalidate(this.token, first.value);
      const next = await this.current(this.token, first.value);
      return call(next.value);
    }
  }

  /** Resolves when no refresh is running in this process (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.inflight.size > 0) {
      await Promise.allSettled([...this.inflight.values()].map((flight) => flight.promise));
    }
  }

  // ---- reading and refreshing -------------------------------------------------------------

  /** The stored credential if it can still be used (and is not `failed`), else a refresh. */
  private async current(slot: Slot, failed?: string): Promise<Credential> {
    const entry = await this.read(slot);
    if (entry && this.usable(entry) && entry.value !== failed) {
      if (this.clock.now() >= entry.refreshAt) this.refreshAhead(slot);
      return entry;
    }
    return this.refreshInline(slot, failed);
  }

  private usable(entry: Credential): boolean {
    return this.clock.now() < entry.expiresAt - USABLE_MARGIN_MS;
  }

  /**
   * Waits for a missing, expired or refused credential. Callers share one flight: a burst of
   * requests on a cold start makes one fetch, and if it fails they all get its error.
   */
  private async refreshInline(slot: Slot, failed: string | undefined): Promise<Credential> {
    const accept = (entry: Credential) => this.usable(entry) && entry.value !== failed;
    for (let joins = 0; joins < 3; joins++) {
      const existing = this.inflight.get(slot.key);
      if (!existing) break;
      // A background refresh's failure is not this caller's: it then refreshes itself.
      const result = existing.background ? await existing.promise.catch(() => undefined) : await existing.promise;
      if (result && accept(result)) return result;
    }
    return this.startFlight(slot, false, () => this.refreshShared(slot, { accept, failed }));
  }

  /** Serves the cached credential now and renews it behind the request; errors are only logged. */
  private refreshAhead(slot: Slot): void {
    if (this.inflight.has(slot.key)) return;
    const flight = this.startFlight(slot, true, () =>
      this.refreshShared(slot, {
        // Renewed by another instance meanwhile: nothing to do.
        accept: (entry) => this.clock.now() < entry.refreshAt,
        // Another instance holding the lock is renewing it already: do not queue behind it.
        wait: false,
      }),
    );
    flight.catch((error: unknown) => {
      this.logger.warn({ credential: slot.name, err: describe(error) }, 'background refresh failed; the cached credential is still valid and the next request retries');
    });
  }

  private startFlight(slot: Slot, background: boolean, run: () => Promise<Credential>): Promise<Credential> {
    const promise: Promise<Credential> = run().finally(() => {
      if (this.inflight.get(slot.key)?.promise === promise) this.inflight.delete(slot.key);
    });
    this.inflight.set(slot.key, { promise, background });
    return promise;
  }

  /**
   * One refresh across all instances. Each round: if the store already holds an acceptable
   * credential, use it; else try to take the lock, re-read the store under it (another instance
   * may have just finished) and fetch only if still needed. Without the lock, wait and poll:
   * the holder writes its result before releasing, and if it died, its lock expires and the
   * next round takes over.
   */
  private async refreshShared(
    slot: Slot,
    options: { accept: (entry: Credential) => boolean; failed?: string; force?: boolean; wait?: boolean },
  ): Promise<Credential> {
    // Waiting is measured in real time: it waits for other processes, not for a TTL.
    const deadline = performance.now() + this.waitLimitMs;
    let pause = POLL_FIRST_MS;
    for (;;) {
      const entry = await this.read(slot);
      if (entry && options.accept(entry)) return entry;
      const owner = randomUUID();
      if (await this.store.setIfAbsent(slot.lockKey, owner, this.lockTtlMs)) {
        const stopExtending = this.keepLock(slot.lockKey, owner);
        try {
          const again = await this.read(slot);
          if (again && options.accept(again)) return again;
          return await this.fetchAndStore(slot, options.failed, options.force);
        } finally {
          stopExtending();
          await this.store.deleteIf(slot.lockKey, owner).catch(() => false);
        }
      }
      if (options.wait === false && entry) return entry;
      if (performance.now() > deadline) {
        throw new AppError('timeout', `Timed out waiting for another instance to renew the ${slot.name}`, {
          hint: 'Another instance holds the refresh lock and has not finished. Check that every instance can reach WeChat and the shared Redis.',
        });
      }
      await this.sleep(pause);
      pause = Math.min(pause * 2, POLL_MAX_MS);
    }
  }

  /**
   * Extends the lock every third of its life while this holder works. If the process dies, the
   * extensions stop and the lock expires within lockTtlMs; while it lives, nobody else refreshes.
   */
  private keepLock(lockKey: string, owner: string): () => void {
    const extend = this.store.extendIf?.bind(this.store);
    if (!extend) return () => {};
    const timer = setInterval(() => {
      extend(lockKey, owner, this.lockTtlMs).catch(() => false);
    }, Math.max(50, Math.floor(this.lockTtlMs / 3)));
    timer.unref();
    return () => clearInterval(timer);
  }

  private async fetchAndStore(slot: Slot, failed: string | undefined, force = false): Promise<Credential> {
    const fetched = force ? await this.fetchStable(failed, true) : await slot.fetch(failed);
    const now = this.clock.now();
    const lifetimeMs = fetched.expiresIn * 1000;
    const credential: Credential = {
      value: fetched.value,
      expiresAt: now + lifetimeMs,
      // Renew with refreshAheadMs to spare, but never in the first half of a short-lived credential.
      refreshAt: now + Math.max(lifetimeMs - this.refreshAheadMs, lifetimeMs / 2),
    };
    await this.store.set(slot.key, JSON.stringify(credential), lifetimeMs);
    this.logger.info({ credential: slot.name, source: slot === this.ticket ? 'getticket' : slot === this.stable ? 'stable_token' : 'token', expiresIn: fetched.expiresIn, force }, 'fetched a new credential from WeChat');
    return credential;
  }

  /** Expires the stored credential, but only while it still holds the value that failed. */
  private async invalidate(slot: Slot, failed: string): Promise<void> {
    const raw = await this.store.get(slot.key);
    if (raw === undefined) return;
    const entry = parseCredential(raw);
    if (entry?.value === failed) await this.store.deleteIf(slot.key, raw);
  }

  private async read(slot: Slot): Promise<Credential | undefined> {
    const raw = await this.store.get(slot.key);
    return raw === undefined ? undefined : parseCredential(raw);
  }

  private issue(entry: Credential): IssuedToken {
    return { access_token: entry.value, expires_in: Math.max(0, Math.floor((entry.expiresAt - this.clock.now()) / 1000)) };
  }

  // ---- force_refresh limits ---------------------------------------------------------------

  /**
   * Whether a force_refresh may go to WeChat now. The gate holds the time of the last force
   * (on the injected clock), taken with set-if-absent so two instances cannot both pass; the
   * daily count is an increment per China day.
   */
  private async admitForce(): Promise<boolean> {
    const now = this.clock.now();
    const gate = this.keys.forceGate;
    let admitted = await this.store.setIfAbsent(gate, String(now), FORCE_REFRESH_INTERVAL_MS);
    if (!admitted) {
      const last = await this.store.get(gate);
      const since = last === undefined ? Infinity : now - Number(last);
      if (!(since < FORCE_REFRESH_INTERVAL_MS)) {
        if (last === undefined || (await this.store.deleteIf(gate, last))) {
          admitted = await this.store.setIfAbsent(gate, String(now), FORCE_REFRESH_INTERVAL_MS);
        }
      }
    }
    if (!admitted) return false;

    const day = Math.floor((now + CHINA_OFFSET_MS) / DAY_MS);
    const count = await this.store.increment(this.keys.forceDay(day), DAY_MS + 3_600_000);
    if (count > FORCE_REFRESH_PER_DAY) {
      const nextDay = (day + 1) * DAY_MS - CHINA_OFFSET_MS;
      throw new AppError('quota', `force_refresh is limited to ${FORCE_REFRESH_PER_DAY} a day per account, and today's are used`, {
        hint: 'The current token stays valid; call /token/stable without force_refresh. The count resets at midnight China time (UTC+8).',
        retryAfter: Math.max(1, Math.ceil((nextDay - now) / 1000)),
      });
    }
    return true;
  }

  // ---- WeChat calls -----------------------------------------------------------------------

  private async fetchStable(failed: string | undefined, force = false): Promise<{ value: string; expiresIn: number }> {
    let result = await this.callStable(force);
    // Normal mode answers the current token while WeChat thinks it valid. If that is the very
    // token WeChat just refused, only a force can replace it, and only within WeChat's limits.
    if (!force && failed !== undefined && result.value === failed) {
      if (!(await this.admitForce())) {
        throw new AppError('token', 'WeChat refused the access_token and stable_token keeps returning it', {
          hint: 'A force refresh happened in the last 30 seconds; try again shortly.',
        });
      }
      result = await this.callStable(true);
    }
    return result;
  }

  private async callStable(force: boolean): Promise<{ value: string; expiresIn: number }> {
    const body: Record<string, unknown> = { grant_type: 'client_credential', appid: this.appId, secret: this.appSecret };
    if (force) body.force_refresh = true;
    const raw = await this.upstream(() => this.http.post<RawToken>('/cgi-bin/stable_token', {}, body, 'global'));
    return tokenFrom(raw, '/cgi-bin/stable_token');
  }

  /**
   * cgi-bin/clear_quota/v2: resets the day's counts with the AppSecret instead of a token, for
   * the day the token fetches ran out. The secret goes in the query as WeChat's own example
   * sends it; WeChatHttp never logs or reports a URL.
   */
  clearQuotaWithSecret(signal?: AbortSignal): Promise<{ errcode: number; errmsg: string }> {
    return this.http.post('/cgi-bin/clear_quota/v2', { appid: this.appId, appsecret: this.appSecret }, {}, 'none', { signal });
  }

  private async fetchClassic(): Promise<{ value: string; expiresIn: number }> {
    const raw = await this.upstream(() =>
      this.http.get<RawToken>('/cgi-bin/token', { grant_type: 'client_credential', appid: this.appId, secret: this.appSecret }, 'global'),
    );
    return tokenFrom(raw, '/cgi-bin/token');
  }

  private async fetchTicket(): Promise<{ value: string; expiresIn: number }> {
    const raw = await this.account.get<RawTicket>('/cgi-bin/ticket/getticket', { query: { type: 'jsapi' } });
    if (typeof raw.ticket !== 'string' || raw.ticket === '') {
      throw new AppError('upstream', 'WeChat answered /cgi-bin/ticket/getticket without a ticket');
    }
    return { value: raw.ticket, expiresIn: lifetime(raw.expires_in) };
  }

  /** Bounded retries for transient failures; 40164 gets a hint naming the IP WeChat saw. */
  private async upstream<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await withRetry(call, this.retry);
    } catch (error) {
      if (error instanceof WeChatError && error.errcode === 40164) throw whitelistError(error);
      throw error;
    }
  }
}

function tokenFrom(raw: RawToken, path: string): { value: string; expiresIn: number } {
  if (typeof raw.access_token !== 'string' || raw.access_token === '') {
    throw new AppError('upstream', `WeChat answered ${path} without an access_token`);
  }
  return { value: raw.access_token, expiresIn: lifetime(raw.expires_in) };
}

/** WeChat's expires_in in seconds; a missing or silly value is read as the documented 7200. */
function lifetime(value: unknown): number {
  const seconds = Number(value);
  return Number.isFinite(seconds) && seconds > 0 && seconds <= 86_400 ? seconds : 7200;
}

function parseCredential(raw: string): Credential | undefined {
  try {
    const parsed = JSON.parse(raw) as Partial<Credential>;
    if (typeof parsed.value === 'string' && typeof parsed.expiresAt === 'number' && typeof parsed.refreshAt === 'number') {
      return { value: parsed.value, expiresAt: parsed.expiresAt, refreshAt: parsed.refreshAt };
    }
  } catch {
    // Unreadable: treated as absent, so it is replaced by the next refresh.
  }
  return undefined;
}

function describe(error: unknown): { type?: string; message: string; errcode?: number } {
  if (error instanceof AppError) return { type: error.kind, message: error.message, errcode: error.details.errcode };
  return { type: (error as Error)?.name, message: String((error as Error)?.message ?? error) };
}
