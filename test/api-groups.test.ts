/**
 * The list of API groups is the one source: every route of every group is served and in
 * /openapi.json under its group's tag, one errcode declared differently by two groups stops the
 * start, every WeChat endpoint a group calls has an emulator counterpart, and what routes
 * declare (methods, input, output, body limit) is what the function does.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as v from 'valibot';
import { forward, type ApiGroup } from '../src/apis/group.js';
import { groups } from '../src/apis/index.js';
import { startEmulator } from '../src/emulator/index.js';
import { defineRoute, methodsOf, type UploadedFile, type WeChatEndpoint } from '../src/function/route.js';
import { mergeErrcodes } from '../src/wechat/errcodes.js';
import { ADMIN_KEY } from './support/random-account.js';
import { startStack, type Stack } from './support/stack.js';

const isFile = (value: unknown): value is UploadedFile => typeof value === 'object' && value !== null && (value as UploadedFile).bytes instanceof Uint8Array;

/** A group using every kind of route, served next to the real ones. */
const sample: ApiGroup = {
  name: 'sample',
  description: 'Routes of every kind.',
  routes: [
    defineRoute({
      path: '/sample/echo',
      methods: ['GET', 'POST'],
      access: 'public',
      summary: 'Echoes its input: the query on GET, the body on POST.',
      body: v.object({ word: v.pipe(v.string(), v.maxLength(20)) }),
      handler: async ({ word }) => ({ word }),
    }),
    // The message server's shape: a GET route reading the query and a POST route reading XML, on one path.
    defineRoute({
      path: '/sample/xml',
      methods: ['GET'],
      access: 'public',
      output: 'xml',
      summary: 'Echoes echostr.',
      body: v.object({ echostr: v.string() }),
      handler: async ({ echostr }) => ({ body: echostr, contentType: 'text/plain; charset=utf-8' }),
    }),
    defineRoute({
      path: '/sample/xml',
      access: 'public',
      input: 'xml',
      output: 'xml',
      summary: 'Wraps the XML it gets.',
      body: v.string(),
      handler: async (text, { query }) => ({ body: `<xml><got><![CDATA[${text}]]></got><q>${query.nonce ?? ''}</q></xml>` }),
    }),
    defineRoute({
      path: '/sample/upload',
      access: 'public',
      input: 'multipart',
      bodyLimit: 2 * 1024 * 1024,
      summary: 'Says what was uploaded.',
      body: v.object({ media: v.custom<UploadedFile>(isFile, 'a file'), title: v.optional(v.string()) }),
      handler: async ({ media, title }) => ({ filename: media.filename, contentType: media.contentType, size: media.bytes.length, title }),
    }),
    defineRoute({
      path: '/sample/file',
      access: 'public',
      output: 'binary',
      summary: 'A small file.',
      body: v.object({}),
      handler: async () => ({ body: new Uint8Array([1, 2, 3]), contentType: 'image/png', filename: 'dot.png' }),
    }),
    forward({ method: 'GET', path: '/cgi-bin/getcallbackip' }, { path: '/sample/callback-ip', summary: 'WeChat’s callback IPs.', body: v.object({}) }),
  ],
};

let stack: Stack;
before(async () => {
  stack = await startStack({ env: { ADMIN_API_KEY: ADMIN_KEY, RATE_LIMIT_PER_MINUTE: '0' }, groups: [...groups, sample] });
});
after(() => stack.close());

describe('/openapi.json from the list of groups', () => {
  it('lists every route of every group, with each of its methods, under its group\'s tag', async () => {
    const doc = (await stack.raw('/openapi.json')).body;
    const missing: string[] = [];
    for (const group of [...groups, sample]) {
      assert.ok(doc.tags.some((tag: { name: string; description?: string }) => tag.name === group.name && tag.description === group.description), `tag ${group.name}`);
      for (const route of group.routes) {
        for (const method of methodsOf(route)) {
          const operation = doc.paths[route.path]?.[method.toLowerCase()];
          if (!operation || operation.tags[0] !== group.name) missing.push(`${method} ${route.path}`);
        }
      }
    }
    assert.deepEqual(missing, []);
    assert.ok(doc.paths['/sample/echo'].get.parameters.some((p: { name: string; in: string }) => p.name === 'word' && p.in === 'query'));
    assert.ok(doc.paths['/sample/upload'].post.requestBody.content['multipart/form-data']);
    assert.ok(doc.paths['/sample/xml'].post.requestBody.content['text/xml']);
    assert.ok(doc.paths['/sample/xml'].get.parameters.some((p: { name: string }) => p.name === 'echostr'), 'both routes of one path are listed');
    assert.ok(doc.paths['/sample/file'].post.responses['200'].content['application/octet-stream']);
  });
});

