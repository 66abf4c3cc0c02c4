/**
 * A local, stateful stand-in for WeChat's OAuth pages and the APIs this function calls.
 * For local runs and tests only; nothing in the production path imports it.
 */
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Hono } from 'hono';
import { OffsetClock, type Clock } from '../clock.js';
import { Controls, createEmulatorApp } from './app.js';
import type { Audience } from './audience.js';
import { DEFAULT_LIMITS, EmulatorCore, type EmulatorApp, type Limits, type RidRecord } from './core.js';
import type { EmulatorPart, EmulatorPartFactory } from './part.js';
import { Phone, type ServerConfig } from './phone.js';
import { groups } from '../apis/index.js';
import type { ApiGroup } from '../apis/group.js';
import type { IssueCodeInput, OAuthEmulatorPart } from '../apis/oauth/emulator.js';
import type { MenuEmulatorPart } from '../apis/menu/emulator.js';
import type { QrcodeEmulatorPart } from '../apis/qrcode/emulator.js';

export type { EmulatorApp, Limits } from './core.js';
export type { IssueCodeInput } from '../apis/oauth/emulator.js';

export interface EmulatorOptions {
  clock?: Clock;
  apps?: EmulatorApp[];
  limits?: Partial<Limits>;
  /** Exchange codes named bench-<unique> without the authorize page, keeping nothing of them (benchmarks). */
  acceptBenchCodes?: boolean;
  /** Hosts redirect_uri may point at (10003 otherwise); any host when empty. */
  redirectHosts?: string[];
  /** The API groups whose endpoints it answers; all of them when absent. */
  groups?: readonly ApiGroup[];
  /** Each account's server configuration (URL, token, EncodingAESKey): where the phone pushes. */
  servers?: Record<string, ServerConfig>;
  /** Parts for groups that have no folder under src/apis/ (tests), by group name. */
  parts?: Record<string, EmulatorPartFactory>;
}

export interface Emulator {
  app: Hono;
  clock: Clock;
  /** The accounts' followers and every message sent to them: tests add followers and read what was sent. */
  audience: Audience;
  /** The simulated phone: follows, messages, menu taps and scans pushed to the account's server. */
  phone: Phone;
  /** The core every part shares: accounts, tokens, the audience (a Phone of a test's own is built on it). */
  core: EmulatorCore;
  addApp(app: EmulatorApp): void;
  /** A code as if the user had just passed the authorize page. */
  issueCode(input: IssueCodeInput): string;
  /** Calls per API path since the last reset. */
  counts(): Record<string, number>;
  resetCounts(): void;
  /** The next `times` calls to `path` answer with `errcode`. */
  failNext(path: string, errcode: number, times?: number): void;
  /** Calls to `path` answer after `ms` of real time. */
  setDelay(path: string, ms: number): void;
  /** Off: token calls answer 40164, as WeChat does for an IP missing from the whitelist. */
  setIpWhitelisted(on: boolean): void;
  /** The global token stops working at once (as after a force refresh elsewhere). */
  invalidateAccessToken(token: string): void;
  isValidAccessToken(token: string): boolean;
  /** What openapi/rid/get tells of the failed call whose errmsg carried this rid. */
  failure(rid: string): RidRecord | undefined;
  /** Forgets codes, tokens, counts and injected faults. */
  reset(): void;
  /** A group's emulator part by the group's name, with the state it keeps (e.g. `part<MediaEmulatorPart>('media')?.library`). */
  part<P extends EmulatorPart = EmulatorPart>(name: string): P | undefined;
}

/** A group's emulator part: src/apis/<name>/emulator.ts; undefined for a group without one. */
async function loadPart(name: string): Promise<EmulatorPartFactory | undefined> {
  try {
    // The .ts name is the pattern the package build bundles every group's part by; tsx loads it as it is.
    return ((await import(`../apis/${name}/emulator.ts`)) as { part: EmulatorPartFactory }).part;
  } catch (error) {
    // A group without a part: Node's code from source, the bundler's message from the package.
    if ((error as { code?: string }).code === 'ERR_MODULE_NOT_FOUND' || /^Module not found in bundle/.test((error as Error).message)) return undefined;
    throw error;
  }
}

