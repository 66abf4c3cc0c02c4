/**
 * WeChat's errmsg split into its text and its request id (rid), which support asks for.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { splitRid, WeChatError } from '../src/wechat/errcodes.js';

describe('splitRid', () => {
  it('takes the rid off the end of both forms WeChat writes', () => {
    assert.deepEqual(splitRid('invalid code, rid: 6745c1a2-0b4a8c1e-5d2f3e1b'), { text: 'invalid code', rid: '6745c1a2-0b4a8c1e-5d2f3e1b' });
    assert.deepEqual(splitRid('invalid ip 203.0.113.7 ipv6 ::ffff:203.0.113.7, not in whitelist rid: 674-abc'), {
      text: 'invalid ip 203.0.113.7 ipv6 ::ffff:203.0.113.7, not in whitelist',
      rid: '674-abc',
    });
    assert.deepEqual(splitRid('invalid credential hints: [ req_id: Ab12cd34 ]'), { text: 'invalid credential', rid: 'Ab12cd34' });
    assert.deepEqual(splitRid('  system error  '), { text: 'system error' });
    assert.deepEqual(splitRid('rid: only-the-id'), { text: '', rid: 'only-the-id' });
    assert.deepEqual(splitRid('a rid: that is not at the end'), { text: 'a rid: that is not at the end' });
  });

  it('stays linear on a very long errmsg (an upstream answering 400 000 characters)', { timeout: 10_000 }, () => {
    // The old pattern retried from every position: seconds at 40 000 characters, minutes here.
    const long = `${', '.repeat(100_000)}x${' '.repeat(100_000)}rid ${','.repeat(100_000)}`;
    assert.equal(splitRid(long).rid, undefined);
    assert.equal(splitRid(`${long} rid: abc`).rid, 'abc');
    assert.equal(new WeChatError(40001, long, 'global').errcode, 40001);
  });
});
