/**
 * A stack for an API group's tests: a fresh account with the admin key, calls made as the admin,
 * WeChat's answers checked, and the scan that no answer or log line carries the account's
 * global token or the AppSecret.
 */
import assert from 'node:assert/strict';
export { assertWeChatError } from './api-assertions.js';
import { startStack, TEST_APP_SECRET, type CallResult, type Stack } from './stack.js';
import { ADMIN_KEY, randomAppId } from './random-account.js';

export interface GroupStack {
  stack: Stack;
  appId: string;
  /** A call with the admin key. */
  admin(path: string, body?: unknown): Promise<CallResult>;
  /** A new follower of the account; its openid. */
  follow(name: string): string;
  /** The account's global token, read straight from WeChat's side (for direct emulator calls). */
  globalToken(): Promise<string>;
}

export async function startGroupStack(): Promise<GroupStack> {
  const appId = randomAppId();
  const stack = await startStack({ env: { appId, ADMIN_API_KEY: ADMIN_KEY, RATE_LIMIT_PER_MINUTE: '0' } });
  stack.emulator.addApp({ appId, appSecret: TEST_APP_SECRET });
  return {
    stack,
    appId,
    admin: (path, body = {}) => stack.call(path, body, { 'x-api-key': ADMIN_KEY }),
    follow: (name) => stack.emulator.audience.follow(appId, name).openid,
    async globalToken() {
      const response = await fetch(`${stack.emulatorUrl}/cgi-bin/stable_token`, {
        method: 'POST',
        body: JSON.stringify({ grant_type: 'client_credential', appid: appId, secret: TEST_APP_SECRET }),
      });
      return ((await response.json()) as { access_token: string }).access_token;
    },
  };
}

/** A success: code 0 and WeChat's answer as data. */
export function assertOk(result: CallResult): any {
  assert.equal(result.status, 200, result.text);
  assert.equal(result.body.code, 0, result.text);
  return result.body.data;
}

/** A 400 naming the field, before any WeChat call. */
export async function assertRefusedBeforeWeChat(group: GroupStack, path: string, body: unknown, field: RegExp): Promise<void> {
  const before = group.stack.emulator.counts();
  const result = await group.admin(path, body);
  assert.equal(result.status, 400, result.text);
  assert.equal(result.body.code, -1);
  assert.match(result.body.msg, field);
  assert.deepEqual(group.stack.emulator.counts(), before, `${path} called WeChat`);
}

/** No answer and no log line carries the account's global token or the AppSecret. */
export async function assertNoCredentialLeaks(group: GroupStack): Promise<void> {
  const answers = group.stack.responses.join('\n');
  const logs = group.stack.logs.join('\n');
  assert.ok(group.stack.responses.length > 0 && group.stack.logs.length > 0);
  for (const [what, secret] of [
    ['AppSecret', TEST_APP_SECRET],
    ['global token', await group.globalToken()],
  ]) {
    assert.ok(!answers.includes(secret), `${what} in an answer`);
    assert.ok(!logs.includes(secret), `${what} in a log line`);
  }
}
