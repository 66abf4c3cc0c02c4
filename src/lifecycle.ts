/**
 * Starting and stopping a running function, shared by the production entry (src/deploy.ts, the
 * deploy bundle) and the local run (src/cli.ts): the start-up failure message, the "listening"
 * line, and a graceful stop on SIGTERM/SIGINT that lets in-flight requests finish.
 */
import { subscribe } from 'node:diagnostics_channel';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
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
    },
    'offiaccount-common listening',
  );
  if (config.authMode === 'none') {
    running.logger.warn('AUTH_MODE=none: end-user routes accept callers without any credential. For local development only.');
  }
}

interface HttpMessage {
  request: IncomingMessage;
  response: ServerResponse;
  server: Server;
}

export interface ConnectionDrainer {
  /** From now on every answer goes out with `Connection: close` and idle connections are closed. */
  drain(): void;
  /** Responses started and not yet closed, whether answered or abandoned by their caller. */
  readonly inFlight: number;
}

const SLOT = Symbol('in-flight slot');
type Tracked = ServerResponse & { [SLOT]: number };

/**
 * Closing a server lets its open keep-alive connections live on until they time out (65 s
 * here), which would hold a retiring instance long after its last answer. While draining,
 * every response (those in flight at SIGTERM and any that still arrive on an open
 * connection) goes out with `Connection: close`, and a connection that falls idle is closed
 * at once. Node publishes each request's start on a diagnostics channel, which reaches the
 * server without this entry having to own it.
 */
export function connectionDrainer(): ConnectionDrainer {
  // Responses in flight sit in reusable slots. A Set with one add and one delete per request
  // kept what it had held reachable until its table was rebuilt: under load the collector
  // promoted about a megabyte per scavenge, 5 µs of every call (bench/RESULTS.md).
  const slots: Array<ServerResponse | undefined> = [];
  const free: number[] = [];
  let inFlight = 0;
  let draining = false;
  // On 'close', which follows the answer and also comes when the caller went away first; the
  // finish message does not come then, and a slot kept for an abandoned request would leak.
  function release(this: Tracked): void {
    slots[this[SLOT]] = undefined;
    free.push(this[SLOT]);
    inFlight--;
  }
  subscribe('http.server.request.start', (message) => {
    const response = (message as HttpMessage).response as Tracked;
    const slot = free.pop() ?? slots.length;
    slots[slot] = response;
    response[SLOT] = slot;
    inFlight++;
    response.once('close', release);
    if (draining) response.shouldKeepAlive = false;
  });
  return {
    get inFlight() {
      return inFlight;
    },
    drain() {
      if (draining) return;
      draining = true;
      for (const response of slots) if (response && !response.headersSent) response.shouldKeepAlive = false;
      // The socket is detached from the response just after this message; close it once it is idle.
      subscribe('http.server.response.finish', (message) => {
        const { server } = message as HttpMessage;
        setImmediate(() => server.closeIdleConnections());
      });
    },
  };
}

/** `close` stops accepting at once and resolves when in-flight requests are done and connections closed. */
export function stopOnSignals({ close, logger, drainer }: { close: () => Promise<void>; logger: Logger; drainer: ConnectionDrainer }): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    drainer.drain();
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

