#!/usr/bin/env node
/**
 * Command line:
 *   dev (default)  the function; with no appId configured, also the local WeChat emulator and the demo page
 *   start          the function alone, for production: missing credentials stop it
 *   emulator       the WeChat emulator alone
 */
import { randomBytes } from 'node:crypto';
import { loadConfig, rulesParserFor } from './config.js';
import { announce, failStart, stopOnSignals } from './lifecycle.js';
import { startFunction } from './server.js';

const DEV_APP_ID = 'wx0123456789abcdef';

/** The production start: the same entry the deploy bundle runs. */
async function start(): Promise<void> {
  await import('./deploy.js');
}

async function dev(): Promise<void> {
  const env = process.env;
  const configured = Boolean(env.appId || env.OA_APPID || env.appSecret || env.OA_APPSECRET);
  if (configured || env.NODE_ENV === 'production') return start();

  const { startEmulator } = await import('./emulator/index.js');
  const appSecret = randomBytes(16).toString('hex');
  const emulator = await startEmulator({
    port: Number(env.EMULATOR_PORT ?? 9100),
    host: '127.0.0.1',
    apps: [{ appId: DEV_APP_ID, appSecret }],
  });
  // Users sign in through a stand-in of CloudBase's sign-in, so end-user routes run in jwt mode and the
  // demo page sends a real Bearer token: the sign-in routes are public, /oauth/token issues a
  // custom-login ticket with the stand-in's key, and the stand-in turns it into the Bearer.
  // An AUTH_MODE or key source set in the environment still wins.
  const { createDevSignin } = await import('./dev/signin.js');
  const signin = createDevSignin();
  const devAuth = env.JWKS_URL || env.JWT_PUBLIC_KEY ? {} : signin.env;
  const config = loadConfig({ ...devAuth, ...env }, { emulatorCredentials: { appId: DEV_APP_ID, appSecret, baseUrl: emulator.url }, parseRules: await rulesParserFor(env) });
  const { mountDev } = await import('./dev/mount.js');
  // The demo page counts WeChat's token expiry on the emulator's clock (fast-forwarded with POST /__emulator/clock).
  const wechatClock = emulator.emulator.clock;
  const running = await startFunction({ config, mount: (app) => mountDev(app, { config, emulatorUrl: emulator.url, signin, clock: wechatClock }) });
  announce(running, config);
  const local = `http://localhost:${running.port}`;
  process.stdout.write(
    [
      '',
      '  offiaccount-common (local run, no appId configured: WeChat is the local emulator)',
      `  function   ${local} (listening on ${running.listening})`,
      `  demo page  ${local}/demo/`,
      `  API docs   ${local}/docs`,
      `  emulator   ${emulator.url}`,
      `  sign-in    POST ${local}/__dev/signin ({ticket} from /oauth/token, or {user}; end-user routes: AUTH_MODE=${config.authMode})`,
      `  public     ${config.publicRoutes.join(', ') || 'none'}`,
      '',
      '  Set appId and appSecret to talk to real WeChat instead.',
      '',
    ].join('\n') + '\n',
  );
  stopOnSignals({
    close: async () => {
      await running.close();
      await emulator.close();
    },
    logger: running.logger,
  });
}

async function main(): Promise<void> {
  const command = process.argv[2] ?? 'dev';
  switch (command) {
    case 'dev':
      return dev();
    case 'start':
      return start();
    case 'emulator': {
      await import('./emulator/main.js');
      return;
    }
    default:
      process.stderr.write(`offiaccount-common: unknown command "${command}"; use dev, start or emulator\n`);
      process.exit(2);
  }
}

main().catch(failStart);
