/**
 * Runs the function as a Node HTTP server, and stops it gracefully: on SIGTERM the
 * server stops accepting, in-flight requests finish, then pooled connections close.
 */
import type { AddressInfo } from 'node:net';
import { createServer, type ServerResponse } from 'node:http';
import type { Hono } from 'hono';
import { systemClock, type Clock } from './clock.js';
import type { Config } from './config.js';
import { composeServices, type Composed } from './compose.js';
import { createApp, type AppEnv } from './function/app.js';
import type { ApiGroup } from './apis/group.js';
import { connectionDrainer } from './drain.js';
import { createLogger, type Logger } from './log.js';
import { nodeListener } from './node-listener.js';

export interface RunningFunction {
  /** Where a client on this machine reaches it (loopback when bound to every interface). */
  url: string;
  /** What the server is bound to, as a URL: http://0.0.0.0:9000 means every interface. */
  listening: string;
  port: number;
  app: Hono<AppEnv>;
  composed: Composed;
  logger: Logger;
  close(): Promise<void>;
}

export interface StartOptions {
  config: Config;
  clock?: Clock;
  logger?: Logger;
  /** Mounts extra pages (dev run: demo, sign-in stand-in). */
  mount?: (app: Hono<AppEnv>) => void;
  /** How long a client may take to send its request headers (default 10 s). */
  headersTimeoutMs?: number;
  /** The API groups served; src/apis/index.ts's list when absent. */
  groups?: readonly ApiGroup[];
}

const envelopeError = (msg: string) => JSON.stringify({ code: -1, msg, data: null });

/** An answer in the envelope written straight to a socket, for requests that never reach the app. */
function envelopeOnSocket(status: string, msg: string): string {
  const body = envelopeError(msg);
  return (
    `HTTP/1.1 ${status}\r\ncontent-type: application/json; charset=utf-8\r\ncache-control: no-store\r\n` +
    `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`
  );
}

/** An answer in the envelope for a request the app never saw. */
function answerRaw(response: ServerResponse, status: number, msg: string): void {
  const body = envelopeError(msg);
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(body) });
  response.end(body);
}

/** What a request whose Host or target makes no URL is told (see src/node-listener.ts). */
const MALFORMED = {
  host: 'The Host header must be a host name or address, with an optional port',
  target: 'The request target is not a valid path',
} as const;

export async function startFunction(options: StartOptions): Promise<RunningFunction> {
  const { config } = options;
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? createLogger({ level: config.logLevel, secrets: [config.appSecret, config.adminApiKey, config.serverToken, config.encodingAESKey, config.messageWebhookSecret] });
  const composed = await composeServices({ config, clock, logger, groups: options.groups });
  let app: ReturnType<typeof createApp>;
  try {
    app = createApp({ services: composed.services, mount: options.mount, groups: options.groups });
  } catch (error) {
    // A setting only the routes can check (USER_ROUTES): let go of what was opened for it.
    await composed.close();
    throw error;
  }

  const drainer = connectionDrainer();
  const headersTimeout = options.headersTimeoutMs ?? 10_000;
  const server = createServer(
    {
      // Without a Host header Node would answer a bare 400 itself; the app answers in the envelope.
      requireHostHeader: false,
      ServerResponse: drainer.ServerResponse,
      // Node's defaults let a slow client hold a socket for minutes; a function answers in seconds.
      requestTimeout: 30_000,
      headersTimeout,
      keepAliveTimeout: 65_000,
      // Node checks those timeouts on this interval (30 s by default, which let slow headers run
      // to 40 s): checked every second, a slow client is cut within a second of the bound.
      connectionsCheckingInterval: Math.min(1_000, headersTimeout),
    },
    nodeListener(app.fetch, {
      hostname: config.host,
      malformed: (response, part) => answerRaw(response, 400, MALFORMED[part]),
      failed: (response, error) => {
        logger.error({ err: error }, 'unexpected error');
        answerRaw(response, 500, 'Internal error');
      },
    }),
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // Requests Node's own parser rejects never reach the app; answer them in the envelope too.
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    if (!socket.writable || error.code === 'ECONNRESET') {
      socket.destroy();
      return;
    }
    if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
      socket.end(envelopeOnSocket('408 Request Timeout', `The request did not arrive in time (headers within ${headersTimeout / 1000} s, the whole request within 30 s)`));
    } else if (error.code === 'HPE_HEADER_OVERFLOW') {
      socket.end(envelopeOnSocket('431 Request Header Fields Too Large', 'Request headers are too large'));
    } else {
      socket.end(envelopeOnSocket('400 Bad Request', 'Malformed HTTP request'));
    }
  });

  const { port, address, family } = server.address() as AddressInfo;
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}`,
    listening: `http://${family === 'IPv6' ? `[${address}]` : address}:${port}`,
    port,
    app,
    composed,
    logger,
    close() {
      closing ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          drainer.drain(server);
        });
        await composed.close();
      })();
      return closing;
    },
  };
}
