/**
 * The start log of a production start (`cli start`, what scf_bootstrap runs): the address the
 * server is really bound to, and a warning when WeChat's base URL points at this machine or a
 * private network, where no WeChat is.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { isLocalHost } from '../src/lifecycle.js';
import { freePort } from './support/ports.js';
import { spawnFunction } from './support/spawned.js';
import { TEST_APP_ID, TEST_APP_SECRET } from './support/stack.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

async function startProduction(env: Record<string, string>) {
  const port = await freePort();
  const fn = await spawnFunction(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'start'], {
    cwd: root,
    env: { NODE_ENV: 'production', appId: TEST_APP_ID, appSecret: TEST_APP_SECRET, PORT: String(port), ...env },
  });
  fn.child.kill('SIGTERM');
  await fn.exited;
  return { port, lines: fn.stdout.map((line) => JSON.parse(line)) };
}

describe('the production start log', () => {
  it('says the address it is bound to: every interface by default, 127.0.0.1 when HOST says so', async () => {
    const all = await startProduction({});
    const listening = all.lines.find((line) => line.msg === 'offiaccount-common listening');
    assert.equal(listening.url, `http://0.0.0.0:${all.port}`);

    const loopback = await startProduction({ HOST: '127.0.0.1' });
    assert.equal(loopback.lines.find((line) => line.msg === 'offiaccount-common listening').url, `http://127.0.0.1:${loopback.port}`);
  });

  it('warns when WECHAT_API_BASE_URL is a loopback or private address, and is quiet for WeChat', async () => {
    // https, as a production start wants; a loopback port where nothing listens.
    const base = `https://127.0.0.1:${await freePort()}`;
    const local = await startProduction({ WECHAT_API_BASE_URL: base });
    const warning = local.lines.find((line) => line.level === 40 && /WECHAT_API_BASE_URL/.test(line.msg));
    assert.ok(warning, local.lines.map((line) => line.msg).join('\n'));
    assert.equal(warning.WECHAT_API_BASE_URL, base);
    assert.ok(!JSON.stringify(local.lines).includes(TEST_APP_SECRET));

    const real = await startProduction({});
    assert.ok(!real.lines.some((line) => /WECHAT_API_BASE_URL/.test(line.msg)));
  });

  it('knows which hosts are local', () => {
    for (const host of ['localhost', 'api.localhost', '127.0.0.1', '127.8.0.1', '10.0.0.5', '172.20.1.1', '192.168.1.10', '169.254.1.1', '[::1]', 'fd00::1', '[::ffff:10.1.2.3]']) {
      assert.equal(isLocalHost(host), true, host);
    }
    for (const host of ['api.weixin.qq.com', '172.32.0.1', '8.8.8.8', '[2001:db8::1]', 'localhost.example.com']) {
      assert.equal(isLocalHost(host), false, host);
    }
  });
});
