/**
 * The deploy bundle: src/deploy.ts and every dependency in one ESM file, so the deployed
 * folder runs with no node_modules (CloudBase does not install dependencies for HTTP functions).
 * scripts/build-deploy.ts runs this and writes the rest of deploy/ around it.
 */
import path from 'node:path';
import { defineConfig, type Options } from 'tsup';

type EsbuildPlugin = NonNullable<Options['esbuildPlugins']>[number];

/**
 * zod ships its messages in some sixty languages, a fifth of the bundle and of the time
 * spent compiling it at every cold start. The function words every validation message
 * itself (src/function/validation.ts) and never selects a locale, so the bundle keeps only
 * English, the default zod registers on its own.
 */
const zodEnglishOnly: EsbuildPlugin = {
  name: 'zod-english-only',
  setup(build) {
    build.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]node_modules[\\/]zod[\\/]/.test(args.importer)
        ? { path: path.resolve(path.dirname(args.importer), '../locales/en.js'), namespace: 'zod-locales' }
        : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'zod-locales' }, (args) => ({
      contents: `export { default as en } from ${JSON.stringify(args.path)};`,
      resolveDir: path.dirname(args.path),
      loader: 'js',
    }));
  },
};

export const deployBundle: Options = {
  entry: { index: 'src/deploy.ts' },
  outDir: 'deploy',
  format: ['esm'],
  outExtension: () => ({ js: '.mjs' }),
  platform: 'node',
  target: 'node20',
  // Everything, including hono, undici, zod, pino and ioredis, goes into the one file.
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
  esbuildPlugins: [zodEnglishOnly],
  esbuildOptions(options) {
    options.legalComments = 'none';
  },
};

export default defineConfig(deployBundle);
