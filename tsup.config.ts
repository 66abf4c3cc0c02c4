/**
 * The deploy bundle: src/deploy.ts and every dependency as ESM files, so the deployed folder
 * runs with no node_modules (CloudBase does not install dependencies for HTTP functions).
 * index.mjs holds the entry; what it loads, and whatever the function loads only when first
 * needed (a dynamic import: the Redis client, the JWT library, the upstream HTTP client), are
 * chunks beside it, so a cold start reads and compiles only what starting takes.
 * scripts/build-deploy.ts runs this and writes the rest of deploy/ around it.
 */
import { defineConfig, type Options } from 'tsup';

export const deployBundle: Options = {
  entry: { index: 'src/deploy.ts' },
  outDir: 'deploy',
  format: ['esm'],
  outExtension: () => ({ js: '.mjs' }),
  platform: 'node',
  target: 'node20',
  // Everything, including hono, undici, valibot, pino and ioredis, goes into the bundle.
  noExternal: [/.*/],
  splitting: true,
  sourcemap: false,
  dts: false,
  clean: false,
  // Smaller file, less to parse at cold start; class names the code relies on are set explicitly.
  minify: true,
  // esbuild's own tree shaking; tsup's extra Rollup pass made the file larger, not smaller.
  treeshake: false,
  // CommonJS dependencies (pino, ioredis) call require() for Node built-ins; an ESM file has none.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
  esbuildOptions(options) {
    options.legalComments = 'none';
    options.chunkNames = 'chunks/[name]-[hash]';
  },
};

export default defineConfig(deployBundle);
