/**
 * What the deploy bundle loads to start and give its first answer. A cold start pays for every
 * file and Node built-in loaded on the way, so what only some calls need (the upstream HTTP
 * client, the Redis client without REDIS_URL, the JWT library in gateway mode, the API document's
 * schema converter, Node's web fetch implementation) is loaded when first needed. Checked on the
 * bundle as deployed: a module hook records which of its files were loaded, process.moduleLoadList
 * which Node built-ins, and the bundler's own account (its metafile) which sources and packages
 * went into each file.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'tsup';
import { buildDeploy } from '../scripts/build-deploy.js';
import { deployBundle } from '../tsup.config.js';
import { startEmulator, type RunningEmulator } from '../src/emulator/index.js';
import { freePort } from './support/ports.js';
import { spawnFunction, type SpawnedFunction } from './support/spawned.js';

const APP_ID = 'wx5a7e0c0ffee0d00d';
const APP_SECRET = 'StartPathStartPathStartPath00001';

/**
 * The only files of the bundle a start may load: the entry, the function, and chunks of code it
 * shares with what loads later. Anything else (a file named for a lazily loaded part) loaded by
 * the first answer fails the check; parts added later are covered without listing them here.
 */
const START_FILES = [/^index\.mjs$/, /^chunks\/production-[\w-]+\.mjs$/, /^chunks\/chunk-[\w-]+\.mjs$/];

/** Packages only optional parts use; none may be in a file a start loads. */
const OPTIONAL_PACKAGES = ['undici', 'ioredis', 'jose', '@valibot/to-json-schema', 'fast-xml-parser', 'ret'];

/**
 * Sources only optional parts use: the message server's handling (signatures and AES, the XML
 * parser, messages and replies, deduplication, rules, webhook, stream) loads with the first push
 * or with a start that turns it on; a start knows only its route declarations and what the
 * configuration checks (the key's shape, the rules' error).
 */
const OPTIONAL_SOURCES = [/^src\/apis\/callback\/(?!(index|routes|limits|rules-error|aes-key)\.ts$)/];

/** Node built-ins only optional parts load: the web fetch implementation behind Request/Response/Headers, and TLS and HTTP/2 (the upstream client, Redis). */
const OPTIONAL_BUILTINS = ['NativeModule internal/deps/undici/undici', 'NativeModule tls', 'NativeModule http2'];

/** Preloaded into the function: records each bundle file as it is loaded; on SIGUSR2 writes the built-ins loaded so far. */
const HOOKS = `
import { appendFileSync } from 'node:fs';
export async function load(url, context, next) {
  if (url.startsWith('file:')) appendFileSync(process.env.START_PATH_FILES, url + '\\n');
  return next(url, context);
}`;
const PROBE = `
import { register } from 'node:module';
import { writeFileSync } from 'node:fs';
register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(HOOKS)}));
process.on('SIGUSR2', () => writeFileSync(process.env.START_PATH_BUILTINS, process.moduleLoadList.join('\\n')));
`;

let dir: string;
let emulator: RunningEmulator;
let fn: SpawnedFunction | undefined;
let filesLog: string;
let builtinsLog: string;
/** For each file of the bundle (relative to the deploy folder), the packages bundled into it. */
let packagesIn: Map<string, Set<string>>;
/** For each file of the bundle, the project's own sources bundled into it. */
let sourcesIn: Map<string, Set<string>>;

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'offiaccount-start-path-'));
  await buildDeploy(path.join(dir, 'deploy'));
  // The same build again with esbuild's metafile, beside it (the names, hashed from the content, match).
  const metaDir = path.join(dir, 'meta');
  await build({ ...deployBundle, outDir: metaDir, metafile: true, config: false, silent: true });
  const meta = JSON.parse(await readFile(path.join(metaDir, 'metafile-esm.json'), 'utf8')) as { outputs: Record<string, { inputs: Record<string, unknown> }> };
  packagesIn = new Map();
  sourcesIn = new Map();
  for (const [output, { inputs }] of Object.entries(meta.outputs)) {
    sourcesIn.set(path.relative(metaDir, path.resolve(output)), new Set(Object.keys(inputs).filter((input) => input.startsWith('src/'))));
    const packages = Object.keys(inputs).flatMap((input) => {
      const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
      return match ? [match[1]] : [];
    });
    packagesIn.set(path.relative(metaDir, path.resolve(output)), new Set(packages));
  }
  await writeFile(path.join(dir, 'probe.mjs'), PROBE);
  emulator = await startEmulator({ port: 0, host: '127.0.0.1', apps: [{ appId: APP_ID, appSecret: APP_SECRET }] });
  filesLog = path.join(dir, 'files.log');
  builtinsLog = path.join(dir, 'builtins.log');
  fn = await spawnFunction(process.execPath, ['--import', pathToFileURL(path.join(dir, 'probe.mjs')).href, 'index.mjs'], {
    cwd: path.join(dir, 'deploy'),
    env: {
      NODE_ENV: 'production',
      PORT: String(await freePort()),
      appId: APP_ID,
      appSecret: APP_SECRET,
      WECHAT_API_BASE_URL: emulator.url,
      START_PATH_FILES: filesLog,
      START_PATH_BUILTINS: builtinsLog,
    },
  });
});

