/**
 * JS-SDK signatures: WeChat's published vectors, the URL rules that cause "invalid signature"
 * in the field, and /jssdk/config over real HTTP against the emulator.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { jsapiSignature, nonce, urlToSign } from '../src/wechat/jssdk.js';
import { AppError } from '../src/errors.js';
import { credentialKeys } from '../src/wechat/credentials.js';
import { startStack, TEST_APP_SECRET, type Stack } from './support/stack.js';
import { randomAppId } from './support/random-account.js';

const TICKET = 'sM4AOVdWfPE4DxkXGEs8VMCPGGVi4C3VM0P37wVUCFvkVAy_90u5h9nbSlYy3-Sl-HhTdfl2fzFy1AOcHKP7qg';
const NONCE = 'Wm3WZYTPz0wzccnW';
const TIMESTAMP = 1414587457;

describe('signature (wechat-api.md §C vectors)', () => {
  it('matches the vector for a URL with a query', () => {
    assert.equal(
      jsapiSignature({ ticket: TICKET, nonceStr: NONCE, timestamp: TIMESTAMP, url: urlToSign('http://mp.weixin.qq.com?params=value') }),
      '0f9de62fce790f9a083d5c99e95740ceb90c27ed',
    );
  });

  it('matches the vector for a bare URL', () => {
    assert.equal(
      jsapiSignature({ ticket: TICKET, nonceStr: NONCE, timestamp: String(TIMESTAMP), url: urlToSign('http://mp.weixin.qq.com') }),
      'f4d90daf4b3bca3078ab155816175ba34c443a7b',
    );
  });

  it('signs the page without its #fragment, and the URL exactly as given otherwise', () => {
    assert.equal(urlToSign('http://mp.weixin.qq.com?params=value#/orders/42?tab=1'), 'http://mp.weixin.qq.com?params=value');
    assert.equal(
      jsapiSignature({ ticket: TICKET, nonceStr: NONCE, timestamp: TIMESTAMP, url: urlToSign('http://mp.weixin.qq.com?params=value#wechat_redirect') }),
      '0f9de62fce790f9a083d5c99e95740ceb90c27ed',
    );
    // No normalization: a trailing slash or re-encoding would change what WeChat compares.
    assert.equal(urlToSign('https://Example.com:8443/a%20b/?q=%E4%B8%AD&x=1'), 'https://Example.com:8443/a%20b/?q=%E4%B8%AD&x=1');
  });

  it('refuses anything that is not an absolute http(s) URL, naming the field', () => {
    for (const bad of ['javascript:alert(1)', 'ftp://example.com/file', '/relative/page', 'example.com/page', 'not a url', '#only-fragment', 'data:text/html,hi']) {
      assert.throws(
        () => urlToSign(bad),
        (error: unknown) => error instanceof AppError && error.kind === 'bad_request' && /^url must be/.test(error.message),
        bad,
      );
    }
  });

  it('makes 16-character alphanumeric nonces that do not repeat', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const value = nonce();
      assert.match(value, /^[A-Za-z0-9]{16}$/);
      seen.add(value);
    }
    assert.equal(seen.size, 2000);
  });
});

describe('/jssdk/config', () => {
  let stack: Stack;
  before(async () => {
    const appId = randomAppId();
    stack = await startStack({ env: { appId, RATE_LIMIT_PER_MINUTE: '0' } });
    stack.emulator.addApp({ appId, appSecret: TEST_APP_SECRET });
  });
  after(async () => {
    await stack.close();
  });

  it('returns what wx.config needs, signed with the current ticket', async () => {
    const page = 'https://shop.example.com/pay?order=42&from=menu#/checkout';
    const result = await stack.call('/jssdk/config', { url: page, jsApiList: ['chooseWXPay', 'updateAppMessageShareData'] });
    assert.equal(result.status, 200, result.text);
    assert.equal(result.body.code, 0);
    const data = result.body.data;
    assert.deepEqual(Object.keys(data).sort(), ['appId', 'jsApiList', 'nonceStr', 'signature', 'timestamp']);
    assert.equal(data.appId, stack.config.appId);
    assert.equal(data.timestamp, Math.floor(stack.clock.now() / 1000), 'timestamp in seconds from the clock');
    assert.match(data.nonceStr, /^[A-Za-z0-9]{16}$/);
    assert.deepEqual(data.jsApiList, ['chooseWXPay', 'updateAppMessageShareData']);

    // Recompute with the ticket the function holds: the fragment must not have been signed.
    const ticket = await stack.fn.composed.services.credentials.jsapiTicket();
    assert.equal(data.signature, jsapiSignature({ ticket, nonceStr: data.nonceStr, timestamp: data.timestamp, url: 'https://shop.example.com/pay?order=42&from=menu' }));
    assert.doesNotMatch(result.text, new RegExp(ticket), 'the ticket itself is never returned');
  });

  it('fetches the ticket once and reuses it, with a fresh nonce per call', async () => {
    stack.emulator.resetCounts();
    const results = await Promise.all(Array.from({ length: 20 }, () => stack.call('/jssdk/config', { url: 'http://mp.weixin.qq.com?params=value' })));
    for (const result of results) assert.equal(result.status, 200, result.text);
    assert.equal(new Set(results.map((r) => r.body.data.nonceStr)).size, 20);
    assert.equal(stack.emulator.counts()['/cgi-bin/ticket/getticket'] ?? 0, 0, 'ticket cached from the first test');
    assert.equal(results[0].body.data.jsApiList, undefined, 'nothing echoed when not asked');
  });

  it('answers a bad url with 400 naming the field, before touching WeChat', async () => {
    stack.emulator.resetCounts();
    for (const [body, pattern] of [
      [{ url: 'ftp://example.com/' }, /^url must be an http\(s\) URL/],
      [{ url: 'javascript:alert(1)' }, /^url must be an http\(s\) URL/],
      [{ url: '/page' }, /^url must be an absolute http\(s\) URL/],
      [{}, /url is required/],
      [{ url: 42 }, /url must be a string/],
      [{ url: 'https://e.com/', jsApiList: 'chooseImage' }, /jsApiList must be an array/],
    ] as const) {
      const result = await stack.call('/jssdk/config', body);
      assert.equal(result.status, 400, result.text);
      assert.equal(result.body.code, -1);
      assert.equal(result.body.data, null);
      assert.match(result.body.msg, pattern);
    }
    assert.deepEqual(stack.emulator.counts(), {});
  });

  it('renews the ticket when it expires', async () => {
    const before = await stack.fn.composed.services.credentials.jsapiTicket();
    stack.emulator.resetCounts();
    stack.clock.advance(7200 * 1000);
    const result = await stack.call('/jssdk/config', { url: 'https://e.com/' });
    assert.equal(result.status, 200, result.text);
    assert.equal(stack.emulator.counts()['/cgi-bin/ticket/getticket'], 1);
    assert.notEqual(await stack.fn.composed.services.credentials.jsapiTicket(), before);
  });

  it('on 40001 from getticket, renews the token and retries once', async () => {
    const services = stack.fn.composed.services;
    const { access_token: stale } = await services.credentials.accessToken();
    stack.emulator.invalidateAccessToken(stale);
    // No ticket cached (as on a cold start) while the cached token is one WeChat no longer accepts.
    await services.store.delete(credentialKeys(stack.config.appId).ticket);
    stack.emulator.resetCounts();
    const result = await stack.call('/jssdk/config', { url: 'https://e.com/' });
    assert.equal(result.status, 200, result.text);
    const counts = stack.emulator.counts();
    assert.equal(counts['/cgi-bin/ticket/getticket'], 2, 'refused once, then retried');
    assert.equal(counts['/cgi-bin/stable_token'], 1, 'one new token');
    assert.notEqual((await services.credentials.accessToken()).access_token, stale);
  });
});
