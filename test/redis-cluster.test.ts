/**
 * REDIS_CLUSTER=1 against a real three-node Redis Cluster started by the test: every account's
 * keys land in their own slot on whichever node owns it, and the function shares its token there.
 */
import assert from 'node:assert/strict';
import { spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Cluster } from 'ioredis';
import { RedisStore } from '../src/store/redis.js';
import { startStack, TEST_APP_ID } from './support/stack.js';
import { freePort } from './support/ports.js';
import { spawnProcess } from './support/spawned.js';

let dir: string;
let nodes: ChildProcess[] = [];
let ports: number[] = [];
let cluster: Cluster;

const cli = (...args: string[]) => spawnSync('redis-cli', args, { encoding: 'utf8' });

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'oa-cluster-'));
  ports = [await freePort(), await freePort(), await freePort()];
  nodes = ports.map((port) =>
    spawnProcess('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`, '--save', '', '--appendonly', 'no', '--dir', dir]).child,
  );
  for (const port of ports) {
    for (let i = 0; cli('-p', String(port), 'ping').stdout.trim() !== 'PONG'; i++) {
      if (i > 100) throw new Error(`redis-server on ${port} did not start`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  const created = cli('--cluster', 'create', ...ports.map((port) => `127.0.0.1:${port}`), '--cluster-replicas', '0', '--cluster-yes');
  assert.equal(created.status, 0, created.stdout + created.stderr);
  for (let i = 0; !cli('-p', String(ports[0]), 'cluster', 'info').stdout.includes('cluster_state:ok'); i++) {
    if (i > 200) throw new Error('the cluster did not become ready');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  cluster = new Cluster([{ host: '127.0.0.1', port: ports[0] }]);
});

after(async () => {
  cluster?.disconnect();
  for (const node of nodes) node.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

const appIds = Array.from({ length: 12 }, (_, i) => `wx${String(i).padStart(2, '0')}${'ab'.repeat(7)}`);

describe('REDIS_CLUSTER=1', () => {
  it('runs every store operation for accounts whose keys live on different nodes', async () => {
    const store = new RedisStore(`redis://127.0.0.1:${ports[0]}`, { cluster: true });
    assert.equal(await store.connect(5000), true);
    try {
      const slots = new Set<number>();
      for (const appId of appIds) {
        const key = `oa:{${appId}}:token:stable`;
        slots.add(Number(await cluster.cluster('KEYSLOT', key)));
        await store.set(key, `token-of-${appId}`, 60_000);
        assert.equal(await store.get(key), `token-of-${appId}`);
        assert.equal(await store.setIfAbsent(`oa:{${appId}}:lock:token`, 'me', 5000), true);
        assert.equal(await store.setIfAbsent(`oa:{${appId}}:lock:token`, 'other', 5000), false);
        assert.equal(await store.deleteIf(`oa:{${appId}}:lock:token`, 'me'), true);
        assert.equal(await store.increment(`oa:{${appId}}:ratelimit:x`, 60_000), 1);
      }
      assert.ok(slots.size > 3, 'the accounts spread over the cluster');
    } finally {
      await store.close();
    }
  });

  it('is needed: a plain client on one node is refused for keys another node owns', async () => {
    const plain = new RedisStore(`redis://127.0.0.1:${ports[0]}`);
    await plain.connect(5000);
    try {
      const outcomes = await Promise.all(appIds.map((appId) => plain.get(`oa:{${appId}}:token:stable`).then(() => 'ok', (error: Error) => error.message)));
      assert.ok(outcomes.some((outcome) => /MOVED/.test(outcome)), outcomes.join(' | '));
    } finally {
      await plain.close();
    }
  });

  it('lets the function keep the account token in the cluster', async () => {
    const stack = await startStack({ env: { REDIS_URL: `redis://127.0.0.1:${ports[1]}`, REDIS_CLUSTER: '1', ADMIN_API_KEY: 'cluster-admin-key-0123456789abcdef' } });
    try {
      const result = await stack.call('/token/get', {}, { 'x-api-key': 'cluster-admin-key-0123456789abcdef' });
      assert.equal(result.status, 200, result.text);
      const stored = await cluster.get(`oa:{${TEST_APP_ID}}:token:stable`);
      assert.ok(stored?.includes(result.body.data.access_token), 'the token is in the cluster');
      assert.ok(!stack.logs.some((line) => /Redis/i.test(line) && /"level":40/.test(line)), 'no fallback warning');
    } finally {
      await stack.close();
    }
  });
});