describe('the errcode table', () => {
  const groupWith = (name: string, errcodes: ApiGroup['errcodes']) => ({ source: name, errcodes });

  it('joins the groups\' codes and the core\'s', () => {
    const table = mergeErrcodes(groups.map((group) => groupWith(group.name, group.errcodes)));
    assert.equal(table[40029].kind, 'caller', 'from the oauth group');
    assert.equal(table[45009].kind, 'quota', 'from the core');
  });

  it('refuses one errcode declared differently by two groups, naming both', () => {
    const a = groupWith('menu', { 65301: { kind: 'caller', hint: 'No such menu.' } });
    const b = groupWith('tags', { 65301: { kind: 'upstream' } });
    assert.throws(() => mergeErrcodes([a, b]), /errcode 65301 is declared differently by menu and tags/);
    assert.throws(() => mergeErrcodes([groupWith('kefu', { 45009: { kind: 'caller' } })]), /45009 .* core and kefu/);
    // The same meaning twice is no conflict.
    assert.doesNotThrow(() => mergeErrcodes([a, groupWith('other', { 65301: { kind: 'caller', hint: 'No such menu.' } })]));
  });

  it('stops the start when two groups disagree', async () => {
    const clash = (name: string, hint: string): ApiGroup => ({ name, description: name, routes: [], errcodes: { 99901: { kind: 'caller', hint } } });
    await assert.rejects(startStack({ groups: [...groups, clash('one', 'A'), clash('two', 'B')] }), /errcode 99901 is declared differently by the one group and the two group/);
  });
});

/** Every WeChat endpoint the groups call (their routes' `calls` and their endpoint tables) that the emulator does not answer. */
async function unanswered(list: readonly ApiGroup[]): Promise<string[]> {
  const emulator = await startEmulator({ port: 0, host: '127.0.0.1', groups: list });
  try {
    const endpoints = new Map<string, WeChatEndpoint>();
    for (const group of list) {
      for (const endpoint of [...group.routes.flatMap((route) => route.calls ?? []), ...Object.values(group.endpoints ?? {})]) {
        endpoints.set(`${endpoint.method} ${endpoint.path}`, endpoint);
      }
    }
    const missing: string[] = [];
    for (const [name, endpoint] of endpoints) {
      const response = await fetch(emulator.url + endpoint.path, { method: endpoint.method, ...(endpoint.method === 'POST' && { body: '{}' }) });
      const body = (await response.json().catch(() => ({}))) as { errcode?: number };
      if (response.status === 404 || body.errcode === 43001 || body.errcode === 43002) missing.push(name);
    }
    return missing;
  } finally {
    await emulator.close();
  }
}

describe('the emulator, from the list of groups', () => {
  it('answers every WeChat endpoint every group calls', async () => {
    assert.deepEqual(await unanswered(groups), []);
  });

  it('is found wanting when a group calls an endpoint it has no handler for', async () => {
    const uncovered: ApiGroup = {
      name: 'uncovered',
      description: 'Calls an endpoint with no emulator part.',
      routes: [forward({ method: 'POST', path: '/cgi-bin/uncovered/create' }, { path: '/uncovered/create', summary: 'x', body: v.object({}) })],
    };
    assert.deepEqual(await unanswered([...groups, uncovered]), ['POST /cgi-bin/uncovered/create']);
  });

  it('answers a method WeChat does not take with 43001/43002, as WeChat does', async () => {
    const get = await fetch(`${stack.emulatorUrl}/cgi-bin/stable_token`);
    assert.equal(get.status, 200);
    assert.equal(((await get.json()) as { errcode: number }).errcode, 43002);
    const post = await fetch(`${stack.emulatorUrl}/cgi-bin/token`, { method: 'POST', body: '{}' });
    const body = (await post.json()) as { errcode: number; errmsg: string };
    assert.equal(body.errcode, 43001);
    assert.match(body.errmsg, /require GET method/);
  });
});

