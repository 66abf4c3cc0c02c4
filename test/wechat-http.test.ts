/**
 * The upstream client against a real HTTP server on loopback: how it reads WeChat's answers
 * (declared length or chunked), the 1 MiB ceiling on both, and a base URL with a path prefix.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { isAppError } from '../src/errors.js';
import { WeChatHttp } from '../src/wechat/http.js';

const MiB = 1024 * 1024;
let server: Server;
let base: string;
const seen: string[] = [];

before(async () => {
  server = createServer((req, res) => {
    seen.push(req.url ?? '');
    const route = new URL(req.url ?? '/', 'http://x').pathname;
    if (route.endsWith('/declared-huge')) {
      // Announces more than the ceiling; the client must refuse without reading it.
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(2 * MiB) });
      res.write('{"padding":"');
      return; // never finishes: a client that waited for the body would hang
    }
    if (route.endsWith('/chunked-huge')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      const piece = 'x'.repeat(64 * 1024);
      res.write('{"padding":"');
      let sent = 0;
      const more = () => {
        while (sent < 3 * MiB) {
          sent += piece.length;
          if (!res.write(piece)) return void res.once('drain', more);
        }
        res.end('"}');
      };
      res.on('error', () => undefined);
      more();
      return;
    }
    if (route.endsWith('/stalled-body')) {
      // Headers at once, then part of the body and silence: only a deadline on the body ends it.
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '64' });
      res.write('{"openid":"o-3",');
      return;
    }
    if (route.endsWith('/silent')) return; // never answers at all
    if (route.endsWith('/chunked-small')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"openid":"o-1",');
      setTimeout(() => res.end('"errcode":0}'), 5);
      return;
    }
    const body = JSON.stringify({ openid: 'o-2', query: req.url });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const refusedAsTooLarge = (error: unknown) => isAppError(error) && error.kind === 'upstream' && /more data than any of its APIs sends/.test(error.message);

describe('WeChatHttp', () => {
  it('reads an answer with a declared length, keeping a base path and encoding every query value', async () => {
    const http = new WeChatHttp({ baseUrl: `${base}/proxy/`, timeoutMs: 2000 });
    try {
      const answer = await http.get<{ openid: string; query: string }>('/sns/userinfo', { openid: 'a&b=c', lang: undefined }, 'oauth');
      assert.equal(answer.openid, 'o-2');
      // The prefix is kept, the value cannot add a parameter, an undefined value is left out.
      assert.equal(answer.query, '/proxy/sns/userinfo?openid=a%26b%3Dc');
    } finally {
      await http.close();
    }
  });

  it('reads a chunked answer that stays under the ceiling', async () => {
    const http = new WeChatHttp({ baseUrl: base, timeoutMs: 2000 });
    try {
      assert.deepEqual(await http.get('/chunked-small', {}, 'oauth'), { openid: 'o-1', errcode: 0 });
    } finally {
      await http.close();
    }
  });

  it('refuses an answer that declares more than 1 MiB, without waiting for it', async () => {
    const http = new WeChatHttp({ baseUrl: base, timeoutMs: 2000 });
    try {
      // The body never arrives: without the declared length deciding, this would end as a timeout.
      await assert.rejects(http.get('/declared-huge', {}, 'oauth'), refusedAsTooLarge);
    } finally {
      await http.close();
    }
  });

  for (const [route, stalls] of [
    ['/silent', 'before its headers'],
    ['/stalled-body', 'halfway through its body'],
  ]) {
    it(`gives up on an answer that stalls ${stalls} once the deadline passes`, async () => {
      const http = new WeChatHttp({ baseUrl: base, timeoutMs: 300 });
      try {
        await assert.rejects(http.get(route, {}, 'oauth'), (error: unknown) => {
          assert.ok(isAppError(error) && error.kind === 'timeout', String(error));
          assert.match(error.message, new RegExp(`did not answer ${route} within 300 ms`));
          return true;
        });
      } finally {
        await http.close();
      }
    });
  }

  it('stops reading a chunked answer once it passes 1 MiB', async () => {
    const http = new WeChatHttp({ baseUrl: base, timeoutMs: 5000 });
    try {
      await assert.rejects(http.get('/chunked-huge', {}, 'oauth'), refusedAsTooLarge);
    } finally {
      await http.close();
    }
  });
});
