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
import { AppError } from '../errors.js';
import { CORE_ERRCODES, WeChatError, type ErrcodeTable, type TokenScope } from './errcodes.js';

export type Query = Record<string, string | number | boolean | undefined>;

export interface WeChatHttpOptions {
  baseUrl: string;
  timeoutMs: number;
  dispatcher?: Dispatcher;
  /** What each errcode means; the core table when not given (the function passes every group's). */
  errcodes?: ErrcodeTable;
}

/** One call as the account client and the credential manager describe it. */
export interface WeChatRequest extends CallOptions {
  method: 'GET' | 'POST';
  path: string;
  query?: Query;
  /** Sent as JSON. */
  json?: unknown;
  /** Sent as it is (a multipart form, for one). */
  raw?: { bytes: Uint8Array; contentType: string };
  scope: TokenScope;
  /** Another WeChat host (some answers point at mp.weixin.qq.com); the API base when absent. */
  baseUrl?: string;
  /** binary: an answer that is not JSON is returned as bytes with its content type. */
  accept?: 'json' | 'binary';
}

/** A body WeChat sent that is not JSON (a media file, a QR code image). */
export interface BinaryBody {
  bytes: Buffer;
  contentType: string;
}

export interface CallOptions {
  /** The signal of the request the call is made for; never later than a fresh `timeoutMs`, so it alone bounds the call. */
  signal?: AbortSignal;
}

/** The largest upstream answer read; WeChat's JSON answers are a few KiB at most. */
const MAX_RESPONSE_BYTES = 1024 * 1024;
/** A downloaded file: WeChat's media limits stop at 10 MB (video). */
const MAX_BINARY_BYTES = 20 * 1024 * 1024;

export class WeChatHttp {
  /** The base URL split once, so a call does not parse a URL again. */
  private readonly origin: string;
  private readonly basePath: string;
  private readonly timeoutMs: number;
  private readonly errcodes: ErrcodeTable;
  private readonly passedDispatcher: Dispatcher | undefined;
  /** undici, loaded on the first call upstream: a start that makes none does not pay for loading it. */
  private client: Promise<{ dispatcher: Dispatcher; request: typeof import('./undici-lean.js').request }> | undefined;

  constructor(options: WeChatHttpOptions) {
    this.errcodes = options.errcodes ?? CORE_ERRCODES;
    const base = new URL(options.baseUrl);
    this.origin = base.origin;
    this.basePath = base.pathname.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs;
    this.passedDispatcher = options.dispatcher;
  }

  private connection() {
    this.client ??= import('./undici-lean.js').then(({ Agent, request }) => ({
      request,
      dispatcher:
        this.passedDispatcher ??
        new Agent({
          keepAliveTimeout: 10_000,
          connections: 128,
          // Headers and body deadlines are set per request in `send`, so they hold for a passed-in dispatcher too.
          connect: { timeout: this.timeoutMs },
        }),
    }));
    return this.client;
  }

  get<T>(path: string, query: Query, scope: TokenScope, options?: CallOptions): Promise<T> {
    return this.send<T>({ method: 'GET', path, query, scope, ...options }) as Promise<T>;
  }

  post<T>(path: string, query: Query, body: unknown, scope: TokenScope, options?: CallOptions): Promise<T> {
    return this.send<T>({ method: 'POST', path, query, json: body, scope, ...options }) as Promise<T>;
  }

  /** Any call: another host, a raw body, a binary answer. */
  call<T>(call: WeChatRequest): Promise<T | BinaryBody> {
    return this.send<T>(call);
  }

  async close(): Promise<void> {
    if (!this.passedDispatcher && this.client) await (await this.client).dispatcher.close();
  }

