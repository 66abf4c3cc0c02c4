/**
 * What the API-group tests assert of every route: WeChat's refusals reach the caller with
 * errcode, msg and hint, and a body WeChat would refuse gets a 400 without any WeChat call.
 */
import assert from 'node:assert/strict';
import type { CallResult, Stack } from './stack.js';

/** A failure in the envelope: the status, code -1, no data, msg in words (and WeChat's errcode, when given). */
export function assertFailure(result: CallResult, status: number, msg: RegExp, errcode?: number): void {
  assert.equal(result.status, status, result.text);
  assert.equal(result.body.code, -1);
  assert.equal(result.body.data, null);
  assert.match(result.body.msg, msg);
  if (errcode !== undefined) assert.equal(result.body.errcode, errcode, result.text);
}

/** WeChat's refusal in the envelope: the status, the errcode, a hint. */
export function assertWeChatError(result: CallResult, status: number, errcode: number): void {
  assert.equal(result.status, status, result.text);
  assert.equal(result.body.code, -1);
  assert.equal(result.body.errcode, errcode, result.text);
  assert.match(result.body.msg, new RegExp(`\\[${errcode}\\]`));
  assert.ok(result.body.hint, 'a hint says what to do');
}

/** A refused body: 400 naming the field, and the emulator saw no call. */
export async function assertRefused(stack: Stack, headers: Record<string, string>, path: string, body: unknown, field: RegExp): Promise<void> {
  stack.emulator.resetCounts();
  const result = await stack.call(path, body, headers);
  assert.equal(result.status, 400, result.text);
  assert.equal(result.body.code, -1);
  assert.match(result.body.msg, field);
  assert.deepEqual(stack.emulator.counts(), {}, `${path}: no WeChat call for ${JSON.stringify(body).slice(0, 80)}`);
}
