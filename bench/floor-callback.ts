/**
 * The floor the message server is measured against: the smallest honest node:http handling of a
 * safe-mode push (wechat-oa-api.md §14.2, §14.4) with node:crypto alone. It reads the body once,
 * takes the `Encrypt` element, refuses a stale timestamp or a wrong msg_signature (SHA1 over the
 * token, timestamp, nonce and ciphertext, sorted), decrypts the AES-256-CBC envelope, checks its
 * padding, layout and the AppID inside, and answers `success`. It does nothing else: no XML
 * parser, no message fields, no deduplication, no logging, no request ids.
 *
 * Environment: PORT, HOST, appId, serverToken, encodingAESKey.
 */
import { createDecipheriv, createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

const port = Number(process.env.PORT ?? 9000);
const host = process.env.HOST ?? '0.0.0.0';
const appId = Buffer.from(process.env.appId ?? '', 'utf8');
const token = process.env.serverToken ?? '';
const key = Buffer.from(`${process.env.encodingAESKey ?? ''}=`, 'base64');
const iv = key.subarray(0, 16);
const MAX_BODY = 64 * 1024;
const MAX_SKEW_SECONDS = 300;

function answer(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        resolve(undefined);
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => resolve(undefined));
  });
}

const sha1 = (...parts: string[]) => createHash('sha1').update(parts.sort().join('')).digest('hex');

/** The message XML inside `encrypt`, or undefined unless it is this account's. */
function decrypt(encrypt: string): string | undefined {
  const ciphertext = Buffer.from(encrypt, 'base64');
  if (ciphertext.length === 0 || ciphertext.length % 32 !== 0) return undefined;
  const decipher = createDecipheriv('aes-256-cbc', key, iv).setAutoPadding(false);
  const plain = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  const pad = plain[plain.length - 1];
  if (pad < 1 || pad > 32) return undefined;
  const body = plain.subarray(0, plain.length - pad);
  if (body.length < 20) return undefined;
  const length = body.readUInt32BE(16);
  if (20 + length > body.length) return undefined;
  const trailer = body.subarray(20 + length);
  if (trailer.length !== appId.length || !timingSafeEqual(trailer, appId)) return undefined;
  return body.subarray(20, 20 + length).toString('utf8');
}

const ENCRYPT = /<Encrypt><!\[CDATA\[([A-Za-z0-9+/=]+)\]\]><\/Encrypt>/;

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://floor');
  // The bench's readiness probe.
  if (req.method === 'GET' && url.pathname === '/') return answer(res, 200, 'ok');
  if (req.method !== 'POST' || url.pathname !== '/callback') return answer(res, 404, 'not found');
  const query = url.searchParams;
  const timestamp = query.get('timestamp') ?? '';
  const nonce = query.get('nonce') ?? '';
  const received = query.get('msg_signature') ?? '';
  if (Math.abs(Date.now() / 1000 - Number(timestamp)) > MAX_SKEW_SECONDS) return answer(res, 401, 'refused');
  const body = await readBody(req);
  if (body === undefined) return answer(res, 413, 'too large');
  const encrypt = ENCRYPT.exec(body)?.[1];
  if (!encrypt) return answer(res, 400, 'bad request');
  const expected = sha1(token, timestamp, nonce, encrypt);
  if (received.length !== 40 || !timingSafeEqual(Buffer.from(expected), Buffer.from(received.toLowerCase()))) return answer(res, 401, 'refused');
  if (decrypt(encrypt) === undefined) return answer(res, 401, 'refused');
  answer(res, 200, 'success');
}

const server = createServer((req, res) => void handle(req, res));
server.keepAliveTimeout = 65_000;
server.listen(port, host);
process.once('SIGTERM', () => {
  server.close();
  server.closeIdleConnections();
});
