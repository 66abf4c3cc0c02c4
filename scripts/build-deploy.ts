/**
 * `npm run build`: writes deploy/, a folder CloudBase can run as an HTTP function as it is.
 *
 *   index.mjs         the function and all its dependencies in one file (tsup.config.ts)
 *   scf_bootstrap     what CloudBase executes: starts index.mjs on $PORT (9000 by default)
 *   package.json      no dependencies: nothing to install at deploy time
 *   cloudbaserc.json  a template for `tcb fn deploy <name> --httpFn`, run from deploy/
 *
 * The build replaces these four files and nothing else: the folder is also where the CLI reads
 * the user's secrets (.env.local), which a rebuild must never touch.
 *
 * Usage: node --import tsx scripts/build-deploy.ts [--out <dir>]
 */
import { chmod, mkdir, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'tsup';
import { deployBundle } from '../tsup.config.js';
import pkg from '../package.json' with { type: 'json' };

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The oldest Node the bundle is built for (tsup target node20). */
const MIN_NODE_MAJOR = 20;

export const FUNCTION_NAME = 'offiaccount-common';

/**
 * CloudBase wants absolute paths in scf_bootstrap; its Node runtimes live under
 * /var/lang/node<major>/bin. Elsewhere (a test, a plain server) `node` on PATH is used.
 * exec hands the process over to node, so SIGTERM reaches the function itself.
 */
export const SCF_BOOTSTRAP = `#!/bin/bash
# Starts ${FUNCTION_NAME} as a CloudBase HTTP function: listens on 0.0.0.0:$PORT (9000 unless PORT is set).
set -euo pipefail
cd "$(dirname "$0")"
export NODE_ENV=production
export PORT="\${PORT:-9000}"

NODE_BIN="$(ls -d /var/lang/node*/bin/node 2>/dev/null | sort -V | tail -n 1 || true)"
if [ -z "$NODE_BIN" ]; then
  NODE_BIN="$(command -v node || true)"
fi
if [ -z "$NODE_BIN" ]; then
  echo "${FUNCTION_NAME}: no Node.js found (looked in /var/lang/node*/bin and PATH); choose a Nodejs${MIN_NODE_MAJOR} or later runtime" >&2
  exit 1
fi
# --version answers without starting the JavaScript engine, so the check costs almost nothing at cold start.
NODE_VERSION="$("$NODE_BIN" --version)"
NODE_MAJOR="\${NODE_VERSION#v}"
NODE_MAJOR="\${NODE_MAJOR%%.*}"
if [ "$NODE_MAJOR" -lt ${MIN_NODE_MAJOR} ]; then
  echo "${FUNCTION_NAME}: needs Node.js ${MIN_NODE_MAJOR} or later, found $NODE_VERSION; choose a Nodejs${MIN_NODE_MAJOR} or later runtime" >&2
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
  bundleBytes: number;
}

/** What the build writes; anything else in the folder belongs to the user. */
export const GENERATED_FILES = ['index.mjs', 'scf_bootstrap', 'package.json', 'cloudbaserc.json'];

export async function buildDeploy(outDir = path.join(root, 'deploy')): Promise<BuildResult> {
  await mkdir(outDir, { recursive: true });
  await Promise.all(GENERATED_FILES.map((file) => rm(path.join(outDir, file), { force: true })));

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

  const bundleBytes = (await stat(path.join(outDir, 'index.mjs'))).size;
  return { outDir, bundleBytes };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const at = process.argv.indexOf('--out');
  const outDir = at > 0 && process.argv[at + 1] ? path.resolve(process.argv[at + 1]) : undefined;
  buildDeploy(outDir).then(
    ({ outDir: dir, bundleBytes }) => {
      process.stdout.write(`deploy folder written: ${path.relative(process.cwd(), dir) || dir} (index.mjs ${(bundleBytes / 1024).toFixed(0)} KiB)\n`);
      process.stdout.write(`deploy with: cd ${path.relative(process.cwd(), dir) || dir} && tcb fn deploy ${FUNCTION_NAME} --httpFn\n`);
    },
    (error: unknown) => {
      process.stderr.write(`build failed: ${(error as Error)?.stack ?? String(error)}\n`);
      process.exit(1);
    },
  );
}
