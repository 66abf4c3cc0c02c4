/**
 * `npm pack` / `npm publish` (prepack): writes dist/, what the installed package runs, so it
 * needs neither tsx nor esbuild:
 *
 *   cli.js              the `offiaccount-common` command (dev | start | emulator)
 *   index.js, .d.ts     the server pieces a backend embeds (`offiaccount-common`)
 *   emulator.js, .d.ts  the emulator for a backend's tests (`offiaccount-common/emulator`)
 *   web/                the browser SDK, one ESM file and its types (`offiaccount-common/web`)
 *   demo/               the local run's pages, their browser bundles prebuilt
 *
 * Usage: node --import tsx scripts/build-package.ts
 */
import { copyFile, mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'tsup';
import { bundleDemo, bundleWebSdk } from '../src/dev/demo/bundle.js';
import { PACKAGED_DEMO_FILES } from '../src/dev/mount.js';
import { buildWeb } from './build-web.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');

export async function buildPackage(): Promise<void> {
  await rm(dist, { recursive: true, force: true });
  const previous = process.cwd();
  process.chdir(root);
  try {
    await build({
      entry: { cli: 'src/cli.ts', index: 'src/index.ts', emulator: 'src/emulator/index.ts' },
      outDir: dist,
      format: ['esm'],
      platform: 'node',
      target: 'node20',
      // The package's dependencies stay imports, installed beside it; esbuild is never loaded there.
      external: ['esbuild'],
      splitting: true,
      sourcemap: false,
      dts: { entry: { index: 'src/index.ts', emulator: 'src/emulator/index.ts' } },
      clean: false,
      config: false,
      silent: true,
    });
  } finally {
    process.chdir(previous);
  }
  await buildWeb(path.join(dist, 'web'));

  const demo = path.join(dist, 'demo');
  await mkdir(demo, { recursive: true });
  await copyFile(path.join(root, 'src/dev/demo/index.html'), path.join(demo, PACKAGED_DEMO_FILES.html));
  await copyFile(path.join(root, 'src/dev/demo/style.css'), path.join(demo, PACKAGED_DEMO_FILES.css));
  await copyFile(path.join(root, 'examples/seed-oauth.html'), path.join(demo, PACKAGED_DEMO_FILES.example));
  await writeFile(path.join(demo, PACKAGED_DEMO_FILES.sdk), (await bundleWebSdk()).code);
  await writeFile(path.join(demo, PACKAGED_DEMO_FILES.demo), await bundleDemo());
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  buildPackage().then(
    () => process.stdout.write(`package written: ${path.relative(process.cwd(), dist) || dist}\n`),
    (error: unknown) => {
      process.stderr.write(`build failed: ${(error as Error)?.stack ?? String(error)}\n`);
      process.exit(1);
    },
  );
}
