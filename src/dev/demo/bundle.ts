/**
 * Builds the browser bundles in memory with esbuild: the SDK (minified, as a page would
 * ship it, with its gzipped size) and the demo page's script, which loads the SDK bundle
 * from beside itself instead of inlining it, so the demo runs the very bundle that is measured.
 */
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { Plugin } from 'esbuild';

/** esbuild is a development dependency: loaded only when something is built, never in the installed package. */
const esbuild = () => import('esbuild');

export const SDK_ENTRY = fileURLToPath(new URL('../../web/index.ts', import.meta.url));
const DEMO_ENTRY = fileURLToPath(new URL('./app.ts', import.meta.url));
/** Where the demo page finds the SDK bundle, relative to its own script. */
export const SDK_FILE = 'offiaccount-web.js';

/** WeChat's built-in browsers (XWeb on Android, WKWebView on iOS) have run ES2020 for years. */
const TARGET = 'es2020';

export interface WebBundle {
  code: string;
  bytes: number;
  gzipBytes: number;
}

export async function bundleWebSdk(): Promise<WebBundle> {
  const result = await (await esbuild()).build({
    entryPoints: [SDK_ENTRY],
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: TARGET,
    write: false,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0].text;
  return { code, bytes: Buffer.byteLength(code), gzipBytes: gzipSync(code, { level: 9 }).length };
}

/** Any import of src/web from the demo becomes an import of the served SDK bundle. */
const sdkAsExternal: Plugin = {
  name: 'sdk-as-external',
  setup(b) {
    b.onResolve({ filter: /\/web\/index\.js$/ }, () => ({ path: `./${SDK_FILE}`, external: true }));
  },
};

export async function bundleDemo(): Promise<string> {
  const result = await (await esbuild()).build({
    entryPoints: [DEMO_ENTRY],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: TARGET,
    write: false,
    logLevel: 'silent',
    plugins: [sdkAsExternal],
  });
  return result.outputFiles[0].text;
}
