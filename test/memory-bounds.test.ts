/**
 * Memory an attacker cannot grow: the in-process rate-limit counters hold a fixed number of
 * callers however many forged ones arrive (and still refuse the caller over its limit), and log
 * lines that stdout cannot take fast enough are dropped and counted rather than held. Measured as
 * the bench does: live heap after full collections.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { constants, mkdtempSync, openSync, rmSync } from 'node:fs';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { ManualClock } from '../src/clock.js';
import { composeServices } from '../src/compose.js';
import { loadConfig } from '../src/config.js';
import { createRateLimit } from '../src/function/rate-limit.js';
import { createLogger, stdoutDestination } from '../src/log.js';
import { TEST_APP_ID, TEST_APP_SECRET } from './support/stack.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function liveHeap(): number {
  for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage().heapUsed;
}

const MiB = 1024 * 1024;

describe('the rate-limit counters', () => {
  it('stay bounded under 300 000 forged callers in one minute, and still refuse the caller over its limit', async () => {
    const clock = new ManualClock(Date.UTC(2026, 10, 24, 4, 0, 0));
    const config = loadConfig({ appId: TEST_APP_ID, appSecret: TEST_APP_SECRET, AUTH_MODE: 'gateway', RATE_LIMIT_PER_MINUTE: '5' });
    const composed = await composeServices({ config, clock, logger: createLogger({ level: 'silent', destination: new Writable({ write: (_c, _e, done) => done() }) }) });
    try {
      const limit = createRateLimit({ store: composed.services.counters, clock, perMinute: 5, namespace: `oa:{${TEST_APP_ID}}:ratelimit` });
      const heavy = { kind: 'user' as const, identity: 'sub:the-one-in-a-loop' };
      const start = liveHeap();
      let refusedHeavy = 0;
      for (let i = 0; i < 300_000; i++) {
        await limit.check('user', { kind: 'user', identity: `sub:forged-${i}-${'x'.repeat(40)}` }, undefined);
        if (i % 1000 === 0) {
          await limit.check('user', heavy, undefined).catch(() => refusedHeavy++);
        }
      }
      const grown = (liveHeap() - start) / MiB;
      assert.ok(grown < 40, `live heap grew ${grown.toFixed(1)} MiB`);
      assert.equal(refusedHeavy, 300 - 5, 'the caller over its limit stays refused while forged callers come and go');
    } finally {
      await composed.close();
    }
  });
});

describe('the log buffer', () => {
  it('drops and counts lines a stalled stdout cannot take, says so once, and stays bounded', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'oa-log-'));
    const fifo = path.join(dir, 'stdout');
    execFileSync('mkfifo', [fifo]);
    // A reader that does not read yet: the pipe fills, as when whoever reads stdout falls behind.
    const readFd = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    const writeFd = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
    const destination = stdoutDestination({ fd: writeFd, maxBytes: 4 * MiB });
    const logger = createLogger({ destination });
    try {
      const start = liveHeap();
      for (let i = 0; i < 200_000; i++) logger.info({ reqId: `r-${i}`, method: 'POST', path: '/no/such/route', status: 404, ms: 0.4 }, 'request');
      const grown = (liveHeap() - start) / MiB;
      assert.ok(grown < 12, `live heap grew ${grown.toFixed(1)} MiB while 200 000 lines waited`);
      assert.ok(destination.dropped > 100_000, `${destination.dropped} lines dropped`);

      // Once the reader catches up, the drop is reported, once.
      let text = '';
      // A pipe opened non-blocking is read through libuv, as Node reads process.stdin.
      const reader = new Socket({ fd: readFd, readable: true, writable: false });
      await new Promise<void>((resolve) => {
        reader.on('data', (chunk) => {
          text += chunk;
          if (text.includes('log output was dropped')) resolve();
        });
      });
      // The reader keeps reading while the rest is written out and the destination closes.
      destination.end();
      await once(destination, 'close');
      reader.destroy();
      const reports = text.split('\n').filter((line) => line.includes('log output was dropped'));
      assert.equal(reports.length, 1);
      assert.ok(JSON.parse(reports[0]).dropped > 100_000);
    } finally {
      if (!(destination as unknown as { destroyed: boolean }).destroyed) destination.destroy();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
