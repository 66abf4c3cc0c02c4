/**
 * The business's webhook (MESSAGE_WEBHOOK_URL): every accepted push is POSTed to it as
 * `{message, xml}`, signed with HMAC-SHA256 over the timestamp and the body, within a deadline.
 * It may answer `{"reply": R}`. Nothing it does (slowness, refusal, garbage) is allowed to throw:
 * the caller gets an outcome to log and, at most, a reply to use.
 */
import { createHmac } from 'node:crypto';
import type { Dispatcher } from 'undici';
import * as v from 'valibot';
import { seconds, type Clock } from '../../clock.js';
import { Agent, request } from '../../wechat/undici-lean.js';
import type { InboundMessage } from './messages.js';
import { ReplySchema, type Reply } from './replies.js';

export const TIMESTAMP_HEADER = 'x-offiaccount-timestamp';
export const SIGNATURE_HEADER = 'x-offiaccount-signature';

/** `sha256=` and the hex HMAC-SHA256 of `<timestamp>.<body>` under the secret. */
export function webhookSignature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export type WebhookOutcome =
  | { ok: true; reply?: Reply }
  | { ok: false; reason: 'timeout' | 'unreachable' | 'status' | 'invalid_reply'; status?: number };

export interface WebhookOptions {
  url: string;
  secret?: string;
  /** The whole call, connection to last byte; within the message's 4.5-second budget. */
  timeoutMs?: number;
  clock: Clock;
  dispatcher?: Dispatcher;
}

/** An answer beyond this is not a reply anyone meant. */
const MAX_ANSWER_BYTES = 64 * 1024;

export class MessageWebhook {
  private readonly origin: string;
  private readonly path: string;
  private readonly timeoutMs: number;
  private readonly dispatcher: Dispatcher;

  constructor(private readonly options: WebhookOptions) {
    const url = new URL(options.url);
    this.origin = url.origin;
    this.path = `${url.pathname}${url.search}`;
    this.timeoutMs = options.timeoutMs ?? 3000;
    this.dispatcher = options.dispatcher ?? new Agent({ connections: 32, keepAliveTimeout: 30_000 });
  }

  async deliver(message: InboundMessage, xml: string, requestId?: string): Promise<WebhookOutcome> {
    const body = JSON.stringify({ message, xml });
    const timestamp = String(seconds(this.options.clock));
    const headers: Record<string, string> = { 'content-type': 'application/json', [TIMESTAMP_HEADER]: timestamp };
    if (this.options.secret) headers[SIGNATURE_HEADER] = webhookSignature(this.options.secret, timestamp, body);
    if (requestId) headers['x-request-id'] = requestId;

    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), this.timeoutMs);
    try {
      const response = await request(this.dispatcher, { origin: this.origin, path: this.path, method: 'POST', headers, body, signal: abort.signal });
      const text = await readBounded(response.body);
      if (response.statusCode < 200 || response.statusCode > 299) return { ok: false, reason: 'status', status: response.statusCode };
      return answer(text);
    } catch {
      return { ok: false, reason: abort.signal.aborted ? 'timeout' : 'unreachable' };
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    if (!this.options.dispatcher) await this.dispatcher.close();
  }
}

/** Empty or a JSON object without `reply`: no reply. `{reply: R}` with a valid R: that reply. */
function answer(text: string | undefined): WebhookOutcome {
  if (text === undefined) return { ok: false, reason: 'invalid_reply' };
  if (text.trim() === '') return { ok: true };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'invalid_reply' };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { ok: false, reason: 'invalid_reply' };
  const { reply } = parsed as { reply?: unknown };
  if (reply === undefined || reply === null) return { ok: true };
  const result = v.safeParse(ReplySchema, reply);
  return result.success ? { ok: true, reply: result.output } : { ok: false, reason: 'invalid_reply' };
}

async function readBounded(body: Dispatcher.ResponseData['body']): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += (chunk as Buffer).length;
    if (size > MAX_ANSWER_BYTES) {
      body.destroy();
      return undefined;
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
