/**
 * `npm run build`: writes deploy/, a folder CloudBase can run as an HTTP function as it is.
 *
 *   index.mjs         the entry: checks the Node version, then loads the function (tsup.config.ts)
 *   chunks/           the function and all its dependencies, in the files index.mjs loads at
 *                     start and those loaded on first use
 *   scf_bootstrap     what CloudBase executes: starts index.mjs on $PORT (9000 by default)
 *   package.json      no dependencies: nothing to install at deploy time
 *   cloudbaserc.json  a template for `tcb fn deploy <name> --httpFn`, run from deploy/
 *
 * The build replaces these four files and nothing else: the folder is also where the CLI reads
 * the user's secrets (.env.local), which a rebuild must never touch.
 *
 * Usage: node --import tsx scripts/build-deploy.ts [--out <dir>]
 */
import { chmod, mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'tsup';
import { deployBundle } from '../tsup.config.js';
import pkg from '../package.json' with { type: 'json' };
import { MIN_NODE_MAJOR } from '../src/node-version.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export const FUNCTION_NAME = 'offiaccount-common';

/**
 * CloudBase wants absolute paths in scf_bootstrap; its Node runtimes live under
 * /var/lang/node<version>/bin, and the newest is used. Elsewhere (a test, a plain server) `node`
 * on PATH is used. The script starts no process of its own (no ls, sort, dirname or
 * `node --version`: each would add to every cold start): bash's own globbing and arithmetic find
 * Node, and the bundle's entry checks the Node version first thing (src/deploy.ts).
 * exec hands the process over to node, so SIGTERM reaches the function itself.
 */
export const SCF_BOOTSTRAP = `#!/bin/bash
# Starts ${FUNCTION_NAME} as a CloudBase HTTP function: listens on 0.0.0.0:$PORT (9000 unless PORT is set).
set -euo pipefail
case "$0" in */*) cd "\${0%/*}" ;; esac
export NODE_ENV=production
export PORT="\${PORT:-9000}"

NODE_BIN=""
best_major=-1
best_minor=-1
for candidate in /var/lang/node*/bin/node; do
  [ -x "$candidate" ] || continue
  version="\${candidate#/var/lang/node}"
  version="\${version%%/*}"
  major="\${version%%[!0-9]*}"
  rest="\${version#"$major"}"
  rest="\${rest#.}"
  minor="\${rest%%[!0-9]*}"
  major=$((10#\${major:-0}))
  minor=$((10#\${minor:-0}))
  if [ "$major" -gt "$best_major" ] || { [ "$major" -eq "$best_major" ] && [ "$minor" -gt "$best_minor" ]; }; then
    NODE_BIN="$candidate"
    best_major="$major"
    best_minor="$minor"
  fi
done
if [ -z "$NODE_BIN" ] && command -v node >/dev/null; then
  NODE_BIN=node
fi
if [ -z "$NODE_BIN" ]; then
  echo "${FUNCTION_NAME}: no Node.js found (looked in /var/lang/node*/bin and PATH); choose a Nodejs${MIN_NODE_MAJOR} or later runtime" >&2
  exit 1
fi

exec "$NODE_BIN" index.mjs
`;

/**
 * Every variable the function reads, as the function's environment. The credentials come
 * from deploy/.env.local through the CLI's {{env.*}} variables, so no secret is written into
 * this file; an empty value means "off / default" to the function (see src/config.ts).
 */
const ENV_VARIABLES: Record<string, string> = {
  appId: '{{env.appId}}',
  appSecret: '{{env.appSecret}}',
  corsAllowOrigin: '',
  ADMIN_API_KEY: '',
  REDIS_URL: '',
  AUTH_MODE: 'gateway',
  TOKEN_SOURCE: 'stable',
  RATE_LIMIT_PER_MINUTE: '120',
  WECHAT_TIMEOUT_MS: '5000',
  LOG_LEVEL: 'info',
};

export function cloudbaserc(): object {
  return {
    version: '2.0',
    envId: '{{env.ENV_ID}}',
    functions: [
      {
        name: FUNCTION_NAME,
        type: 'HTTP',
        // The code is this folder itself.
        dir: '.',
        runtime: 'Nodejs20.19',
        timeout: 20,
        memorySize: 256,
        // The bundle needs no node_modules.
        installDependency: false,
        // The .env files hold the values above (secrets among them) for the CLI; they are not code.
        ignore: ['.env', '.env.*', 'cloudbaserc.json'],
        envVariables: ENV_VARIABLES,
      },
    ],
  };
}

function deployPackageJson(): object {
  return {
    name: FUNCTION_NAME,
    version: pkg.version,
    description: pkg.description,
    license: pkg.license,
    private: true,
    type: 'module',
    main: 'index.mjs',
    engines: { node: `>=${MIN_NODE_MAJOR}` },
    scripts: { start: 'NODE_ENV=production node index.mjs' },
  };
}

export interface BuildResult {
  outDir: string;
  /** index.mjs and every chunk. */
  bundleBytes: number;
}

/** What the build writes (chunks/ a folder of its own, whose file names change with their content); anything else in the folder belongs to the user. */
export const GENERATED_FILES = ['index.mjs', 'chunks', 'scf_bootstrap', 'package.json', 'cloudbaserc.json'];

export async function buildDeploy(outDir = path.join(root, 'deploy')): Promise<BuildResult> {
  await mkdir(outDir, { recursive: true });
  await Promise.all(GENERATED_FILES.map((file) => rm(path.join(outDir, file), { recursive: true, force: true })));

  const previous = process.cwd();
  process.chdir(root);
  try {
    await build({ ...deployBundle, outDir, config: false, silent: true });
  } finally {
    process.chdir(previous);
  }

  const bootstrap = path.join(outDir, 'scf_bootstrap');
  await writeFile(bootstrap, SCF_BOOTSTRAP, 'utf8');
  await chmod(bootstrap, 0o755);
  await writeFile(path.join(outDir, 'package.json'), JSON.stringify(deployPackageJson(), null, 2) + '\n');
  await writeFile(path.join(outDir, 'cloudbaserc.json'), JSON.stringify(cloudbaserc(), null, 2) + '\n');

  const files = ['index.mjs', ...(await readdir(path.join(outDir, 'chunks'))).map((name) => path.join('chunks', name))];
  let bundleBytes = 0;
  for (const file of files) bundleBytes += (await stat(path.join(outDir, file))).size;
  return { outDir, bundleBytes };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const at = process.argv.indexOf('--out');
  const outDir = at > 0 && process.argv[at + 1] ? path.resolve(process.argv[at + 1]) : undefined;
  buildDeploy(outDir).then(
    ({ outDir: dir, bundleBytes }) => {
      process.stdout.write(`deploy folder written: ${path.relative(process.cwd(), dir) || dir} (bundle ${(bundleBytes / 1024).toFixed(0)} KiB)\n`);
      process.stdout.write(`deploy with: cd ${path.relative(process.cwd(), dir) || dir} && tcb fn deploy ${FUNCTION_NAME} --httpFn\n`);
    },
    (error: unknown) => {
      process.stderr.write(`build failed: ${(error as Error)?.stack ?? String(error)}\n`);
      process.exit(1);
    },
  );
}
