/**
 * The emulator on its own, for testing any WeChat web-authorization code locally:
 *   node --import tsx src/emulator/main.ts [--port 9100] [--host 127.0.0.1]
 *        [--app wx0123456789abcdef:secret[:open-platform]]... [--redirect-host localhost:3000]... [--accept-bench-codes]
 * An account given as APPID:SECRET:open-platform is bound to an Open Platform account: its users get a unionid.
 */
import { parseArgs } from 'node:util';
import { startEmulator } from './index.js';

const USAGE = 'usage: emulator [--port N] [--host H] [--app APPID:SECRET[:open-platform]]... [--redirect-host HOST:PORT]... [--accept-bench-codes]';

function fail(message: string): never {
  process.stderr.write(`emulator: ${message}\n${USAGE}\n`);
  process.exit(2);
}

let values;
try {
  ({ values } = parseArgs({
    args: process.argv.slice(2).filter((arg) => arg !== 'emulator'),
    options: {
      port: { type: 'string', default: process.env.EMULATOR_PORT ?? '9100' },
      host: { type: 'string', default: '127.0.0.1' },
      app: { type: 'string', multiple: true },
      'redirect-host': { type: 'string', multiple: true },
      'accept-bench-codes': { type: 'boolean', default: false },
    },
  }));
} catch (error) {
  fail((error as Error).message);
}

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--port must be a port number, got "${values.port}"`);
/** The account the emulator accepts when no --app is given. */
const DEFAULT_APP = 'wx0123456789abcdef:emulatorSecret0123456789';

const apps = (values.app ?? [DEFAULT_APP]).map((pair) => {
  const [appId, appSecret, binding, ...rest] = pair.split(':');
  if (!appId || !appSecret || rest.length > 0 || (binding !== undefined && binding !== 'open-platform')) {
    fail(`--app must be APPID:SECRET or APPID:SECRET:open-platform, got "${pair}"`);
  }
  return { appId, appSecret, openPlatform: binding === 'open-platform' };
});

const running = await startEmulator({ port, host: values.host, apps, redirectHosts: values['redirect-host'], acceptBenchCodes: values['accept-bench-codes'] }).catch(
  (error: Error) => fail(`could not listen on ${values.host}:${port}: ${error.message}`),
);
process.stdout.write(`WeChat emulator listening on ${running.url}\n`);
// The credentials are the emulator's own, made up for local runs: a server under test needs both.
process.stdout.write(`  accepts (AppID / AppSecret)${values.app ? '' : ', the default; choose others with --app APPID:SECRET'}:\n`);
for (const app of apps) {
  process.stdout.write(`    appId=${app.appId} appSecret=${app.appSecret}${app.openPlatform ? ' (bound to an Open Platform account: unionid)' : ''}\n`);
}
process.stdout.write(`  authorize page ${running.url}/connect/oauth2/authorize\n`);
const stop = () => running.close().then(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
