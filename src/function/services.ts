/**
 * Everything a route handler may use, built once at start and passed in.
 */
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import type { AccountClient } from '../wechat/account-client.js';
import type { CodeExchange } from '../wechat/code-exchange.js';
import type { CredentialManager } from '../wechat/credentials.js';
import type { OAuthApi } from '../wechat/oauth.js';
import type { Store } from '../store/store.js';
import type { OAuthStateSigner } from './oauth-state.js';
import type { TicketSigner } from '../cloudbase/custom-login.js';
import type { MessageServer } from '../apis/callback/setup.js';

export interface Services {
  config: Config;
  clock: Clock;
  logger: Logger;
  oauth: OAuthApi;
  codes: CodeExchange;
  /** Signs and checks the OAuth state handed out by /oauth/state; keyed from the AppSecret. */
  oauthState: OAuthStateSigner;
  /** Signs CloudBase custom-login tickets; present when CLOUDBASE_CUSTOM_LOGIN_KEY is set. */
  tickets?: TicketSigner;
  /** The global access_token and jsapi_ticket, shared through `store`. */
  credentials: CredentialManager;
  /** Every call with the global access_token (the API groups' routes). */
  account: AccountClient;
  /** Shared between instances when REDIS_URL is set; in-process otherwise. */
  store: Store;
  /** Rate-limit and failed-attempt counters: `store` with Redis, else a bounded one of their own. */
  counters: Store;
  /** The message server behind /callback; absent when no server token is configured. */
  messages?: MessageServer;
  version: string;
}