  /** Every value encoded, so no value can add or override a parameter. */
  private pathWithQuery(basePath: string, path: string, query: Query): string {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined) params.append(key, String(value));
    }
    const search = params.toString();
    return `${basePath}${path}${search ? `?${search}` : ''}`;
  }

  private async send<T>(call: WeChatRequest): Promise<T | BinaryBody> {
    const { method, path, scope } = call;
    let origin = this.origin;
    let basePath = this.basePath;
    if (call.baseUrl) {
      const base = new URL(call.baseUrl);
      origin = base.origin;
      basePath = base.pathname.replace(/\/+$/, '');
    }
    const body = call.raw ? call.raw.bytes : call.json === undefined ? undefined : JSON.stringify(call.json);
    const contentType = call.raw ? call.raw.contentType : body === undefined ? undefined : 'application/json';
    const binary = call.accept === 'binary';
    let signal = call.signal;
    let timer: NodeJS.Timeout | undefined;
    if (!signal) {
      const own = new AbortController();
      timer = setTimeout(() => own.abort(), this.timeoutMs);
      timer.unref();
      signal = own.signal;
    }
    let data: Buffer;
    let statusCode: number;
    let type: string;
    try {
      const { dispatcher, request } = await this.connection();
      const response = await request(dispatcher, {
        origin,
        path: this.pathWithQuery(basePath, path, call.query ?? {}),
        method,
        headers: contentType === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': contentType },
        body,
        // A plain controller and timer, cleared when the call ends, rather than an
        // AbortSignal.timeout, which lives for the whole deadline and is tracked through weak
        // references (more collector time per call than the rest of a code exchange).
        signal,
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
      });
      statusCode = response.statusCode;
      type = String(response.headers['content-type'] ?? '');
      data = await readLimited(response, binary ? MAX_BINARY_BYTES : MAX_RESPONSE_BYTES);
    } catch (error) {
      throw transportError(error, signal.aborted, this.timeoutMs, path);
    } finally {
      clearTimeout(timer);
    }

    if (statusCode < 200 || statusCode >= 300) {
      throw new AppError('upstream', `WeChat answered ${path} with HTTP ${statusCode}`);
    }
    // A download is JSON only when it is an error: WeChat sends files with their own type.
    if (binary && !/json|text\/plain/i.test(type)) return { bytes: data, contentType: type || 'application/octet-stream' };
    let parsed: unknown;
    try {
      parsed = JSON.parse(data.toString('utf8'));
    } catch {
      if (binary) return { bytes: data, contentType: type || 'application/octet-stream' };
      throw new AppError('upstream', `WeChat answered ${path} with something that is not JSON`);
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new AppError('upstream', `WeChat answered ${path} with an unexpected JSON value`);
    }
    const { errcode, errmsg } = parsed as { errcode?: unknown; errmsg?: unknown };
    // Only a present, non-zero errcode is an error: some successes carry errcode 0, others none.
    if (typeof errcode === 'number' && errcode !== 0) {
      throw new WeChatError(errcode, typeof errmsg === 'string' ? errmsg : '', scope, this.errcodes);
    }
    return parsed as T;
  }
}

async function readLimited({ headers, body }: Dispatcher.ResponseData, limit: number): Promise<Buffer> {
  // With a declared length (WeChat always sends one) the body is read in one step; only a
  // chunked answer is counted while it streams.
  const declared = Number(headers['content-length']);
  if (declared > limit) {
    body.destroy();
    throw new AppError('upstream', 'WeChat answered with more data than any of its APIs sends');
  }
  if (Number.isInteger(declared)) return Buffer.from(await body.arrayBuffer());
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > limit) {
      body.destroy();
      throw new AppError('upstream', 'WeChat answered with more data than any of its APIs sends');
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
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
export interface RetryOptions {
  attempts?: number;
  baseDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

export async function withRetry<T>(attempt: () => Promise<T>, options: RetryOptions = {}, retryable: (error: unknown) => boolean = isTransient): Promise<T> {
  const attempts = options.attempts ?? 3;
  const baseDelayMs = options.baseDelayMs ?? 200;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (error) {
      if (i >= attempts || !retryable(error)) throw error;
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
