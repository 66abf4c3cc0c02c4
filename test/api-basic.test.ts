/**
 * The basic group over real HTTP against the emulator: WeChat's IP lists and the callback
 * network check, its body validated before any WeChat call, and WeChat's 45009 reaching the
 * caller as a 503 that names /openapi/clear_quota.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { startStack, TEST_APP_SECRET, type Stack } from './support/stack.js';
import { assertFailure } from './support/api-assertions.js';
import { ADMIN_KEY } from './support/random-account.js';

const ADMIN = { 'x-api-key': ADMIN_KEY };
let stack: Stack;
before(async () => {
  stack = await startStack({ env: { ADMIN_API_KEY: ADMIN_KEY, RATE_LIMIT_PER_MINUTE: '0' } });
});
after(() => stack.close());
beforeEach(() => stack.emulator.resetCounts());

const admin = (path: string, body: unknown = {}) => stack.call(path, body, ADMIN);

describe("WeChat's IP lists", () => {
  it('answers the addresses behind the API and those WeChat pushes from, as WeChat lists them', async () => {
    for (const [path, endpoint] of [
      ['/basic/api_ips', '/cgi-bin/get_api_domain_ip'],
      ['/basic/callback_ips', '/cgi-bin/getcallbackip'],
    ]) {
      const result = await admin(path);
      assert.equal(result.status, 200, result.text);
      assert.ok(Array.isArray(result.body.data.ip_list) && result.body.data.ip_list.length > 0, result.text);
      assert.equal(stack.emulator.counts()[endpoint], 1);
    }
  });

  it("answers WeChat's 45009 as a 503 that says to reset with /openapi/clear_quota", async () => {
    stack.emulator.failNext('/cgi-bin/get_api_domain_ip', 45009);
    const result = await admin('/basic/api_ips');
    assertFailure(result, 503, /^WeChat API error \[45009\]/, 45009);
    assert.match(result.body.hint, /\/openapi\/clear_quota/);
  });
});

describe('/basic/callback_check', () => {
  it('answers the dns and ping results for the action and carrier asked', async () => {
    const all = await admin('/basic/callback_check', { action: 'all', check_operator: 'UNICOM' });
    assert.equal(all.status, 200, all.text);
    assert.equal(all.body.data.dns[0].real_operator, 'UNICOM');
    assert.equal(all.body.data.ping[0].from_operator, 'UNICOM');
    assert.equal(all.body.data.ping[0].package_loss, '0%');
    const dns = await admin('/basic/callback_check', { action: 'dns', check_operator: 'DEFAULT' });
    assert.equal(dns.body.data.dns.length, 1);
    assert.deepEqual(dns.body.data.ping, []);
    const ping = await admin('/basic/callback_check', { action: 'ping', check_operator: 'CAP' });
    assert.deepEqual(ping.body.data.dns, []);
    assert.equal(ping.body.data.ping.length, 1);
  });

  it('refuses an action or carrier WeChat does not know before calling WeChat', async () => {
    assertFailure(await admin('/basic/callback_check', { action: 'trace', check_operator: 'CHINANET' }), 400, /action/);
    assertFailure(await admin('/basic/callback_check', { action: 'all', check_operator: 'MOBILE' }), 400, /check_operator/);
    assertFailure(await admin('/basic/callback_check', {}), 400, /action|check_operator/);
    assert.deepEqual(stack.emulator.counts(), {});
  });
});

describe('who may use /basic/*', () => {
  it('answers only the admin key, and never shows the AppSecret or a token', async () => {
    for (const path of ['/basic/api_ips', '/basic/callback_ips', '/basic/callback_check']) {
      assertFailure(await stack.call(path, { action: 'all', check_operator: 'DEFAULT' }), 403, /X-Api-Key/);
    }
    assert.deepEqual(stack.emulator.counts(), {});
    for (const text of [...stack.responses, ...stack.logs]) {
      assert.ok(!text.includes(TEST_APP_SECRET), text);
      assert.doesNotMatch(text, /access_token=|"access_token":"/, text);
    }
  });
});
