/**
 * The message server as the configuration asks for it: off without a server token; the
 * webhook and the stream only when configured. What it needs from outside (store, Redis client,
 * clock, logger) is passed in.
 */
import type { Clock } from '../../clock.js';
import type { Config } from '../../config.js';
import type { Logger } from '../../log.js';
import type { Store } from '../../store/store.js';
import { createCallbackHandler, type CallbackHandler } from './handler.js';
import { defaultStreamKey, MessageStream, type StreamOptions } from './stream.js';
import { MessageWebhook } from './webhook.js';

export interface MessageServerDeps {
  store: Store;
  clock: Clock;
  logger: Logger;
  /** The Redis client when REDIS_URL is set; without it there is no stream. */
  redis?: StreamOptions['client'];
}

export interface MessageServer {
  handler: CallbackHandler;
  /** Waits for work past its budget, then releases the webhook's connections. */
  close(): Promise<void>;
}

type MessageConfig = Pick<
  Config,
  'appId' | 'serverToken' | 'encodingAESKey' | 'messageRules' | 'messageWebhookUrl' | 'messageWebhookSecret' | 'messageWebhookTimeoutMs' | 'messageStream' | 'messageStreamMaxLength'
>;

/** Undefined when `serverToken` is not set: the message server is off. */
export function createMessageServer(config: MessageConfig, deps: MessageServerDeps): MessageServer | undefined {
  if (!config.serverToken) return undefined;
  const webhook = config.messageWebhookUrl
    ? new MessageWebhook({ url: config.messageWebhookUrl, secret: config.messageWebhookSecret, timeoutMs: config.messageWebhookTimeoutMs, clock: deps.clock })
    : undefined;
  const stream = deps.redis
    ? new MessageStream({ client: deps.redis, key: config.messageStream ?? defaultStreamKey(config.appId), maxLength: config.messageStreamMaxLength })
    : undefined;
  const handler = createCallbackHandler({
    appId: config.appId,
    serverToken: config.serverToken,
    encodingAESKey: config.encodingAESKey,
    rules: config.messageRules,
    webhook,
    stream,
    store: deps.store,
    clock: deps.clock,
    logger: deps.logger,
  });
  return {
    handler,
    async close() {
      await handler.settled();
      await webhook?.close();
    },
  };
}
