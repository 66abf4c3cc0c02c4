/**
 * Reads a request body as text, refusing more than a limit. Served on node:http it reads
 * Node's IncomingMessage directly: going through the web Request instead would build a
 * Request, an AbortController and a ReadableStream for every call, which cost more CPU than
 * everything else a route does (see bench/RESULTS.md). Elsewhere (app.request() in tests,
 * another runtime) the web Request is used.
 */
import type { IncomingMessage } from 'node:http';
import type { Context } from 'hono';
import { AppError } from '../errors.js';
import { requestHeader } from './request-headers.js';

const tooLarge = (maxBytes: number) =>
  new AppError('payload_too_large', `Request body is larger than ${maxBytes >= 1024 * 1024 ? `${maxBytes / 1024 / 1024} MiB` : `${maxBytes / 1024} KiB`}`);

/** A leading byte-order mark is dropped, as the web Request's text() drops it. */
const withoutBom = (text: string) => (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);

export async function readBodyText(c: Context, maxBytes: number): Promise<string> {
  return withoutBom((await readBody(c, maxBytes)).toString('utf8'));
}

/** The body's bytes (a multipart form), refusing more than `maxBytes`. */
export async function readBody(c: Context, maxBytes: number): Promise<Buffer> {
  const declared = requestHeader(c, 'content-length');
  if (declared !== undefined && Number(declared) > maxBytes) throw tooLarge(maxBytes);

  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  if (!incoming || typeof incoming.on !== 'function' || incoming.readableEnded) {
    const bytes = Buffer.from(await c.req.arrayBuffer());
    if (bytes.length > maxBytes) throw tooLarge(maxBytes);
    return bytes;
  }

  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (error?: Error) => {
      incoming.off('data', onData);
      incoming.off('end', onEnd);
      incoming.off('error', onError);
      if (error) {
        // Whatever is still coming is read and dropped, so the connection stays usable.
        incoming.resume();
        reject(error);
      } else {
        resolve(Buffer.concat(chunks, size));
      }
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) return done(tooLarge(maxBytes));
      chunks.push(chunk);
    };
    const onEnd = () => done();
    const onError = () => done(new AppError('bad_request', 'The request body was cut off'));
    incoming.on('data', onData);
    incoming.on('end', onEnd);
    incoming.on('error', onError);
  });
}
