/**
 * The production entry, and the entry of the deploy bundle (deploy/index.mjs, which scf_bootstrap
 * runs). First the Node version, so that an old runtime stops with a message that says so: this
 * file holds nothing else and is plain enough for any Node with ES modules to run, while the
 * function itself, loaded after the check, is its own file in the bundle. Nothing from
 * src/emulator or src/dev is imported, so neither ends up in the bundle.
 */
import { oldNodeMessage } from './node-version.js';

const refusal = oldNodeMessage(process.versions.node);
if (refusal) {
  process.stderr.write(`${refusal}\n`);
  process.exit(1);
}
await import('./production.js');
