/**
 * A web-style app (Hono's `app.fetch`) served on node:http without building web Request,
 * Response or Headers objects on the way of a call that does not ask for them. The first such
 * object a process builds loads Node's fetch implementation; every cold start would pay for it
 * (bench/RESULTS.md), and the function's routes read Node's own request (see
 * src/function/request-headers.ts, body.ts) and answer with a PlainResponse. The app still gets
 * an object that behaves as a Request: the web parts are built from the Node request on first ask.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { PlainResponse } from './function/plain-response.js';

export interface NodeEnv {
  incoming: IncomingMessage;
  outgoing: ServerResponse;
  /** This server writes PlainResponses itself (src/function/plain-response.ts). */
  plainResponses: true;
}

export type FetchHandler = (request: Request, env: NodeEnv) => Response | Promise<Response>;

export interface ListenerOptions {
  /** The host a request without a Host header is taken to be for. */
  hostname?: string;
  /** Answers a request whose target or Host cannot make a URL (the app never sees it); `part` says which. */
  malformed(outgoing: ServerResponse, part: 'host' | 'target'): void;
  /** Answers when the app itself failed (it has an error handler; this is the last resort). */
  failed(outgoing: ServerResponse, error: unknown): void;
}

class Malformed extends Error {
  constructor(readonly part: 'host' | 'target') {
    super(`malformed ${part}`);
  }
}

/** The request's URL as the app sees it: the target made absolute against the Host, normalised as WHATWG URL does. */
function requestUrl(incoming: IncomingMessage, defaultHost: string | undefined): string {
  const target = incoming.url ?? '';
  // A backslash in the path would be read as a slash by URL and could change which path is served.
  const backslash = target.indexOf('\\');
  if (backslash !== -1) {
    const query = target.indexOf('?');
    if (query === -1 || backslash < query) throw new Malformed('target');
  }
  if (target[0] !== '/' && (target.startsWith('http://') || target.startsWith('https://'))) {
    try {
      return new URL(target).href;
    } catch {
      throw new Malformed('target');
    }
  }
  const host = incoming.headers.host || defaultHost;
  if (!host) throw new Malformed('host');
  const scheme = (incoming.socket as { encrypted?: boolean } | undefined)?.encrypted ? 'https' : 'http';
  let url: URL;
  try {
    url = new URL(`${scheme}://${host}${target}`);
  } catch {
    throw new Malformed(URL.canParse(`${scheme}://${host}/`) ? 'target' : 'host');
  }
  // A Host holding a path or user info would move the request elsewhere once parsed.
  if (url.hostname.length !== host.length && url.hostname !== host.replace(/:\d+$/, '')) throw new Malformed('host');
  return url.href;
}

/** The Node request as a web Request: method and URL at once, everything else built when first read. */
class NodeRequest {
  readonly method: string;
  readonly url: string;
  readonly #incoming: IncomingMessage;
  #headers: Headers | undefined;
  #web: Request | undefined;

  constructor(incoming: IncomingMessage, url: string) {
    this.#incoming = incoming;
    this.method = incoming.method ?? 'GET';
    this.url = url;
  }

  get headers(): Headers {
    if (!this.#headers) {
      const pairs: [string, string][] = [];
      const raw = this.#incoming.rawHeaders;
      for (let i = 0; i < raw.length; i += 2) pairs.push([raw[i], raw[i + 1]]);
      this.#headers = new Headers(pairs);
    }
    return this.#headers;
  }

  /** The web Request, with the Node request's body as its stream. */
  web(): Request {
    if (!this.#web) {
      const hasBody = this.method !== 'GET' && this.method !== 'HEAD';
      this.#web = new Request(this.url, {
        method: this.method,
        headers: this.headers,
        ...(hasBody && { body: Readable.toWeb(this.#incoming) as ReadableStream, duplex: 'half' }),
      } as RequestInit);
    }
    return this.#web;
  }

  get body(): ReadableStream<Uint8Array> | null {
    return this.web().body;
  }
  get bodyUsed(): boolean {
    return this.web().bodyUsed;
  }
  get signal(): AbortSignal {
    return this.web().signal;
  }
  text(): Promise<string> {
    return this.web().text();
  }
  json(): Promise<unknown> {
    return this.web().json();
  }
  arrayBuffer(): Promise<ArrayBuffer> {
    return this.web().arrayBuffer();
  }
  blob(): Promise<Blob> {
    return this.web().blob();
  }
  formData(): Promise<FormData> {
    return this.web().formData();
  }
  clone(): Request {
    return this.web().clone();
  }
}

/** A request body the app did not read is read and dropped, so the connection can carry the next request; up to a bound. */
const DRAIN_LIMIT_BYTES = 1024 * 1024;
const DRAIN_LIMIT_MS = 1000;

function drain(incoming: IncomingMessage): void {
  if (incoming.readableEnded || incoming.destroyed) return;
  let read = 0;
  const stop = () => {
    clearTimeout(timer);
    incoming.off('data', count);
    incoming.off('end', stop);
    incoming.off('error', stop);
  };
  const giveUp = () => {
    stop();
    incoming.socket?.destroySoon();
  };
  const count = (chunk: Buffer) => {
    read += chunk.length;
    if (read > DRAIN_LIMIT_BYTES) giveUp();
  };
  const timer = setTimeout(giveUp, DRAIN_LIMIT_MS);
  timer.unref();
  incoming.on('data', count);
  incoming.once('end', stop);
  incoming.once('error', stop);
  incoming.resume();
}

async function write(answer: Response | PlainResponse, outgoing: ServerResponse): Promise<void> {
  if (answer instanceof PlainResponse && !answer.built) {
    outgoing.writeHead(answer.status, { ...answer.headerRecord, 'content-length': Buffer.byteLength(answer.content) });
    outgoing.end(answer.content);
    return;
  }
  const web = answer instanceof PlainResponse ? answer.toWeb() : answer;
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of web.headers) if (name !== 'set-cookie') headers[name] = value;
  const cookies = web.headers.getSetCookie();
  if (cookies.length) headers['set-cookie'] = cookies;
  // Every answer the app gives is small (a JSON document, a page): it is read whole and sent with its length.
  const body = web.body ? Buffer.from(await web.arrayBuffer()) : undefined;
  if (body && headers['content-length'] === undefined && headers['transfer-encoding'] === undefined) headers['content-length'] = String(body.length);
  outgoing.writeHead(web.status, headers);
  outgoing.end(body);
}

export function nodeListener(fetch: FetchHandler, options: ListenerOptions): (incoming: IncomingMessage, outgoing: ServerResponse) => Promise<void> {
  return async (incoming, outgoing) => {
    let url: string;
    try {
      url = requestUrl(incoming, options.hostname);
    } catch (error) {
      outgoing.once('finish', () => drain(incoming));
      options.malformed(outgoing, error instanceof Malformed ? error.part : 'target');
      return;
    }
    outgoing.once('finish', () => drain(incoming));
    try {
      const answer = await fetch(new NodeRequest(incoming, url) as unknown as Request, { incoming, outgoing, plainResponses: true });
      await write(answer as Response | PlainResponse, outgoing);
    } catch (error) {
      if (outgoing.headersSent) outgoing.destroy();
      else options.failed(outgoing, error);
    }
  };
}
