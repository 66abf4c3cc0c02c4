/**
 * The composition root: turns a Config into the services the routes use. The only
 * place that decides which implementation of each dependency is used.
 */
import type { Clock } from './clock.js';
import type { Config } from './config.js';
import type { Logger } from './log.js';
import type { Services } from './function/services.js';
import { CodeExchange } from './wechat/code-exchange.js';
import { WeChatHttp } from './wechat/http.js';
import { OAuthApi } from './wechat/oauth.js';
import { VERSION } from './version.js';
import { MemoryStore } from './store/memory.js';
import { FallbackStore } from './store/fallback.js';
import type { Store } from './store/store.js';
import type { RedisStore } from './store/redis.js';
import { CredentialManager } from './wechat/credentials.js';
import { createOAuthStateSigner } from './function/oauth-state.js';
import { createTicketSigner } from './cloudbase/custom-login.js';
import { mergeErrcodes } from './wechat/errcodes.js';
import { groups as defaultGroups } from './apis/index.js';
import type { ApiGroup } from './apis/group.js';


/** Per-caller counters kept in this process (no Redis): enough for every caller of a busy minute, bounded against forged ones. */
const MAX_COUNTERS = 50_000;

export interface ComposeOptions {
  config: Config;
  clock: Clock;
  logger: Logger;
  /** Whose errcodes join the table; src/apis/index.ts's list when absent. */
  groups?: readonly ApiGroup[];
}

export interface Composed {
  services: Services;
  /** Releases pooled connections (upstream HTTP, Redis). */
  close(): Promise<void>;
}

export async function composeServices({ config, clock, logger, groups = defaultGroups }: ComposeOptions): Promise<Composed> {
  // Throws when two groups declare one errcode differently: the start stops there.
  const errcodes = mergeErrcodes(groups.map((group) => ({ source: `the ${group.name} group`, errcodes: group.errcodes })));
  const http = new WeChatHttp({ baseUrl: config.wechatApiBaseUrl, timeoutMs: config.wechatTimeoutMs, errcodes });
  const oauth = new OAuthApi(http, { appId: config.appId, appSecret: config.appSecret });
  const { store, redis } = await createStore(config, clock, logger);
  // With Redis, a page refresh that lands on another instance is answered from the shared result.
  const codes = new CodeExchange(oauth, clock, {
    ...(config.redisUrl && { shared: { store, prefix: `oa:{${config.appId}}:code:`, logger } }),
  });
  const credentials = new CredentialManager({
    http,
    store,
    clock,
    logger,
    appId: config.appId,
    appSecret: config.appSecret,
    source: config.tokenSource,
    lockTtlMs: config.tokenLockTtlMs,
    mpBaseUrl: config.wechatMpBaseUrl,
  });
  const oauthState = createOAuthStateSigner(config.appSecret, clock);
  const tickets = config.customLoginKey && createTicketSigner(config.customLoginKey, clock);
  // Counters get a store of their own without Redis, so a flood of callers never evicts the token.
  const counters = config.redisUrl ? store : new MemoryStore(clock, { maxEntries: MAX_COUNTERS });
  // Loaded only when on: the XML parser and the crypto stay out of a start that does not use them.
  const messages = config.serverToken ? (await import('./apis/callback/setup.js')).createMessageServer(config, { store, clock, logger, redis }) : undefined;
  const services: Services = { config, clock, logger, oauth, codes, oauthState, tickets, credentials, account: credentials.account, store, counters, messages, version: VERSION };
  return {
    services,
    async close() {
      // Let a background refresh finish writing before its connections go.
      await credentials.idle();
      // Messages past their budget finish (and reach the webhook and stream) before Redis goes.
      await messages?.close();
      await http.close();
      await store.close();
      if (counters !== store) await counters.close();
    },
  };
}

/**
 * Memory for one instance; with REDIS_URL, Redis shared by all, falling back to memory while
 * Redis is unreachable. A Redis that is down at start does not stop the function.
 */
async function createStore(config: Config, clock: Clock, logger: Logger): Promise<{ store: Store; redis?: RedisStore['client'] }> {
  const memory = new MemoryStore(clock);
  if (!config.redisUrl) return { store: memory };
  // Loaded only when used: the Redis client is about a third of the deploy bundle's start-up time.
  const { RedisStore } = await import('./store/redis.js');
  const redis = new RedisStore(config.redisUrl, { cluster: config.redisCluster });
  if (!(await redis.connect(2000))) {
    logger.warn('Redis did not answer at start: serving from this instance\'s memory and reconnecting in the background');
  }
  return { store: new FallbackStore(redis, memory, logger), redis: redis.client };
}