describe('what a route declares', () => {
  it('serves each declared method, and names them in Allow on any other', async () => {
    assert.deepEqual((await stack.raw('/sample/echo?word=hi')).body.data, { word: 'hi' });
    assert.deepEqual((await stack.call('/sample/echo', { word: 'yo' })).body.data, { word: 'yo' });
    const put = await stack.raw('/sample/echo', { method: 'PUT' });
    assert.equal(put.status, 405);
    assert.equal(put.headers.get('allow'), 'GET, POST');
    const bad = await stack.raw('/sample/echo?word=' + 'x'.repeat(30));
    assert.equal(bad.status, 400);
    assert.match(bad.body.msg, /word must be at most 20 characters/);
  });

  it('reads XML and answers XML, with the query at hand; a GET route on the same path reads the query', async () => {
    const echo = await stack.raw('/sample/xml?echostr=abc123');
    assert.equal(echo.status, 200);
    assert.equal(echo.text, 'abc123');
    assert.equal((await stack.raw('/sample/xml', { method: 'PUT' })).headers.get('allow'), 'GET, POST');
    const result = await stack.raw('/sample/xml?nonce=42', { method: 'POST', headers: { 'content-type': 'text/xml' }, body: '<xml><a>1</a></xml>' });
    assert.equal(result.status, 200);
    assert.match(result.headers.get('content-type') ?? '', /^application\/xml/);
    assert.equal(result.text, '<xml><got><![CDATA[<xml><a>1</a></xml>]]></got><q>42</q></xml>');
    const json = await stack.raw('/sample/xml', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    assert.equal(json.status, 415);
    assert.equal(json.body.code, -1);
  });

  it('takes a multipart upload up to its own body limit', async () => {
    const form = (size: number) => {
      const data = new FormData();
      data.append('title', 'a photo');
      data.append('media', new Blob([new Uint8Array(size)], { type: 'image/jpeg' }), 'photo.jpg');
      return data;
    };
    const ok = await stack.raw('/sample/upload', { method: 'POST', body: form(1024 * 1024) });
    assert.equal(ok.status, 200, ok.text);
    assert.deepEqual(ok.body.data, { filename: 'photo.jpg', contentType: 'image/jpeg', size: 1024 * 1024, title: 'a photo' });
    const big = await stack.raw('/sample/upload', { method: 'POST', body: form(3 * 1024 * 1024) });
    assert.equal(big.status, 413);
    assert.match(big.body.msg, /larger than 2 MiB/);
    const notForm = await stack.call('/sample/upload', { media: 'x' });
    assert.equal(notForm.status, 415);
    const noFile = new FormData();
    noFile.append('title', 'nothing');
    const missing = await stack.raw('/sample/upload', { method: 'POST', body: noFile });
    assert.equal(missing.status, 400);
    assert.match(missing.body.msg, /media/);
    // Other routes keep the 64 KiB default.
    assert.equal((await stack.call('/sample/echo', { word: 'x'.repeat(100 * 1024) })).status, 413);
  });

  it('sends a binary answer as it is', async () => {
    const response = await fetch(`${stack.fn.url}/sample/file`, { method: 'POST' });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'image/png');
    assert.match(response.headers.get('content-disposition') ?? '', /filename="dot.png"/);
    assert.deepEqual(new Uint8Array(await response.arrayBuffer()), new Uint8Array([1, 2, 3]));
  });

  it('forwards to WeChat with the account token in one line, behind the admin key', async () => {
    assert.equal((await stack.call('/sample/callback-ip', {})).status, 403);
    const result = await stack.call('/sample/callback-ip', {}, { 'x-api-key': ADMIN_KEY });
    assert.equal(result.status, 200, result.text);
    assert.deepEqual(result.body.data.ip_list, ['127.0.0.1', '::1']);
  });

  it('names every group in the 404 hint', async () => {
    const result = await stack.call('/nothing/here');
    assert.equal(result.status, 404);
    for (const group of [...groups, sample]) assert.match(result.body.hint, new RegExp(`/${group.name}/\\*`));
  });
});
