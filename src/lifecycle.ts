/**
 * Starting and stopping a running function, shared by the production entry (src/deploy.ts, the
 * deploy bundle) and the local run (src/cli.ts): the start-up failure message, the "listening"
 * line, and a graceful stop on SIGTERM/SIGINT that lets in-flight requests finish.
 */
import { BlockList, isIP } from 'node:net';
import { ConfigError, type Config } from './config.js';
import { afterLinesWritten, type Logger } from './log.js';
import type { RunningFunction } from './server.js';

/** How long in-flight requests get after SIGTERM before the process gives up on them. */
const DRAIN_MS = 10_000;

/** A start that cannot go on: one line naming the variable at fault, exit code 1. */
export function failStart(error: unknown): never {
  const reason =
    error instanceof ConfigError
      ? `configuration error (${error.variable}): ${error.message}`
      : `could not start: ${(error as Error)?.message ?? String(error)}`;
  process.stderr.write(`offiaccount-common: ${reason}\n`);
  process.exit(1);
}

/** Loopback, private, link-local and unique-local ranges: addresses no WeChat server has. */
const LOCAL_NETWORKS = new BlockList();
for (const [prefix, bits] of [['127.0.0.0', 8], ['10.0.0.0', 8], ['172.16.0.0', 12], ['192.168.0.0', 16], ['169.254.0.0', 16], ['100.64.0.0', 10], ['0.0.0.0', 8]] as const) {
  LOCAL_NETWORKS.addSubnet(prefix, bits, 'ipv4');
}
for (const [prefix, bits] of [['::1', 128], ['fc00::', 7], ['fe80::', 10]] as const) LOCAL_NETWORKS.addSubnet(prefix, bits, 'ipv6');

/** True for a host name or address that can only be this machine or a private network. */
export function isLocalHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  const family = isIP(host);
  if (family === 0) return false;
  const mapped = family === 6 && /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(host)?.[1];
  return mapped ? LOCAL_NETWORKS.check(mapped, 'ipv4') : LOCAL_NETWORKS.check(host, family === 4 ? 'ipv4' : 'ipv6');
}

/** The start-up line, and loud warnings for settings that only make sense on a laptop. */
export function announce(running: RunningFunction, config: Config): void {
  running.logger.info(
    {
      // What the server is bound to (0.0.0.0 means every interface), not a guess at a client's URL.
      url: running.listening,
      port: running.port,
      mode: config.mode,
      appId: config.appId,
      auth: config.authMode,
      tokenSource: config.tokenSource,
      redis: Boolean(config.redisUrl),
      publicRoutes: config.publicRoutes,
      userRoutes: config.userRoutes,
      cloudbaseTicket: Boolean(config.customLoginKey),
    },
    'offiaccount-common listening',
  );
  running.logger.info({ messageServer: messageServerState(config) }, `message server ${messageServerState(config)}`);
  if (config.publicRoutes.length) {
    running.logger.info(
      { publicRoutes: config.publicRoutes },
      `public routes (no Bearer token needed, limited per client address): ${config.publicRoutes.join(', ')}`,
    );
  }
  if (config.userRoutes.length) {
    running.logger.warn(
      { userRoutes: config.userRoutes },
      `admin routes open to signed-in end users (USER_ROUTES): ${config.userRoutes.join(', ')}; any signed-in user can call them for the whole account`,
    );
  }
  const upstream = new URL(config.wechatApiBaseUrl);
  if (config.production && isLocalHost(upstream.hostname)) {
    running.logger.warn(
      { WECHAT_API_BASE_URL: upstream.origin },
      'WECHAT_API_BASE_URL points at a loopback or private address, not WeChat: every sign-in and token call goes there. Unset it to use https://api.weixin.qq.com.',
    );
  }
  if (config.authMode === 'none') {
    running.logger.warn('AUTH_MODE=none: end-user routes accept callers without any credential. For local development only.');
  }
}

/** How long the last log lines get to reach stdout before the process exits anyway. */
const FLUSH_MS = 1_000;

/**
 * `close` stops accepting at once and resolves when in-flight requests are done and connections
 * closed. Nothing on the way out may wait on stdout or stderr without a bound: a reader that has
 * stopped reading (a full pipe) would otherwise hold the process past every deadline.
 */
export function stopOnSignals({ close, logger }: { close: () => Promise<void>; logger: Logger }): void {
  let stopping = false;
  const exit = (code: number) => {
    // The last lines, if stdout takes them in time; the exit does not wait for a reader that never comes.
    setTimeout(() => process.exit(code), FLUSH_MS).unref();
    afterLinesWritten(logger, () => process.exit(code));
  };
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    // The listening socket closes here, synchronously: from the next line on, new connections are refused.
    const closed = close();
    logger.info({ signal }, 'stopping: finishing in-flight requests');
    // A client that never lets go of its connection must not hold the instance forever.
    setTimeout(() => {
      logger.error(`in-flight requests still open after ${DRAIN_MS} ms; exiting`);
      process.exit(1);
    }, DRAIN_MS - FLUSH_MS).unref();
    closed.then(
      () => {
        logger.info('stopped');
        exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'error while stopping');
        exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

/** What the start log says of /callback. */
function messageServerState(config: Config): string {
  if (!config.serverToken) return 'off: /callback answers 404 (set serverToken to turn it on)';
  const modes = config.encodingAESKey ? 'plaintext, compatible and safe mode' : 'plaintext mode only (set encodingAESKey for compatible and safe mode)';
  const parts = [config.messageRules && 'rules', config.messageWebhookUrl && 'webhook', config.redisUrl && 'stream'].filter(Boolean);
  return `on at /callback: ${modes}; ${parts.length ? parts.join(', ') : 'no rules, webhook or stream: every message is acknowledged with success'}`;
}
