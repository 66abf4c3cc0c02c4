/**
 * The one way the function talks to WeChat: a pooled HTTP client with a deadline,
 * JSON in and out, and WeChat's `{errcode, errmsg}` turned into a typed WeChatError.
 * It never retries by itself: whether a call may be repeated is the caller's decision
 * (a code exchange must never be).
 *
 * Deadlines are whole, never per phase: a call made for one request takes that request's signal
 * (its deadline counted from arrival, or its caller leaving) and is aborted by it whether it is
 * still waiting for a pooled connection, waiting for headers or reading a body that trickles in.
 * A call without a signal (one whose result outlives any one request: the account's credentials,
 * which every waiting request shares, and a code exchange, whose result the repeated-code cache
 * keeps) has a deadline of its own, `timeoutMs` from its start.
 */
import type { Dispatcher } from 'undici';
import { Agent, request } from './undici-lean.js';
import { AppError } from '../errors.js';
import { WeChatError, type TokenScope } from './errcodes.js';

export type Query = Record<string, string | number | boolean | undefined>;

export interface WeChatHttpOptions {
  baseUrl: string;
  timeoutMs: number;
  dispatcher?: Dispatcher;
}

export interface CallOptions {
  /** The signal of the request the call is made for; never later than a fresh `timeoutMs`, so it alone bounds the call. */
  signal?: AbortSignal;
}

/** The largest upstream answer read; WeChat's JSON answers are a few KiB at most. */
const MAX_RESPONSE_BYTES = 1024 * 1024;

export class WeChatHttp {
  /** The base URL split once, so a call does not parse a URL again. */
  private readonly origin: string;
  private readonly basePath: string;
  private readonly timeoutMs: number;
  private readonly dispatcher: Dispatcher;
  private readonly ownsDispatcher: boolean;

  constructor(options: WeChatHttpOptions) {
    const base = new URL(options.baseUrl);
    this.origin = base.origin;
    this.basePath = base.pathname.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs;
    this.ownsDispatcher = !options.dispatcher;
    this.dispatcher =
      options.dispatcher ??
      new Agent({
        keepAliveTimeout: 10_000,
        connections: 128,
        // Headers and body deadlines are set per request in `send`, so they hold for a passed-in dispatcher too.
        connect: { timeout: options.timeoutMs },
      });
  }

  get<T>(path: string, query: Query, scope: TokenScope, options?: CallOptions): Promise<T> {
    return this.send<T>('GET', path, query, undefined, scope, options);
  }

  post<T>(path: string, query: Query, body: unknown, scope: TokenScope, options?: CallOptions): Promise<T> {
    return this.send<T>('POST', path, query, JSON.stringify(body), scope, options);
  }

  async close(): Promise<void> {
    if (this.ownsDispatcher) await this.dispatcher.close();
  }

  /** Every value encoded, so no value can add or override a parameter. */
  private pathWithQuery(path: string, query: Query): string {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined) params.append(key, String(value));
    }
    const search = params.toString();
    return `${this.basePath}${path}${search ? `?${search}` : ''}`;
  }

  private async send<T>(
    method: 'GET' | 'POST',
    path: string,
    query: Query,
    body: string | undefined,
    scope: TokenScope,
    options: CallOptions = {},
  ): Promise<T> {
    let signal = options.signal;
    let timer: NodeJS.Timeout | undefined;
    if (!signal) {
      const own = new AbortController();
      timer = setTimeout(() => own.abort(), this.timeoutMs);
      timer.unref();
      signal = own.signal;
    }
    let text: string;
    let statusCode: number;
    try {
      const response = await request(this.dispatcher, {
        origin: this.origin,
        path: this.pathWithQuery(path, query),
        method,
        headers: body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
        body,
        // A plain controller and timer, cleared when the call ends, rather than an
        // AbortSignal.timeout, which lives for the whole deadline and is tracked through weak
        // references (more collector time per call than the rest of a code exchange).
        signal,
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
      });
      statusCode = response.statusCode;
      text = await readLimited(response);
    } catch (error) {
      throw transportError(error, signal.aborted, this.timeoutMs, path);
    } finally {
      clearTimeout(timer);
    }

    if (statusCode < 200 || statusCode >= 300) {
      throw new AppError('upstream', `WeChat answered ${path} with HTTP ${statusCode}`);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new AppError('upstream', `WeChat answered ${path} with something that is not JSON`);
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new AppError('upstream', `WeChat answered ${path} with an unexpected JSON value`);
    }
    const { errcode, errmsg } = parsed as { errcode?: unknown; errmsg?: unknown };
    // Only a present, non-zero errcode is an error: some successes carry errcode 0, others none.
    if (typeof errcode === 'number' && errcode !== 0) {
      throw new WeChatError(errcode, typeof errmsg === 'string' ? errmsg : '', scope);
    }
    return parsed as T;
  }
}

async function readLimited({ headers, body }: Dispatcher.ResponseData): Promise<string> {
  // With a declared length (WeChat always sends one) the body is read in one step; only a
  // chunked answer is counted while it streams.
  const declared = Number(headers['content-length']);
  if (declared > MAX_RESPONSE_BYTES) {
    body.destroy();
    throw new AppError('upstream', 'WeChat answered with more data than any of its APIs sends');
  }
  if (Number.isInteger(declared)) return body.text();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > MAX_RESPONSE_BYTES) {
      body.destroy();
      throw new AppError('upstream', 'WeChat answered with more data than any of its APIs sends');
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function transportError(error: unknown, aborted: boolean, timeoutMs: number, path: string): AppError {
  if (error instanceof AppError) return error;
  const code = (error as { code?: string })?.code;
  if (aborted || code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
    return new AppError('timeout', `WeChat did not answer ${path} within ${timeoutMs} ms`, {
      hint: 'WeChat is slow or unreachable from this server; try again shortly.',
    });
  }
  // The cause's code (ECONNREFUSED, ENOTFOUND…) helps; its message may hold the URL, so it is not used.
  const cause = (error as { cause?: { code?: string } })?.cause?.code ?? code ?? 'network error';
  return new AppError('upstream', `Could not reach WeChat for ${path} (${cause})`, {
    hint: 'Check that this server can reach WECHAT_API_BASE_URL.',
  });
}

/** Bounded retries with exponential backoff, for calls WeChat may safely see twice. */
export async function withRetry<T>(
  attempt: () => Promise<T>,
  options: { attempts?: number; baseDelayMs?: number; sleep?: (ms: number) => Promise<void> } = {},
): Promise<T> {
  const attempts = options.attempts ?? 3;
  const baseDelayMs = options.baseDelayMs ?? 200;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (error) {
      if (i >= attempts || !isTransient(error)) throw error;
      await sleep(baseDelayMs * 2 ** (i - 1));
    }
  }
}

/**
 * System busy (-1) or a connection that failed: worth another try. A timeout is not: it has
 * already spent the deadline, and retrying it would push the request past the platform's own
 * function timeout. Quotas (45009) never are.
 */
export function isTransient(error: unknown): boolean {
  if (error instanceof WeChatError) return error.errcode === -1;
  return error instanceof AppError && error.kind === 'upstream' && error.details.errcode === undefined;
}
