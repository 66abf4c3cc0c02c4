/**
 * Test harness: a real emulator and a real function server on loopback ports, sharing one
 * ManualClock, with every log line and response body kept for leak scans.
 */
import { ManualClock } from '../../src/clock.js';
import { loadConfig, rulesParserFor, type Config } from '../../src/config.js';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { createLogger } from '../../src/log.js';
import { startFunction, type RunningFunction } from '../../src/server.js';
import type { ApiGroup } from '../../src/apis/group.js';
import type { EmulatorPartFactory } from '../../src/emulator/part.js';
import { logLines } from './log-lines.js';

export const TEST_APP_ID = 'wx1234567890abcdef';
/** A recognisable secret, so a leak scan can find it anywhere. */
export const TEST_APP_SECRET = 'S3cretS3cretS3cretS3cretS3cret42';

export interface CallResult {
  status: number;
  headers: Headers;
  body: any;
  text: string;
}

export interface Stack {
  clock: ManualClock;
  emulator: Emulator;
  emulatorUrl: string;
  fn: RunningFunction;
  config: Config;
  /** Every log line the function wrote. */
  logs: string[];
  /** Every response body the function sent through `call`/`raw`. */
  responses: string[];
  call(path: string, body?: unknown, headers?: Record<string, string>): Promise<CallResult>;
  raw(path: string, init?: RequestInit): Promise<CallResult>;
  /** Makes a code as if the user had gone through the authorize page. */
  code(scope?: 'snsapi_base' | 'snsapi_userinfo', user?: string, extra?: { snapshot?: boolean; profile?: 'full' | 'placeholder' }): string;
  close(): Promise<void>;
}

export interface StackOptions {
  env?: Record<string, string>;
  clock?: ManualClock;
  /** The account is bound to an Open Platform account: WeChat sends unionids. */
  openPlatform?: boolean;
  /** The API groups the function serves and the emulator answers; all of them when absent. */
  groups?: readonly ApiGroup[];
  /** Emulator parts for groups that have no folder under src/apis/ (a probe), by group name. */
  parts?: Record<string, EmulatorPartFactory>;
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const clock = options.clock ?? new ManualClock(Date.UTC(2026, 10, 24, 4, 0, 0));
  const emu = await startEmulator({ port: 0, host: '127.0.0.1', clock, apps: [{ appId: TEST_APP_ID, appSecret: TEST_APP_SECRET, openPlatform: options.openPlatform }], groups: options.groups, parts: options.parts });
  const env = {
    appId: TEST_APP_ID,
    appSecret: TEST_APP_SECRET,
    WECHAT_API_BASE_URL: emu.url,
    WECHAT_OPEN_BASE_URL: emu.url,
    PORT: '0',
    HOST: '127.0.0.1',
    AUTH_MODE: 'none',
    LOG_LEVEL: 'debug',
    ...options.env,
  };
  const config = loadConfig(env, { parseRules: await rulesParserFor(env) });
  const { lines: logs, destination } = logLines();
  const logger = createLogger({ level: config.logLevel, secrets: [config.appSecret, config.adminApiKey], destination });
  const fn = await startFunction({ config, clock, logger, groups: options.groups }).catch(async (error: unknown) => {
    await emu.close();
    throw error;
  });
  const responses: string[] = [];

  const raw = async (path: string, init: RequestInit = {}): Promise<CallResult> => {
    const response = await fetch(fn.url + path, init);
    const text = await response.text();
    responses.push(text);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    return { status: response.status, headers: response.headers, body, text };
  };

  return {
    clock,
    emulator: emu.emulator,
    emulatorUrl: emu.url,
    fn,
    config,
    logs,
    responses,
    raw,
    call: (path, body = {}, headers = {}) =>
      raw(path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) }),
    code: (scope = 'snsapi_base', user = 'alice', extra = {}) => emu.emulator.issueCode({ appId: TEST_APP_ID, scope, user, ...extra }),
    async close() {
      await fn.close();
      await emu.close();
    },
  };
}

/**
 * Headers carrying a CloudBase-shaped access token for `sub`. In gateway mode the gateway has
 * verified the token and the function only reads its `sub`, so the signature is a placeholder.
 */
export function gatewayBearer(sub: string): Record<string, string> {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return { authorization: `Bearer ${part({ alg: 'RS256', typ: 'JWT' })}.${part({ sub, exp: 4102444800 })}.c2ln` };
}