after(async () => {
  fn?.kill();
  await emulator?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Bundle files loaded so far, relative to the deploy folder. */
async function loadedFiles(): Promise<string[]> {
  const base = pathToFileURL(path.join(dir, 'deploy')).href + '/';
  const urls = (await readFile(filesLog, 'utf8')).split('\n').filter(Boolean);
  return [...new Set(urls.filter((url) => url.startsWith(base)).map((url) => url.slice(base.length)))];
}

async function loadedBuiltins(): Promise<string[]> {
  await rm(builtinsLog, { force: true });
  fn!.child.kill('SIGUSR2');
  for (;;) {
    try {
      const text = await readFile(builtinsLog, 'utf8');
      if (text) return text.split('\n');
    } catch {
      // not written yet
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Every package bundled into the files a start loaded. */
function startPackages(files: string[]): Set<string> {
  const packages = new Set<string>();
  for (const file of files) {
    const inFile = packagesIn.get(file);
    assert.ok(inFile, `the metafile names ${file}`);
    for (const name of inFile) packages.add(name);
  }
  return packages;
}

const post = (route: string, body: unknown) =>
  fetch(`${fn!.url}${route}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer header.eyJzdWIiOiJzdGFydCJ9.signature', origin: 'https://page.example' },
    body: JSON.stringify(body),
  });

describe('the deploy bundle start path', () => {
  test('starting and answering the first calls loads the function alone: no optional part, no web fetch implementation', async () => {
    const config = await post('/oauth/config', {});
    assert.equal(config.status, 200);
    assert.equal((await fetch(`${fn!.url}/`)).status, 200);
    assert.equal((await fetch(`${fn!.url}/no/such/route`, { method: 'POST', body: '{}' })).status, 404);

    const files = await loadedFiles();
    assert.ok(files.includes('index.mjs') && files.some((file) => file.startsWith('chunks/production-')), `the hook saw the bundle load: ${files.join(', ')}`);
    const eager = files.filter((file) => !START_FILES.some((allowed) => allowed.test(file)));
    assert.deepEqual(eager, [], `loaded at start although only some calls need it: ${eager.join(', ')}`);
    const builtins = await loadedBuiltins();
    assert.deepEqual(OPTIONAL_BUILTINS.filter((name) => builtins.includes(name)), []);
    const packages = startPackages(files);
    assert.ok(packages.has('hono'), `the metafile accounts for the files loaded: ${[...packages].join(', ')}`);
    assert.deepEqual(OPTIONAL_PACKAGES.filter((name) => packages.has(name)), [], 'a package only optional parts use is in a file the start loads');
    const sources = files.flatMap((file) => [...(sourcesIn.get(file) ?? [])]);
    assert.ok(sources.includes('src/deploy.ts') || sources.includes('src/production.ts'), `the metafile accounts for the sources loaded: ${sources.length}`);
    assert.deepEqual(sources.filter((source) => OPTIONAL_SOURCES.some((pattern) => pattern.test(source))), [], 'a source only optional parts use is in a file the start loads');
  });

  test('a call that needs an optional part loads it then', async () => {
    const code = emulator.emulator.issueCode({ appId: APP_ID, scope: 'snsapi_base', user: 'alice' });
    const token = await post('/oauth/token', { code });
    assert.equal(token.status, 200);
    assert.equal((await fetch(`${fn!.url}/openapi.json`)).status, 200);

    const files = await loadedFiles();
    assert.ok(files.some((file) => file.startsWith('chunks/undici-lean-')), `the upstream client is loaded: ${files.join(', ')}`);
    assert.ok(files.some((file) => file.startsWith('chunks/openapi-')), `the API document's builder is loaded: ${files.join(', ')}`);
    assert.ok(!files.some((file) => file.startsWith('chunks/redis-')), 'no Redis client without REDIS_URL');
    assert.ok((await loadedBuiltins()).includes('NativeModule tls'), 'the upstream client brings TLS with it');
  });
});
