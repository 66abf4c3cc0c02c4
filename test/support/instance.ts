/**
 * One function instance as its own process, configured only by its environment:
 *   node --import tsx test/support/instance.ts
 * Prints `LISTENING <url>` once it serves; logs go to stdout as JSON lines.
 */
import { loadConfig, rulesParserFor } from '../../src/config.js';
import { startFunction } from '../../src/server.js';

const running = await startFunction({ config: loadConfig(process.env, { parseRules: await rulesParserFor(process.env) }) });
process.stdout.write(`LISTENING ${running.url}\n`);
process.once('SIGTERM', () => {
  running.close().then(() => process.exit(0));
});
