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

export interface ComposeOptions {
  config: Config;
  clock: Clock;
  logger: Logger;
}

export interface Composed {
  services: Services;
  /** Releases pooled connections (upstream HTTP, Redis). */
  close(): Promise<void>;
}

export async function composeServices({ config, clock, logger }: ComposeOptions): Promise<Composed> {
  const http = new WeChatHttp({ baseUrl: config.wechatApiBaseUrl, timeoutMs: config.wechatTimeoutMs });
  const oauth = new OAuthApi(http, { appId: config.appId, appSecret: config.appSecret });
  const codes = new CodeExchange(oauth, clock);
  const store = new MemoryStore(clock);
  const services: Services = { config, clock, logger, oauth, codes, store, version: VERSION };
  return {
    services,
    async close() {
      await http.close();
      await store.close();
    },
  };
}
