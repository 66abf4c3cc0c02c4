/**
 * A business webhook on a loopback port, whose answer each test sets: a reply, garbage, an
 * error status, or nothing until the test releases it (a slow webhook).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  headers: IncomingMessage['headers'];
  body: string;
}

export type Answer = (response: ServerResponse, received: Received) => void;

export interface WebhookServer {
  url: string;
  received: Received[];
  answer: Answer;
  /** Resolves with the next request to arrive. */
  next(): Promise<Received>;
  close(): Promise<void>;
}

export const json = (value: unknown, status = 200): Answer => (response) => {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
};

export async function startWebhookServer(): Promise<WebhookServer> {
  const waiting: Array<(received: Received) => void> = [];
  const state: WebhookServer = {
    url: '',
    received: [],
    answer: json({}),
    next: () => new Promise((resolve) => waiting.push(resolve)),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const received = { headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      state.received.push(received);
      state.answer(res, received);
      waiting.splice(0).forEach((resolve) => resolve(received));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/wechat`;
  return state;
}
