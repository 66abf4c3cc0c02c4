/**
 * The deploy folder, as CloudBase would get it: built with `npm run build`, copied into an
 * empty directory far from any node_modules, and started through its own scf_bootstrap.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { freePort } from './support/ports.js';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startEmulator, type RunningEmulator } from '../src/emulator/index.js';
import { spawnFunction, spawnProcess, type SpawnedFunction } from './support/spawned.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const APP_ID = 'wx1234567890abcdef';
const APP_SECRET = 'S3cretS3cretS3cretS3cretS3cret42';
const BEARER = { authorization: 'Bearer header.payload.signature' };

let emulator: RunningEmulator;
let dir: string;
let fn: SpawnedFunction | undefined;


const post = (url: string, body: unknown) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...BEARER }, body: JSON.stringify(body) });

before(async () => {
  await promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/build-deploy.ts'], { cwd: root });
  dir = await mkdtemp(path.join(tmpdir(), 'offiaccount-deploy-'));
  await cp(path.join(root, 'deploy'), dir, { recursive: true });
  emulator = await startEmulator({ port: 0, host: '127.0.0.1', apps: [{ appId: APP_ID, appSecret: APP_SECRET }] });
});

after(async () => {
  fn?.kill();
  await emulator?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the deploy folder', () => {
  test('holds the bundle (an entry and its chunks), an executable LF scf_bootstrap, a dependency-free package.json and an HTTP cloudbaserc.json', async () => {
    assert.deepEqual((await readdir(dir)).sort(), ['chunks', 'cloudbaserc.json', 'index.mjs', 'package.json', 'scf_bootstrap']);
    const chunks = await readdir(path.join(dir, 'chunks'));
    assert.ok(chunks.length > 0 && chunks.every((name) => name.endsWith('.mjs')), `chunks/ holds bundle files only: ${chunks.join(', ')}`);

    const bootstrap = await readFile(path.join(dir, 'scf_bootstrap'), 'utf8');
    assert.ok(bootstrap.startsWith('#!/bin/bash\n'));
    assert.ok(!bootstrap.includes('\r'), 'LF line endings only');
    assert.equal((await stat(path.join(dir, 'scf_bootstrap'))).mode & 0o777, 0o755);

    const pkg = JSON.parse(await readFile(path.join(dir, 'package.json'), 'utf8'));
    assert.equal(pkg.main, 'index.mjs');
    assert.equal(pkg.dependencies, undefined);

    const rc = JSON.parse(await readFile(path.join(dir, 'cloudbaserc.json'), 'utf8'));
    const [fnConfig] = rc.functions;
    assert.equal(fnConfig.type, 'HTTP');
    assert.match(fnConfig.runtime, /^Nodejs(2\d)/);
    assert.equal(fnConfig.installDependency, false);
    for (const name of ['appId', 'appSecret', 'corsAllowOrigin', 'ADMIN_API_KEY', 'REDIS_URL', 'AUTH_MODE']) {
      assert.ok(name in fnConfig.envVariables, `cloudbaserc.json lists ${name}`);
    }
    // The template never carries a secret itself: the credentials are variables the CLI fills in.
    assert.equal(fnConfig.envVariables.appSecret, '{{env.appSecret}}');

    // Neither the emulator nor the local-run pages are in the production bundle.
    let bundle = await readFile(path.join(dir, 'index.mjs'), 'utf8');
    for (const name of chunks) bundle += await readFile(path.join(dir, 'chunks', name), 'utf8');
    // (markers: the emulator's bench-code pattern, the demo's path, the reference page's style policy)
    for (const marker of ['bench-', '/demo/', "style-src 'unsafe-inline'"]) {
      assert.ok(!bundle.includes(marker), `the bundle contains ${JSON.stringify(marker)}`);
    }
  });

  test('scf_bootstrap starts it on PORT with no node_modules anywhere; a code exchange works against the emulator', async () => {
    const port = await freePort();
    fn = await spawnFunction(path.join(dir, 'scf_bootstrap'), [], {
      cwd: dir,
      env: { PORT: String(port), appId: APP_ID, appSecret: APP_SECRET, WECHAT_API_BASE_URL: emulator.url },
    });
    assert.equal(fn.port, port);

    const health = (await (await fetch(`${fn.url}/`)).json()) as any;
    assert.equal(health.code, 0);
    assert.equal(health.data.name, 'offiaccount-common');
    assert.equal(health.data.mode, 'wechat');

    const code = emulator.emulator.issueCode({ appId: APP_ID, scope: 'snsapi_base', user: 'alice' });
    const response = await post(`${fn.url}/oauth/token`, { code });
    const body = (await response.json()) as any;
    assert.equal(response.status, 200, JSON.stringify(body));
    assert.equal(body.code, 0);
    assert.match(body.data.openid, /^o/);
    assert.equal(body.data.scope, 'snsapi_base');
    assert.equal(emulator.emulator.counts()['/sns/oauth2/access_token'], 1);

    // The gateway form of the same route answers too, and the API document is there.
    const config = await post(`${fn.url}/v1/functions/offiaccount-common/oauth/config?webfn=true`, {});
    assert.equal(((await config.json()) as any).data.appId, APP_ID);
    assert.equal((await fetch(`${fn.url}/openapi.json`)).status, 200);

    // It runs as production: the secret is in no log line.
    assert.ok(fn.stdout.every((line) => !line.includes(APP_SECRET)));
    fn.child.kill('SIGTERM');
    assert.deepEqual(await fn.exited, { code: 0, signal: null });
  });

  test("a rebuild replaces its own files and leaves the user's deploy/.env.local as it was", async () => {
    const out = await mkdtemp(path.join(tmpdir(), 'offiaccount-rebuild-'));
    try {
      const secrets = 'ENV_ID=my-env\nappId=wx1234567890abcdef\nappSecret=kept-across-builds\n';
      await writeFile(path.join(out, '.env.local'), secrets);
      await writeFile(path.join(out, 'index.mjs'), 'stale output');
      await mkdir(path.join(out, 'chunks'));
      await writeFile(path.join(out, 'chunks', 'stale-OLDHASH1.mjs'), 'stale chunk');
      await promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/build-deploy.ts', '--out', out], { cwd: root });
      assert.equal(await readFile(path.join(out, '.env.local'), 'utf8'), secrets);
      assert.notEqual(await readFile(path.join(out, 'index.mjs'), 'utf8'), 'stale output');
      assert.deepEqual((await readdir(out)).sort(), ['.env.local', 'chunks', 'cloudbaserc.json', 'index.mjs', 'package.json', 'scf_bootstrap']);
      assert.ok(!(await readdir(path.join(out, 'chunks'))).includes('stale-OLDHASH1.mjs'), 'chunks of an earlier build are gone');
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });

  test('scf_bootstrap starts no process but Node itself, and Node once: it runs with nothing but node on PATH', async () => {
    // A stand-in for node that notes each start; PATH holds nothing else, so any other
    // command the script ran (ls, sort, dirname) would fail it.
    const bin = await mkdtemp(path.join(tmpdir(), 'offiaccount-bin-'));
    try {
      const starts = path.join(bin, 'starts.log');
      await writeFile(path.join(bin, 'node'), `#!/bin/bash\necho "$*" >> ${starts}\nexec ${process.execPath} "$@"\n`, { mode: 0o755 });
      const started = await spawnFunction(path.join(dir, 'scf_bootstrap'), [], {
        cwd: tmpdir(),
        env: { PATH: bin, PORT: String(await freePort()), appId: APP_ID, appSecret: APP_SECRET, WECHAT_API_BASE_URL: emulator.url },
      });
      try {
        assert.equal((await post(`${started.url}/oauth/config`, {})).status, 200);
        assert.deepEqual((await readFile(starts, 'utf8')).split('\n').filter(Boolean), ['index.mjs']);
      } finally {
        started.kill();
      }
    } finally {
      await rm(bin, { recursive: true, force: true });
    }
  });

  test('on a Node older than 20 the entry stops with exit code 1, saying which Node it needs', async () => {
    // No older Node is at hand: the entry is run with process.versions saying 18.
    const older = `data:text/javascript,${encodeURIComponent("Object.defineProperty(process, 'versions', { value: { ...process.versions, node: '18.20.4' } });")}`;
    const { child, exited, stderr, stdout } = spawnProcess(process.execPath, ['--import', older, 'index.mjs'], {
      cwd: dir,
      env: { NODE_ENV: 'production', PORT: String(await freePort()), appId: APP_ID, appSecret: APP_SECRET, WECHAT_API_BASE_URL: emulator.url },
    });
    // Had it started anyway, it is stopped (and the test fails on its exit code) rather than left running.
    child.on('line', () => {
      if (stdout.some((line) => line.includes('listening'))) child.kill('SIGKILL');
    });
    assert.equal((await exited).code, 1);
    assert.deepEqual(stderr, ['offiaccount-common: needs Node.js 20 or later, found v18.20.4; choose a Nodejs20 or later runtime']);
    assert.deepEqual(stdout, []);
  });

  test('without appId it stops at once with a non-zero code, naming the variable', async () => {
    const { exited, stderr, stdout } = spawnProcess(path.join(dir, 'scf_bootstrap'), [], {
      cwd: dir,
      env: { PORT: String(await freePort()), appSecret: APP_SECRET, WECHAT_API_BASE_URL: emulator.url },
    });
    const exit = await exited;
    assert.notEqual(exit.code, 0);
    assert.match(stderr.join('\n'), /\bappId\b/);
    assert.ok(!stdout.some((line) => line.includes('listening')));
    assert.ok(!stderr.join('\n').includes(APP_SECRET));
  });

  test('scf_bootstrap sets NODE_ENV=production: the development-only AUTH_MODE=none is refused', async () => {
    const { exited, stderr } = spawnProcess(path.join(dir, 'scf_bootstrap'), [], {
      cwd: dir,
      env: { PORT: String(await freePort()), appId: APP_ID, appSecret: APP_SECRET, AUTH_MODE: 'none' },
    });
    assert.notEqual((await exited).code, 0);
    assert.match(stderr.join('\n'), /AUTH_MODE/);
  });
});
