/**
 * Writes the browser SDK for pages to ship: dist/web/offiaccount-web.js (one minified ESM
 * file) and its type declarations, and prints its size. The local run does not need this:
 * it bundles the SDK in memory when it starts.
 *
 *   node --import tsx scripts/build-web.ts
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { bundleWebSdk, SDK_ENTRY, SDK_FILE } from '../src/dev/demo/bundle.js';

/** The limit test/web-sdk.test.ts holds the bundle to. */
export const SIZE_LIMIT_GZIP = 4096;

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function writeTypes(outDir: string): string[] {
  const written: string[] = [];
  const program = ts.createProgram([SDK_ENTRY], {
    declaration: true,
    emitDeclarationOnly: true,
    outDir: join(outDir, 'types'),
    rootDir: dirname(SDK_ENTRY),
    target: ts.ScriptTarget.ES2020,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib: ['lib.es2020.d.ts', 'lib.dom.d.ts'],
    strict: true,
    skipLibCheck: true,
    types: [],
  });
  const result = program.emit(undefined, (file, text) => {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
    written.push(file);
  });
  const problems = ts.getPreEmitDiagnostics(program).concat(result.diagnostics);
  if (problems.length) {
    throw new Error(ts.formatDiagnostics(problems, { getCanonicalFileName: (f) => f, getCurrentDirectory: () => root, getNewLine: () => '\n' }));
  }
  return written;
}

export interface WebBuild {
  file: string;
  types: string[];
  bytes: number;
  gzipBytes: number;
}

/** Writes the bundle and its types into outDir (dist/web by default). */
export async function buildWeb(outDir = join(root, 'dist', 'web')): Promise<WebBuild> {
  const bundle = await bundleWebSdk();
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, SDK_FILE);
  writeFileSync(file, bundle.code);
  return { file, types: writeTypes(outDir), bytes: bundle.bytes, gzipBytes: bundle.gzipBytes };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { file, types, ...bundle } = await buildWeb();
  const kib = (bytes: number) => `${(bytes / 1024).toFixed(2)} KiB`;
  process.stdout.write(
    `${relative(root, file)}: ${bundle.bytes} bytes minified (${kib(bundle.bytes)}), ` +
      `${bundle.gzipBytes} bytes gzipped (${kib(bundle.gzipBytes)}; limit ${kib(SIZE_LIMIT_GZIP)})\n` +
      `types: ${types.map((t) => relative(root, t)).join(', ')}\n`,
  );
  if (bundle.gzipBytes >= SIZE_LIMIT_GZIP) {
    process.stderr.write('The SDK grew past its size limit.\n');
    process.exit(1);
  }
}
