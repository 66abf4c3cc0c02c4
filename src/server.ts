/**
 * Runs the function as a Node HTTP server, and stops it gracefully: on SIGTERM the
 * server stops accepting, in-flight requests finish, then pooled connections close.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import type { Hono } from 'hono';
import { systemClock, type Clock } from './clock.js';
import type { Config } from './config.js';
import { composeServices, type Composed } from './compose.js';
import { createApp, type AppEnv } from './function/app.js';
import { connectionDrainer } from './drain.js';
import { createLogger, type Logger } from './log.js';

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
}

export async function startFunction(options: StartOptions): Promise<RunningFunction> {
  const { config } = options;
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? createLogger({ level: config.logLevel, secrets: [config.appSecret, config.adminApiKey, config.serverToken, config.encodingAESKey, config.messageWebhookSecret] });
  const composed = await composeServices({ config, clock, logger });
  const app = createApp({ services: composed.services, mount: options.mount });

  const drainer = connectionDrainer();
  const server = await new Promise<Server>((resolve, reject) => {
    const s = serve(
      {
        fetch: app.fetch,
        port: config.port,
        hostname: config.host,
        // Without a Host header Node would answer a bare 400 itself; the app answers in the envelope.
        serverOptions: { requireHostHeader: false, ServerResponse: drainer.ServerResponse },
      },
      () => resolve(s as Server));
    (s as Server).once('error', reject);
  });
  // Node's defaults let a slow client hold a socket for minutes; a function answers in seconds.
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  server.keepAliveTimeout = 65_000;
  // Requests Node's own parser rejects never reach the app; answer them in the envelope too.
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    if (!socket.writable || error.code === 'ECONNRESET') {
      socket.destroy();
      return;
    }
    const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
    const body = JSON.stringify({ code: -1, msg: tooLarge ? 'Request headers are too large' : 'Malformed HTTP request', data: null });
    socket.end(
      `HTTP/1.1 ${tooLarge ? '431 Request Header Fields Too Large' : '400 Bad Request'}\r\n` +
        `content-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
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
