/**
 * The floor the function is measured against: the smallest honest node:http implementation of
 * POST /oauth/config and POST /oauth/token. Honest means it does the work any correct version
 * must do: insists on a Bearer credential, reads and parses the JSON body once, checks the
 * code, makes one call to WeChat over a pooled keep-alive connection (undici), reads WeChat's
 * answer, and replies with the {code, msg, data} envelope. It does nothing else: no logging,
 * no request ids, no CORS, no schema library, no cache, no retries.
 *
 * Environment: PORT, HOST, WECHAT_API_BASE_URL, appId, appSecret.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { Agent, request } from 'undici';

const port = Number(process.env.PORT ?? 9000);
const host = process.env.HOST ?? '0.0.0.0';
const upstream = (process.env.WECHAT_API_BASE_URL ?? 'https://api.weixin.qq.com').replace(/\/+$/, '');
const appId = process.env.appId ?? '';
const appSecret = process.env.appSecret ?? '';
const openBase = process.env.WECHAT_OPEN_BASE_URL ?? 'https://open.weixin.qq.com';

const agent = new Agent({ connections: 128, keepAliveTimeout: 10_000, headersTimeout: 5000, bodyTimeout: 5000 });

function reply(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

const fail = (res: ServerResponse, status: number, msg: string) => reply(res, status, { code: -1, msg, data: null });

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > 64 * 1024) {
        reject(new Error('too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

async function exchange(code: string): Promise<{ status: number; body: unknown }> {
  const query = new URLSearchParams({ appid: appId, secret: appSecret, code, grant_type: 'authorization_code' });
  const response = await request(`${upstream}/sns/oauth2/access_token?${query}`, { dispatcher: agent, signal: AbortSignal.timeout(5000) });
  const answer = (await response.body.json()) as Record<string, unknown>;
  if (typeof answer.errcode === 'number' && answer.errcode !== 0) {
    return { status: 400, body: { code: -1, msg: `WeChat API error [${answer.errcode}]: ${answer.errmsg}`, data: null } };
  }
  const { openid, access_token, refresh_token, expires_in, scope, unionid } = answer;
  return { status: 200, body: { code: 0, msg: 'success', data: { openid, access_token, refresh_token, expires_in, scope, unionid } } };
}

const server = createServer(async (req, res) => {
  try {
    if (req.method !== 'POST') return fail(res, 405, 'Method not allowed; use POST');
    if (!/^Bearer \S+$/.test(req.headers.authorization ?? '')) return fail(res, 401, 'Missing Authorization: Bearer <accessToken>');
    const text = await readBody(req);
    let body: Record<string, unknown>;
    try {
      body = text ? JSON.parse(text) : {};
    } catch {
      return fail(res, 400, 'Request body is not valid JSON');
    }
    if (req.url === '/oauth/config') {
      return reply(res, 200, {
        code: 0,
        msg: 'success',
        data: { appId, authorizeUrl: `${openBase}/connect/oauth2/authorize`, scopes: ['snsapi_base', 'snsapi_userinfo'], mode: 'wechat' },
      });
    }
    if (req.url === '/oauth/token') {
      const code = body?.code;
      if (typeof code !== 'string' || code.length === 0 || code.length > 512) return fail(res, 400, 'Invalid request body: code is required');
      const { status, body: answer } = await exchange(code);
      return reply(res, status, answer);
    }
    return fail(res, 404, 'No such route');
  } catch {
    return fail(res, 502, 'Could not reach WeChat');
  }
});
server.keepAliveTimeout = 65_000;
server.listen(port, host);

process.once('SIGTERM', () => {
  server.close();
  server.closeIdleConnections();
  void agent.close();
});
