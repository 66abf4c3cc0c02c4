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
import { DEV_MESSAGE_RULES } from './dev/message-rules.js';
import type { MenuEmulatorPart } from './apis/menu/emulator.js';
import type { QrcodeEmulatorPart } from './apis/qrcode/emulator.js';

const DEV_APP_ID = 'wx0123456789abcdef';

/** The message server's settings for the local run: a fresh token and EncodingAESKey, safe mode, the demo rules. */
function devMessageServer(env: NodeJS.ProcessEnv): Record<string, string> {
  if (env.serverToken || env.SERVER_TOKEN) return {};
  return {
    serverToken: randomBytes(16).toString('hex'),
    encodingAESKey: randomBytes(40).toString('base64').replace(/[^A-Za-z0-9]/g, '').padEnd(43, 'A').slice(0, 43),
    ...(!env.MESSAGE_RULES && !env.MESSAGE_RULES_FILE && { MESSAGE_RULES: JSON.stringify(DEV_MESSAGE_RULES) }),
  };
}

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
  const devEnv = { ...devAuth, ...devMessageServer(env), ...env };
  const config = loadConfig(devEnv, { emulatorCredentials: { appId: DEV_APP_ID, appSecret, baseUrl: emulator.url }, parseRules: await rulesParserFor(devEnv) });
  const { mountDev } = await import('./dev/mount.js');
  // The demo page counts WeChat's token expiry on the emulator's clock (fast-forwarded with POST /__emulator/clock).
  const wechatClock = emulator.emulator.clock;
  const running = await startFunction({ config, mount: (app) => mountDev(app, { config, emulatorUrl: emulator.url, signin, clock: wechatClock }) });
  announce(running, config);
  const local = `http://localhost:${running.port}`;
  // The platform's server configuration, as an operator would paste it: the phone pushes here.
  if (config.serverToken) {
    emulator.emulator.phone.configure(DEV_APP_ID, { url: `${running.url}/callback`, token: config.serverToken, encodingAESKey: config.encodingAESKey });
    // Something to tap and scan before the menu and QR code routes are called, as /menu/create and /qrcode/create leave it.
    emulator.emulator.part<MenuEmulatorPart>('menu')?.menus.setDefault(DEV_APP_ID, [{ type: 'click', name: 'Demo', key: 'DEMO_CLICK' }]);
    emulator.emulator.part<QrcodeEmulatorPart>('qrcode')?.qrcodes.create(DEV_APP_ID, 'QR_LIMIT_STR_SCENE', { scene_str: 'demo' }, 0);
  }
  process.stdout.write(
    [
      '',
      '  offiaccount-common (local run, no appId configured: WeChat is the local emulator)',
      `  function   ${local} (listening on ${running.listening})`,
      `  demo page  ${local}/demo/`,
      `  API docs   ${local}/docs`,
      `  emulator   ${emulator.url}`,
      `  phone      ${emulator.url}/__emulator/phone?appid=${DEV_APP_ID} (pushes to ${local}/callback${config.encodingAESKey ? ', safe mode' : ''})`,
      `  sign-in    POST ${local}/__dev/signin ({ticket} from /oauth/token, or {user}; end-user routes: AUTH_MODE=${config.authMode})`,
      `  public     ${config.publicRoutes.join(', ') || 'none'}`,
      ...(config.userRoutes.length ? [`  user       ${config.userRoutes.join(', ')} (admin routes opened by USER_ROUTES)`] : []),
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
