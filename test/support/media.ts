/** Shared pieces of the media, draft and publish tests: a stack with an admin key, forms and files. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startStack, TEST_APP_SECRET, type CallResult, type Stack } from './stack.js';
import { ADMIN_KEY, randomAppId } from './random-account.js';

export const ADMIN = { 'x-api-key': ADMIN_KEY };

export async function mediaStack(): Promise<Stack & { appId: string }> {
  const appId = randomAppId();
  const stack = await startStack({ env: { appId, ADMIN_API_KEY: ADMIN_KEY, RATE_LIMIT_PER_MINUTE: '0' } });
  stack.emulator.addApp({ appId, appSecret: TEST_APP_SECRET });
  return Object.assign(stack, { appId });
}

/** A multipart upload with the admin key. */
export function upload(stack: Stack, path: string, file: { name: string; bytes: Uint8Array; type?: string } | undefined, fields: Record<string, string> = {}): Promise<CallResult> {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  if (file) form.append('media', new Blob([file.bytes as Uint8Array<ArrayBuffer>], { type: file.type ?? 'application/octet-stream' }), file.name);
  return stack.raw(path, { method: 'POST', headers: ADMIN, body: form });
}

export const bytes = (size: number): Uint8Array => new Uint8Array(randomBytes(size));

export function assertFailure(result: CallResult, status: number, msg: RegExp, errcode?: number): void {
  assert.equal(result.status, status, result.text);
  assert.equal(result.body.code, -1, result.text);
  assert.equal(result.body.data, null);
  assert.match(result.body.msg, msg);
  if (errcode !== undefined) assert.equal(result.body.errcode, errcode, result.text);
}

/** A permanent thumb material, the cover every draft article needs. */
export async function thumbMaterial(stack: Stack): Promise<string> {
  const added = await upload(stack, '/media/add_material', { name: 'cover.jpg', bytes: bytes(2048), type: 'image/jpeg' }, { type: 'thumb' });
  assert.equal(added.status, 200, added.text);
  return added.body.data.media_id;
}

/** Neither the global token the function holds nor the AppSecret is in any response or log line so far. */
export async function assertNoCredentials(stack: Stack): Promise<void> {
  const { access_token } = await stack.fn.composed.services.credentials.accessToken();
  const seen = [...stack.responses, ...stack.logs].join('\n');
  assert.ok(access_token.length > 10);
  assert.ok(!seen.includes(access_token), 'the global access_token appears in a response or log line');
  assert.ok(!seen.includes(TEST_APP_SECRET), 'the AppSecret appears in a response or log line');
  assert.ok(!/access_token=/.test(seen), 'a URL carrying an access_token appears');
}
