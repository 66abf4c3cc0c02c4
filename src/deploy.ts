/**
 * The production entry, and the only entry of the deploy bundle (deploy/index.mjs).
 * Configuration comes from the environment alone: there is no emulator fallback, so a
 * function deployed without its credentials stops at once with the variable's name
 * instead of serving something else. Nothing from src/emulator or src/dev is imported,
 * so neither ends up in the bundle.
 */
import { subscribe } from 'node:diagnostics_channel';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { ConfigError, loadConfig } from './config.js';
import { startFunction, type RunningFunction } from './server.js';

/** How long in-flight requests get after SIGTERM before the process gives up on them. */
const DRAIN_MS = 10_000;

function fail(error: unknown): never {
  const reason =
    error instanceof ConfigError
      ? `configuration error (${error.variable}): ${error.message}`
      : `could not start: ${(error as Error)?.message ?? String(error)}`;
  process.stderr.write(`offiaccount-common: ${reason}\n`);
  process.exit(1);
}

interface HttpMessage {
  request: IncomingMessage;
  response: ServerResponse;
  server: Server;
}

/**
 * Closing a server lets its open keep-alive connections live on until they time out (65 s
 * here), which would hold a retiring instance long after its last answer. While draining,
 * every response (those in flight at SIGTERM and any that still arrive on an open
 * connection) goes out with `Connection: close`, and a connection that falls idle is closed
 * at once. Node publishes each request's start and finish on diagnostics channels, which
 * reach the server without this entry having to own it.
 */
function connectionDrainer(): () => void {
  const inFlight = new Set<ServerResponse>();
  let draining = false;
  subscribe('http.server.request.start', (message) => {
    const { response } = message as HttpMessage;
    inFlight.add(response);
    if (draining) response.shouldKeepAlive = false;
  });
  subscribe('http.server.response.finish', (message) => {
    const { response, server } = message as HttpMessage;
    inFlight.delete(response);
    // The socket is detached from the response just after this message; close it once it is idle.
    if (draining) setImmediate(() => server.closeIdleConnections());
  });
  return () => {
    draining = true;
    for (const response of inFlight) if (!response.headersSent) response.shouldKeepAlive = false;
  };
}

function stopOnSignals(running: RunningFunction, drain: () => void): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    drain();
    // The listening socket closes here, synchronously: from the next line on, new connections are refused.
    const closed = running.close();
    running.logger.info({ signal }, 'stopping: finishing in-flight requests');
    // A client that never lets go of its connection must not hold the instance forever.
    setTimeout(() => {
      process.stderr.write(`offiaccount-common: in-flight requests still open after ${DRAIN_MS} ms; exiting\n`);
      process.exit(1);
    }, DRAIN_MS).unref();
    closed.then(
      () => {
        running.logger.info('stopped');
        running.logger.flush();
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

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const drain = connectionDrainer();
  const running = await startFunction({ config });
  stopOnSignals(running, drain);
  running.logger.info(
    {
      url: running.url,
      port: running.port,
      mode: config.mode,
      appId: config.appId,
      auth: config.authMode,
      tokenSource: config.tokenSource,
      redis: Boolean(config.redisUrl),
    },
    'offiaccount-common listening',
  );
  if (config.authMode === 'none') {
    running.logger.warn('AUTH_MODE=none: end-user routes accept callers without any credential. For local development only.');
  }
}

main().catch(fail);
