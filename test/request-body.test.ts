/**
 * Request bodies are read straight from the socket (src/function/body.ts) with the 64 KiB
 * limit enforced while reading, whether or not the client declared a length.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_BODY_LIMIT as MAX_BODY_BYTES } from '../src/function/route.js';
import { startStack, type Stack } from './support/stack.js';

let stack: Stack;
before(async () => {
  stack = await startStack();
});
after(() => stack.close());

/** A body with no Content-Length: sent chunked, so only counting while reading can catch it. */
function chunked(text: string, size = 8192): RequestInit {
  const bytes = new TextEncoder().encode(text);
  const body = new ReadableStream({
    start(controller) {
      for (let at = 0; at < bytes.length; at += size) controller.enqueue(bytes.subarray(at, at + size));
      controller.close();
    },
  });
  return { method: 'POST', headers: { 'content-type': 'application/json' }, body, duplex: 'half' } as RequestInit;
}

/** A JSON body of exactly `size` bytes. */
const bodyOf = (size: number) => {
  const shell = JSON.stringify({ pad: '' });
  return JSON.stringify({ pad: 'p'.repeat(size - shell.length) });
};

describe('request bodies', () => {
  test('a chunked body over 64 KiB is refused with 413 and the envelope, and the function keeps serving', async () => {
    const result = await stack.raw('/oauth/config', chunked(bodyOf(MAX_BODY_BYTES + 1)));
    assert.equal(result.status, 413);
    assert.equal(result.body.code, -1);
    assert.match(result.body.msg, /larger than 64 KiB/);
    assert.ok(result.body.requestId);
    const next = await stack.call('/oauth/config', {});
    assert.equal(next.status, 200);
  });

  test('a body of exactly 64 KiB is read, chunked or not', async () => {
    const exact = bodyOf(MAX_BODY_BYTES);
    assert.equal(Buffer.byteLength(exact), MAX_BODY_BYTES);
    assert.equal((await stack.raw('/oauth/config', chunked(exact))).status, 200);
    assert.equal((await stack.raw('/oauth/config', { method: 'POST', headers: { 'content-type': 'application/json' }, body: exact })).status, 200);
  });

  test('multi-byte characters sent in pieces that split them arrive whole', async () => {
    const code = '码'.repeat(300);
    // 7-byte pieces cut most of the 3-byte characters in two.
    const result = await stack.raw('/oauth/token', chunked(JSON.stringify({ code }), 7));
    // Intact, the code is 300 characters and passes the 512-character bound, so WeChat (which does not
    // know it) is the one refusing; decoded piece by piece, each cut character would turn into
    // replacement characters and push it past the bound.
    assert.equal(result.status, 400);
    assert.match(result.body.msg, /WeChat API error \[40029\]/);
  });

  test('a leading byte-order mark is ignored, as browsers send it from some editors', async () => {
    const result = await stack.raw('/oauth/config', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '\ufeff{}' });
    assert.equal(result.status, 200);
  });
});
