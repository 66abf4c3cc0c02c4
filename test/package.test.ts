/**
 * The package as a user installs it: `npm pack` (which builds it through prepack), the tarball
 * installed into an empty project with dependencies from the npm cache, the browser SDK and the
 * server pieces imported there with their types (a tsc check), and the command line started
 * through npx.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TSC = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');

let project: string;
let packed: string[];

before(async () => {
  project = await mkdtemp(path.join(tmpdir(), 'offiaccount-user-'));
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', project], { cwd: root, maxBuffer: 16 * 1024 * 1024 });
  const [info] = JSON.parse(stdout.slice(stdout.indexOf('[')));
  packed = info.files.map((file: { path: string }) => file.path);
  await writeFile(path.join(project, 'package.json'), JSON.stringify({ name: 'a-user-project', private: true, type: 'module' }));
  // The dependencies come from the npm cache that installed this checkout; the registry only if one is missing.
  // @types/node as a backend project has it, for the server pieces' types.
  const typesNode = JSON.parse(await readFile(path.join(root, 'node_modules/@types/node/package.json'), 'utf8')).version;
  await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', path.join(project, info.filename), `@types/node@${typesNode}`], { cwd: project });
});

after(async () => {
  if (project) await rm(project, { recursive: true, force: true });
});

describe('the installed package', () => {
  it('holds what runs and nothing of the sources, tests or benchmarks', () => {
    for (const file of ['package.json', 'README.md', 'dist/cli.js', 'dist/index.js', 'dist/index.d.ts', 'dist/web/offiaccount-web.js', 'dist/web/types/index.d.ts', 'dist/demo/app.js']) {
      assert.ok(packed.includes(file), `${file} is in the tarball`);
    }
    assert.deepEqual(packed.filter((file) => /^(src|test|bench|scripts|deploy)\//.test(file)), []);
  });

  it('type-checks an import of offiaccount-common/web and of the server pieces', async () => {
    const compilerOptions = { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true };
    // A page: DOM only, no Node types, and the SDK's declarations checked too (no skipLibCheck).
    await writeFile(path.join(project, 'tsconfig.json'), JSON.stringify({ compilerOptions: { ...compilerOptions, lib: ['ES2022', 'DOM'], types: [] }, include: ['page.ts'] }));
    // A backend: Node's types, as such a project has them.
    await writeFile(
      path.join(project, 'tsconfig.server.json'),
      JSON.stringify({ compilerOptions: { ...compilerOptions, lib: ['ES2022'], types: ['node'], skipLibCheck: true }, include: ['server.ts'] }),
    );
    await writeFile(
      path.join(project, 'page.ts'),
      `import { createWebAuth, WebAuthError, type Session } from 'offiaccount-common/web';
const auth = createWebAuth({ baseUrl: 'https://env.example/v1/functions/offiaccount-common?webfn=true', getAccessToken: async () => 'token', scope: 'snsapi_userinfo' });
export async function show(): Promise<string> {
  try {
    const session: Session | null = await auth.handleRedirect();
    return session?.profile?.nickname ?? session?.openid ?? 'signed out';
  } catch (error) {
    return error instanceof WebAuthError ? error.kind : 'other';
  }
}
// The types are real, not any: a wrong scope does not compile.
// @ts-expect-error
createWebAuth({ getAccessToken: async () => 'token', scope: 'snsapi_everything' });
`,
    );
    await writeFile(
      path.join(project, 'server.ts'),
      `import { loadConfig, startFunction, type Config } from 'offiaccount-common';
import { createEmulator } from 'offiaccount-common/emulator';
const emulator = createEmulator({ apps: [{ appId: 'wx0123456789abcdef', appSecret: '0123456789abcdef0123456789abcdef' }] });
const config: Config = loadConfig({ appId: 'wx0123456789abcdef', appSecret: '0123456789abcdef0123456789abcdef' });
export const started: Promise<{ url: string }> = startFunction({ config });
export const code: string = emulator.issueCode({ appId: config.appId, scope: 'snsapi_base' });
`,
    );
    for (const tsconfig of ['tsconfig.json', 'tsconfig.server.json']) {
      await run(process.execPath, [TSC, '-p', path.join(project, tsconfig)], { cwd: project }).catch((error) => {
        assert.fail(`tsc -p ${tsconfig} failed:\n${error.stdout}${error.stderr}`);
      });
    }
  });

  it('imports at run time from Node, without tsx', async () => {
    const script = `import { createEmulator } from 'offiaccount-common/emulator'; import { loadConfig, VERSION } from 'offiaccount-common';
const emulator = createEmulator({ apps: [{ appId: 'wx0123456789abcdef', appSecret: '0123456789abcdef0123456789abcdef' }] });
console.log(JSON.stringify({ code: emulator.issueCode({ appId: 'wx0123456789abcdef', scope: 'snsapi_base' }), mode: loadConfig({ appId: 'wx0123456789abcdef', appSecret: '0123456789abcdef0123456789abcdef' }).mode, VERSION }));`;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: project });
    const result = JSON.parse(stdout);
    assert.ok(result.code);
    assert.equal(result.mode, 'wechat');
    const pkg = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8'));
    assert.equal(result.VERSION, pkg.version);
  });

  it('runs the local run with `npx offiaccount-common dev`: the demo is served from the prebuilt files', async () => {
    const child = spawn('npx', ['--no-install', 'offiaccount-common', 'dev'], {
      cwd: project,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
      env: { ...process.env, PORT: '0', EMULATOR_PORT: '0', LOG_LEVEL: 'warn' },
    });
    try {
      const out = await new Promise<string>((resolve, reject) => {
        let text = '';
        child.stdout.on('data', (chunk) => {
          text += chunk;
          if (/demo page\s+http:\/\/\S+/.test(text)) resolve(text);
        });
        child.stderr.on('data', (chunk) => (text += chunk));
        child.once('exit', (code) => reject(new Error(`exited ${code}:\n${text}`)));
      });
      const demo = /demo page\s+(http:\/\/\S+)/.exec(out)![1];
      for (const file of ['', 'app.js', 'offiaccount-web.js', 'style.css']) {
        const response = await fetch(demo + file);
        assert.equal(response.status, 200, demo + file);
        assert.ok((await response.text()).length > 100);
      }
    } finally {
      const exited = new Promise((resolve) => child.once('close', resolve));
      process.kill(-child.pid!, 'SIGTERM');
      await exited;
    }
  });

  it('starts the emulator with `npx offiaccount-common emulator`, which answers with the AppID it names', async () => {
    // Its own process group: npx runs the command as a child of its own, and both must stop.
    const child = spawn('npx', ['--no-install', 'offiaccount-common', 'emulator', '--port', '0'], { cwd: project, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    try {
      const out = await new Promise<string>((resolve, reject) => {
        let text = '';
        child.stdout.on('data', (chunk) => {
          text += chunk;
          if (/appSecret=\S+\n/.test(text)) resolve(text);
        });
        child.stderr.on('data', (chunk) => (text += chunk));
        child.once('exit', (code) => reject(new Error(`exited ${code}:\n${text}`)));
      });
      const url = /listening on (http:\/\/\S+)/.exec(out)![1];
      const appId = /appId=(\S+)/.exec(out)![1];
      const answer = await (await fetch(`${url}/__emulator/code`, { method: 'POST', body: JSON.stringify({ appid: appId }) })).json();
      assert.match(answer.code, /\S{8,}/);
    } finally {
      const exited = new Promise((resolve) => child.once('close', resolve));
      process.kill(-child.pid!, 'SIGTERM');
      await exited;
    }
  });
});
