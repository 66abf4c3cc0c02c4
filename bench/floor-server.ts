/**
 * The floor the function is measured against: the smallest honest node:http implementation of
 * POST /oauth/config and POST /oauth/token. Honest means it does the work any correct version
 * must do: insists on a Bearer credential, reads and parses the JSON body once, checks the
 * code, makes one call to WeChat over a pooled keep-alive connection (undici), reads WeChat's
 * answer, and replies with the {code, msg, data} envelope. It does nothing else: no logging,
 * no request ids, no CORS, no schema library, no cache, no retries.
 *
 * `duties` (bench/floor-duties.ts) adds, at fixed points, the per-call work the function owes
 * its operators, so the bench can show what that work costs on the floor itself.
 *
 * Environment: PORT, HOST, WECHAT_API_BASE_URL, appId, appSecret.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { Agent } from 'undici';

/** Per-call work beyond the floor's: called before the body is read and once the answer is out. */
export interface Duties {
  /** Returns the headers every answer carries, or a refusal as [status, message]. */
  begin(req: IncomingMessage): { headers: Record<string, string> } | [number, string];
  /** Checks the parsed body against the route's schema; returns a message when it does not hold. */
  check(route: string, body: unknown): string | undefined;
  end(req: IncomingMessage, status: number): void;
}

export function startFloor(duties?: Duties): void {
  const port = Number(process.env.PORT ?? 9000);
  const host = process.env.HOST ?? '0.0.0.0';
  // Split once: a request given an origin and a path skips the URL parse a full address costs each call.
  const upstreamUrl = new URL(process.env.WECHAT_API_BASE_URL ?? 'https://api.weixin.qq.com');
  const upstreamOrigin = upstreamUrl.origin;
  const upstreamPath = upstreamUrl.pathname.replace(/\/+$/, '');
  const appId = process.env.appId ?? '';
  const appSecret = process.env.appSecret ?? '';
  const openBase = process.env.WECHAT_OPEN_BASE_URL ?? 'https://open.weixin.qq.com';

  // The deadline: undici's own connect, headers and body timers, the cheapest correct one (see RESULTS.md).
  const agent = new Agent({ connections: 128, keepAliveTimeout: 10_000, connect: { timeout: 5000 }, headersTimeout: 5000, bodyTimeout: 5000 });

  function reply(res: ServerResponse, status: number, body: unknown, headers?: Record<string, string>): void {
    const text = JSON.stringify(body);
    res.writeHead(status, { ...headers, 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  }

  const envelope = (msg: string) => ({ code: -1, msg, data: null });

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
    const response = await agent.request({ origin: upstreamOrigin, path: `${upstreamPath}/sns/oauth2/access_token?${query}`, method: 'GET' });
    const answer = (await response.body.json()) as Record<string, unknown>;
    if (typeof answer.errcode === 'number' && answer.errcode !== 0) {
      return { status: 400, body: envelope(`WeChat API error [${answer.errcode}]: ${answer.errmsg}`) };
    }
    const { openid, access_token, refresh_token, expires_in, scope, unionid } = answer;
    return { status: 200, body: { code: 0, msg: 'success', data: { openid, access_token, refresh_token, expires_in, scope, unionid } } };
  }

  async function handle(req: IncomingMessage, res: ServerResponse, headers?: Record<string, string>): Promise<number> {
    const fail = (status: number, msg: string) => (reply(res, status, envelope(msg), headers), status);
    try {
      if (req.method !== 'POST') return fail(405, 'Method not allowed; use POST');
      if (!/^Bearer \S+$/.test(req.headers.authorization ?? '')) return fail(401, 'Missing Authorization: Bearer <accessToken>');
      const text = await readBody(req);
      let body: Record<string, unknown>;
      try {
        body = text ? JSON.parse(text) : {};
      } catch {
        return fail(400, 'Request body is not valid JSON');
      }
      const problem = duties?.check(req.url ?? '', body);
      if (problem) return fail(400, `Invalid request body: ${problem}`);
      if (req.url === '/oauth/config') {
        reply(
          res,
          200,
          { code: 0, msg: 'success', data: { appId, authorizeUrl: `${openBase}/connect/oauth2/authorize`, scopes: ['snsapi_base', 'snsapi_userinfo'], mode: 'wechat' } },
          headers,
        );
        return 200;
      }
      if (req.url === '/oauth/token') {
        const code = body?.code;
        if (typeof code !== 'string' || code.length === 0 || code.length > 512) return fail(400, 'Invalid request body: code is required');
        const { status, body: answer } = await exchange(code);
        reply(res, status, answer, headers);
        return status;
      }
      return fail(404, 'No such route');
    } catch {
      return fail(502, 'Could not reach WeChat');
    }
  }

  const server = createServer(async (req, res) => {
    if (!duties) return void (await handle(req, res));
    const call = duties.begin(req);
    const status = Array.isArray(call) ? (reply(res, call[0], envelope(call[1])), call[0]) : await handle(req, res, call.headers);
    duties.end(req, status);
  });
  server.keepAliveTimeout = 65_000;
  server.listen(port, host);

  process.once('SIGTERM', () => {
    server.close();
    server.closeIdleConnections();
    void agent.close();
  });
}
