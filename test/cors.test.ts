/**
 * Browsers may call the function from another origin only when corsAllowOrigin (or
 * CORS_ALLOW_ORIGIN) lists that origin; nothing is allowed by default. Checked at the header level
 * and in a real Chromium, where two pages on different loopback origins call the function.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser } from 'playwright-core';
import { startStack, type Stack } from './support/stack.js';

const CHROMIUM = '/usr/bin/chromium';

const preflight = (stack: Stack, origin: string, path = '/oauth/config') =>
  stack.raw(path, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
  });

const post = (stack: Stack, origin: string, headers: Record<string, string> = {}) =>
  stack.raw('/oauth/config', { method: 'POST', headers: { origin, 'content-type': 'application/json', ...headers }, body: '{}' });

describe('CORS with nothing configured', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack();
  });
  after(() => stack.close());

  it('allows no origin, on preflight or on the call itself', async () => {
    for (const origin of ['https://example.com', 'http://localhost:3000', 'null']) {
      const answer = await preflight(stack, origin);
      assert.equal(answer.status, 204);
      assert.equal(answer.headers.get('access-control-allow-origin'), null, origin);
      const call = await post(stack, origin);
      assert.equal(call.status, 200, 'a same-origin or server-side caller is unaffected');
      assert.equal(call.headers.get('access-control-allow-origin'), null, origin);
    }
  });

  it('and GET / reports CORS as off', async () => {
    assert.equal((await stack.raw('/')).body.data.features.cors, 'off');
  });
});

describe('CORS with corsAllowOrigin', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({ env: { AUTH_MODE: 'gateway', corsAllowOrigin: ' https://a.example , https://b.example:8443,' } });
  });
  after(() => stack.close());

  it('answers a preflight from a listed origin with what the browser needs', async () => {
    const answer = await preflight(stack, 'https://a.example');
    assert.equal(answer.status, 204);
    assert.equal(answer.headers.get('access-control-allow-origin'), 'https://a.example');
    assert.match(answer.headers.get('access-control-allow-methods')!, /\bPOST\b/);
    const allowed = answer.headers.get('access-control-allow-headers')!.toLowerCase().split(',');
    for (const header of ['authorization', 'content-type', 'x-request-id']) assert.ok(allowed.includes(header), header);
    assert.equal(answer.headers.get('access-control-max-age'), '600');
    assert.match(answer.headers.get('vary')!, /Origin/);
    // Gateway-form paths are preflighted too.
    const gateway = await preflight(stack, 'https://b.example:8443', '/v1/functions/oa/oauth/config?webfn=true');
    assert.equal(gateway.headers.get('access-control-allow-origin'), 'https://b.example:8443');
  });

  it('lets a listed origin read successes and failures alike', async () => {
    const ok = await post(stack, 'https://b.example:8443', { authorization: 'Bearer any' });
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get('access-control-allow-origin'), 'https://b.example:8443');
    assert.match(ok.headers.get('access-control-expose-headers')!, /X-Request-Id/i);
    const refused = await post(stack, 'https://a.example');
    assert.equal(refused.status, 401);
    assert.equal(refused.headers.get('access-control-allow-origin'), 'https://a.example', 'the page can read why it was refused');
  });

  it('refuses origins that are not listed exactly', async () => {
    for (const origin of ['https://evil.example', 'https://a.example.evil.example', 'http://a.example', 'https://a.example:444', 'https://b.example', 'null', '*']) {
      assert.equal((await preflight(stack, origin)).headers.get('access-control-allow-origin'), null, origin);
      assert.equal((await post(stack, origin, { authorization: 'Bearer any' })).headers.get('access-control-allow-origin'), null, origin);
    }
  });

  it('reads CORS_ALLOW_ORIGIN as well', async () => {
    const other = await startStack({ env: { CORS_ALLOW_ORIGIN: 'https://c.example' } });
    try {
      assert.equal((await preflight(other, 'https://c.example')).headers.get('access-control-allow-origin'), 'https://c.example');
      assert.equal((await preflight(other, 'https://a.example')).headers.get('access-control-allow-origin'), null);
    } finally {
      await other.close();
    }
  });
});

/** A page server on its own loopback port, i.e. its own origin. */
async function pageServer(): Promise<{ origin: string; server: Server }> {
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>page</title><p>page');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe('CORS in a real browser', () => {
  let browser: Browser;
  let stack: Stack;
  let allowed: { origin: string; server: Server };
  let refused: { origin: string; server: Server };
  before(async () => {
    assert.ok(existsSync(CHROMIUM), `this test needs ${CHROMIUM}`);
    allowed = await pageServer();
    refused = await pageServer();
    stack = await startStack({ env: { AUTH_MODE: 'gateway', corsAllowOrigin: allowed.origin } });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
  });
  after(async () => {
    await browser?.close();
    await stack?.close();
    allowed?.server.close();
    refused?.server.close();
  });

  /** What a page on `origin` gets when it calls the function the way the seed's callFn does. */
  async function callFrom(origin: string, authorization?: string): Promise<{ ok: true; status: number; body: any } | { ok: false; error: string }> {
    const page = await browser.newPage();
    try {
      await page.goto(origin);
      return await page.evaluate(
        async ({ url, authorization }) => {
          try {
            const headers: Record<string, string> = { 'content-type': 'application/json' };
            if (authorization) headers.authorization = authorization;
            const response = await fetch(url, { method: 'POST', headers, body: '{}' });
            return { ok: true as const, status: response.status, body: await response.json() };
          } catch (error) {
            return { ok: false as const, error: String(error) };
          }
        },
        { url: `${stack.fn.url}/v1/functions/oa/oauth/config?webfn=true`, authorization },
      );
    } finally {
      await page.close();
    }
  }

  it('a page on the listed origin calls the function and reads its answers', async () => {
    const result = await callFrom(allowed.origin, 'Bearer page-token');
    assert.ok(result.ok, JSON.stringify(result));
    assert.equal(result.status, 200);
    assert.equal(result.body.code, 0);
    const refusedCall = await callFrom(allowed.origin);
    assert.ok(refusedCall.ok, JSON.stringify(refusedCall));
    assert.equal(refusedCall.status, 401);
    assert.match(refusedCall.body.msg, /Missing Authorization/);
  });

  it('a page on any other origin is stopped by the browser', async () => {
    const result = await callFrom(refused.origin, 'Bearer page-token');
    assert.equal(result.ok, false);
    assert.match((result as { error: string }).error, /TypeError|Failed to fetch/);
  });
});
