/**
 * The deploy bundle: src/deploy.ts and every dependency in one ESM file, so the deployed
 * folder runs with no node_modules (CloudBase does not install dependencies for HTTP functions).
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
  // Everything, including hono, undici, valibot, pino and ioredis, goes into the one file.
  noExternal: [/.*/],
  splitting: false,
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
  },
};

export default defineConfig(deployBundle);
