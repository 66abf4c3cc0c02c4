/**
 * The production start, loaded by src/deploy.ts once the Node version is known to be good.
 * Configuration comes from the environment alone: there is no emulator fallback, so a
 * function deployed without its credentials stops at once with the variable's name
 * instead of serving something else. Nothing from src/emulator or src/dev is imported,
 * so neither ends up in the bundle.
 */
import { loadConfig, rulesParserFor } from './config.js';
import { announce, failStart, stopOnSignals } from './lifecycle.js';
import { startFunction } from './server.js';

async function main(): Promise<void> {
  const config = loadConfig(process.env, { parseRules: await rulesParserFor(process.env) });
  const running = await startFunction({ config });
  stopOnSignals({ close: () => running.close(), logger: running.logger });
  announce(running, config);
}

main().catch(failStart);