// Loaded once, when the emulator module is: createEmulator stays synchronous for a backend's tests.
const listedParts = new Map<string, EmulatorPartFactory>();
for (const group of groups) {
  const part = await loadPart(group.name);
  if (part) listedParts.set(group.name, part);
}

/** The emulator with the part of every group. */
export function createEmulator(options: EmulatorOptions = {}): Emulator {
  const clock = options.clock ?? new OffsetClock();
  const core = new EmulatorCore(clock, options.apps ?? [], { ...DEFAULT_LIMITS, ...options.limits });
  const settings = { acceptBenchCodes: options.acceptBenchCodes };
  const parts = new Map<string, EmulatorPart>();
  for (const group of options.groups ?? groups) {
    const factory = options.parts?.[group.name] ?? listedParts.get(group.name);
    if (factory) parts.set(group.name, factory(core, settings));
  }
  const oauth = parts.get('oauth') as OAuthEmulatorPart | undefined;
  const issueCode = (input: IssueCodeInput) => {
    if (!oauth) throw new Error('the oauth group is not part of this emulator');
    return oauth.issueCode(input);
  };
  const controls = new Controls();
  // The menu the phone shows and taps and the codes it scans are the menu and qrcode groups' state.
  const menus = (parts.get('menu') as MenuEmulatorPart | undefined)?.menus;
  const tickets = (parts.get('qrcode') as QrcodeEmulatorPart | undefined)?.qrcodes;
  const phone = new Phone(core, {
    menu: (appId, openid) => (openid === undefined ? menus?.current(appId) : menus?.forFollower(appId, openid))?.button,
    button: (appId, openid, top, sub) => menus?.buttonAt(appId, openid, top, sub),
    qrcode: (appId, ticket) => {
      const code = tickets?.resolve(ticket);
      return code?.appId === appId ? { ticket, sceneId: code.scene_id, sceneStr: code.scene_str, expired: code.expired } : undefined;
    },
    qrcodes: (appId) => (tickets?.liveOf(appId) ?? []).map((code) => ({ ticket: code.ticket, sceneId: code.scene_id, sceneStr: code.scene_str, expired: false })),
  });
  for (const [appId, server] of Object.entries(options.servers ?? {})) phone.configure(appId, server);
  const app = createEmulatorApp({ core, parts: [...parts.values()], issueCode, controls, phone, redirectHosts: options.redirectHosts });
  return {
    app,
    clock,
    audience: core.audience,
    phone,
    core,
    addApp: (account) => core.addApp(account),
    issueCode,
    counts: () => controls.counts(),
    resetCounts: () => controls.resetCounts(),
    failNext: (path, errcode, times) => controls.failNext(path, errcode, times),
    setDelay: (path, ms) => controls.setDelay(path, ms),
    setIpWhitelisted: (on) => {
      core.ipWhitelisted = on;
    },
    invalidateAccessToken: (token) => core.invalidateAccessToken(token),
    isValidAccessToken: (token) => core.isValidAccessToken(token),
    failure: (rid) => core.failure(rid),
    reset: () => {
      core.reset();
      controls.resetCounts();
      controls.clear();
    },
    part: <P extends EmulatorPart>(name: string) => parts.get(name) as P | undefined,
  };
}

export interface RunningEmulator {
  url: string;
  port: number;
  emulator: Emulator;
  close(): Promise<void>;
}

export async function startEmulator(options: EmulatorOptions & { port?: number; host?: string } = {}): Promise<RunningEmulator> {
  const emulator = createEmulator(options);
  const host = options.host ?? '127.0.0.1';
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const started = serve({ fetch: emulator.app.fetch, port: options.port ?? 9100, hostname: host }, () => resolve(started));
    started.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return {
    url,
    port,
    emulator,
    close: () =>
      new Promise<void>((resolve) => {
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
