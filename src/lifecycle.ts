/**
 * Starting and stopping a running function, shared by the production entry (src/deploy.ts, the
 * deploy bundle) and the local run (src/cli.ts): the start-up failure message, the "listening"
 * line, and a graceful stop on SIGTERM/SIGINT that lets in-flight requests finish.
 */
import { ConfigError, type Config } from './config.js';
import type { Logger } from './log.js';
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

/** The start-up line, and a loud warning when end-user routes accept anyone. */
export function announce(running: RunningFunction, config: Config): void {
  running.logger.info(
    {
      url: running.url,
      port: running.port,
      mode: config.mode,
      appId: config.appId,
      auth: config.authMode,
      tokenSource: config.tokenSource,
      redis: Boolean(config.redisUrl),
      publicRoutes: config.publicRoutes,
      cloudbaseTicket: Boolean(config.customLoginKey),
    },
    'offiaccount-common listening',
  );
  if (config.publicRoutes.length) {
    running.logger.info(
      { publicRoutes: config.publicRoutes },
      `public routes (no Bearer token needed, limited per client address): ${config.publicRoutes.join(', ')}`,
    );
  }
  if (config.authMode === 'none') {
    running.logger.warn('AUTH_MODE=none: end-user routes accept callers without any credential. For local development only.');
  }
}

/** `close` stops accepting at once and resolves when in-flight requests are done and connections closed. */
export function stopOnSignals({ close, logger }: { close: () => Promise<void>; logger: Logger }): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    // The listening socket closes here, synchronously: from the next line on, new connections are refused.
    const closed = close();
    logger.info({ signal }, 'stopping: finishing in-flight requests');
    // A client that never lets go of its connection must not hold the instance forever.
    setTimeout(() => {
      process.stderr.write(`offiaccount-common: in-flight requests still open after ${DRAIN_MS} ms; exiting\n`);
      process.exit(1);
    }, DRAIN_MS).unref();
    closed.then(
      () => {
        logger.info('stopped');
        logger.flush();
        process.exit(0);
      },
      (error: unknown) => {
        process.stderr.write(`offiaccount-common: error while stopping: ${(error as Error)?.message ?? String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

