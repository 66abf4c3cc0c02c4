/**
 * The environment, read once and turned into one typed object. Nothing else in the
 * project reads process.env: every layer receives what it needs from here.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseCustomLoginKey, type CustomLoginKey } from './cloudbase/custom-login.js';
import { ENCODING_AES_KEY_PATTERN } from './apis/callback/aes-key.js';
import type { Rules } from './apis/callback/rules.js';
import { RulesError } from './apis/callback/rules-error.js';

export type Mode = 'wechat' | 'emulator';
export type TokenSource = 'stable' | 'classic';
export type AuthMode = 'gateway' | 'jwt' | 'none';

export interface Config {
  /** Which upstream the function talks to: real WeChat, or the local emulator. */
  mode: Mode;
  production: boolean;
  appId: string;
  appSecret: string;
  port: number;
  host: string;
  /** Base URL of WeChat's server APIs (api.weixin.qq.com, or the emulator). */
  wechatApiBaseUrl: string;
  /** Base URL of WeChat's authorize page (open.weixin.qq.com, or the emulator). */
  wechatOpenBaseUrl: string;
  /**
   * Base URL of mp.weixin.qq.com, where QR code images are served. Follows WECHAT_API_BASE_URL
   * when that is set (the emulator serves both hosts on one address); WECHAT_MP_BASE_URL overrides.
   */
  wechatMpBaseUrl: string;
  wechatTimeoutMs: number;
  redisUrl: string | undefined;
  /** REDIS_URL names one node of a Redis Cluster; the client speaks the Cluster protocol. */
  redisCluster: boolean;
  tokenSource: TokenSource;
  /** How long a credential refresh lock lives if its holder dies (other instances then take over). */
  tokenLockTtlMs: number;
  adminApiKey: string | undefined;
  authMode: AuthMode;
  jwksUrl: string | undefined;
  jwtPublicKey: string | undefined;
  jwtIssuer: string | undefined;
  jwtAudience: string | undefined;
  corsAllowOrigins: string[];
  /** Requests per minute per caller on end-user routes; 0 turns the limit off. */
  rateLimitPerMinute: number;
  /** Sign-in routes callers may use without a Bearer token (PUBLIC_ROUTES); a subset of OPENABLE_ROUTES. */
  publicRoutes: string[];
  /** Admin routes of the account's API groups opened to signed-in end users (USER_ROUTES). */
  userRoutes: string[];
  /** The CloudBase custom-login key: /oauth/token then answers with a ticket too. */
  customLoginKey: CustomLoginKey | undefined;
  /** Whose id the ticket carries: the openid, or the unionid when WeChat sends one. */
  ticketUid: 'openid' | 'unionid';
  /** /oauth/token refuses a code sent without a state from /oauth/state (OAUTH_REQUIRE_STATE=1). */
  requireState: boolean;
  logLevel: string;
  /** The message server's Token (the platform's server configuration); without it the server is off. */
  serverToken: string | undefined;
  /** Safe and compatible modes' key; needed only when the platform is set to one of them. */
  encodingAESKey: string | undefined;
  /** Reply rules from MESSAGE_RULES or MESSAGE_RULES_FILE, checked at start. */
  messageRules: Rules | undefined;
  messageWebhookUrl: string | undefined;
  messageWebhookSecret: string | undefined;
  messageWebhookTimeoutMs: number;
  /** The stream's key when not `oa:{appId}:messages`. */
  messageStream: string | undefined;
  messageStreamMaxLength: number;
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

const APPID_PATTERN = /^wx[0-9a-f]{16}$/i;

/** Reads the first non-empty of several names; returns the name it came from for error messages. */
function pick(env: Env, ...names: string[]): { name: string; value: string | undefined } {
  for (const name of names) {
    const value = env[name]?.trim();
    if (value) return { name, value };
  }
  return { name: names[0], value: undefined };
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const parsed = /^[+-]?\d+$/.test(raw) ? Number(raw) : NaN;
  if (!(parsed >= min && parsed <= max)) {
    throw new ConfigError(name, `${name} must be a whole number from ${min} to ${max}; got "${raw}"`);
  }
  return parsed;
}

function url(env: Env, name: string, fallback: string | undefined): string | undefined {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(name, `${name} must be an absolute http(s) URL; got "${raw}"`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new ConfigError(name, `${name} must be an http(s) URL; got "${raw}"`);
  }
  return raw.replace(/\/+$/, '');
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(name, `${name} must be one of ${allowed.join(', ')}; got "${raw}"`);
  }
  return raw as T;
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * JWT_PUBLIC_KEY as a PEM public key. Environment editors often flatten newlines to a literal
 * backslash-n, so those are restored. A private key is refused: the function must never hold the
 * half that signs tokens.
 */
function publicKeyPem(env: Env): string | undefined {
  const raw = env.JWT_PUBLIC_KEY?.trim();
  if (!raw) return undefined;
  const pem = raw.replace(/\\n/g, '\n');
  if (/PRIVATE KEY-----/.test(pem)) {
    throw new ConfigError('JWT_PUBLIC_KEY', 'JWT_PUBLIC_KEY holds a private key; give the function only the public half');
  }
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch {
    throw new ConfigError('JWT_PUBLIC_KEY', 'JWT_PUBLIC_KEY is not a PEM public key (-----BEGIN PUBLIC KEY----- ...)');
  }
  if (!['rsa', 'rsa-pss', 'ec', 'ed25519'].includes(key.asymmetricKeyType ?? '')) {
    throw new ConfigError('JWT_PUBLIC_KEY', `JWT_PUBLIC_KEY must be an RSA, EC or Ed25519 key; got ${key.asymmetricKeyType ?? 'an unknown type'}`);
  }
  return pem;
}

/**
 * The routes a page needs before it has a CloudBase session; nothing else may be opened. The
 * admin routes hand out the account's master token and /oauth/refresh, /oauth/userinfo and
 * /oauth/verify act on a user's tokens, which a signed-in page holds.
 */
export const OPENABLE_ROUTES = ['/oauth/config', '/oauth/state', '/oauth/token', '/jssdk/config'] as const;

function publicRoutes(env: Env): string[] {
  const listed = (env.PUBLIC_ROUTES ?? '')
    .split(',')
    .map((path) => path.trim())
    .filter(Boolean);
  for (const path of listed) {
    if (!(OPENABLE_ROUTES as readonly string[]).includes(path)) {
      const why = /^\/token\//.test(path) ? ': admin routes can never be public' : '';
      throw new ConfigError('PUBLIC_ROUTES', `PUBLIC_ROUTES may only list ${OPENABLE_ROUTES.join(', ')}; got "${path.slice(0, 100)}"${why}`);
    }
  }
  return [...new Set(listed)];
}

/** Prefixes USER_ROUTES can never open: the account's token, its quota and its AppSecret. */
export const NEVER_USER_ROUTES = ['/token/', '/openapi/'] as const;

/**
 * USER_ROUTES: admin routes an operator opens to signed-in end users, for example
 * /qrcode/create for a page that makes its own invitation code. Whether each names an admin
 * route is checked where the routes are known (createApp), with the same variable named.
 */
function userRoutes(env: Env): string[] {
  const listed = (env.USER_ROUTES ?? '')
    .split(',')
    .map((path) => path.trim())
    .filter(Boolean);
  for (const path of listed) {
    if (!/^\/[a-z0-9_]+\/[a-z0-9_]+$/.test(path)) {
      throw new ConfigError('USER_ROUTES', `USER_ROUTES lists route paths such as /qrcode/create, separated by commas; got "${path.slice(0, 100)}"`);
    }
    if (NEVER_USER_ROUTES.some((prefix) => path.startsWith(prefix))) {
      throw new ConfigError('USER_ROUTES', `USER_ROUTES can never open ${NEVER_USER_ROUTES.map((prefix) => `${prefix}*`).join(' or ')} (the account's token, quota and AppSecret); got "${path}"`);
    }
  }
  return [...new Set(listed)];
}

/**
 * CLOUDBASE_CUSTOM_LOGIN_KEY: the console's JSON itself, or the path of the file. Its env_id must
 * be the environment the function runs in (TCB_ENV, which CloudBase sets), or every ticket would
 * be refused at sign-in. No message quotes the key.
 */
function customLoginKey(env: Env): CustomLoginKey | undefined {
  const raw = env.CLOUDBASE_CUSTOM_LOGIN_KEY?.trim();
  if (!raw) return undefined;
  const name = 'CLOUDBASE_CUSTOM_LOGIN_KEY';
  let json = raw;
  if (!raw.startsWith('{')) {
    try {
      json = readFileSync(raw, 'utf8');
    } catch {
      throw new ConfigError(name, `${name} is neither the key's JSON nor a readable file: could not read "${raw.slice(0, 200)}"`);
    }
  }
  let key: CustomLoginKey;
  try {
    key = parseCustomLoginKey(json);
  } catch (error) {
    throw new ConfigError(name, `${name} ${(error as Error).message}`);
  }
  const running = env.TCB_ENV?.trim() || env.SCF_NAMESPACE?.trim();
  if (!running) {
    throw new ConfigError('TCB_ENV', `${name} needs TCB_ENV, the CloudBase environment id the function runs in (CloudBase sets it; elsewhere set it yourself)`);
  }
  if (key.envId !== running) {
    throw new ConfigError(name, `${name} is the key of environment "${key.envId}" but the function runs in "${running}" (TCB_ENV); download the key of this environment`);
  }
  return key;
}

/** The message server's settings (docs/message-server.md). Values are never echoed: they are secrets. */
function messageServer(env: Env, parseRules: RulesParser | undefined) {
  const token = pick(env, 'serverToken', 'SERVER_TOKEN');
  const aesKey = pick(env, 'encodingAESKey', 'ENCODING_AES_KEY');
  if (token.value !== undefined && !/^[A-Za-z0-9]{3,32}$/.test(token.value)) {
    throw new ConfigError(token.name, `${token.name} must be 3 to 32 letters or digits, as the platform's server configuration requires`);
  }
  if (aesKey.value !== undefined && !ENCODING_AES_KEY_PATTERN.test(aesKey.value)) {
    throw new ConfigError(aesKey.name, `${aesKey.name} must be exactly 43 letters and digits: copy the EncodingAESKey from the platform's server configuration`);
  }
  const rulesText = env.MESSAGE_RULES?.trim() || undefined;
  const rulesFile = env.MESSAGE_RULES_FILE?.trim() || undefined;
  if (rulesText && rulesFile) throw new ConfigError('MESSAGE_RULES_FILE', 'Set either MESSAGE_RULES or MESSAGE_RULES_FILE, not both');
  const rulesSource = rulesText ? 'MESSAGE_RULES' : 'MESSAGE_RULES_FILE';
  let rules: Rules | undefined;
  if (rulesText || rulesFile) {
    let text = rulesText;
    if (rulesFile) {
      try {
        text = readFileSync(rulesFile, 'utf8');
      } catch {
        throw new ConfigError('MESSAGE_RULES_FILE', `MESSAGE_RULES_FILE names a file that cannot be read: ${rulesFile}`);
      }
    }
    if (!parseRules) throw new Error(`${rulesSource} is set but loadConfig was given no rules parser: pass { parseRules: await rulesParserFor(env) }`);
    try {
      rules = parseRules(text!);
    } catch (error) {
      if (error instanceof RulesError) throw new ConfigError(rulesSource, `${rulesSource}: ${error.message}`);
      throw error;
    }
  }
  const webhookUrl = url(env, 'MESSAGE_WEBHOOK_URL', undefined);
  const webhookSecret = env.MESSAGE_WEBHOOK_SECRET?.trim() || undefined;
  if (webhookUrl && (!webhookSecret || webhookSecret.length < 16)) {
    throw new ConfigError(
      'MESSAGE_WEBHOOK_SECRET',
      'MESSAGE_WEBHOOK_URL needs MESSAGE_WEBHOOK_SECRET (at least 16 characters, e.g. `openssl rand -hex 32`): the webhook checks it to know a delivery came from this function',
    );
  }
  if (!token.value) {
    const idle = aesKey.value ? aesKey.name : rules ? rulesSource : webhookUrl ? 'MESSAGE_WEBHOOK_URL' : undefined;
    if (idle) throw new ConfigError('serverToken', `${idle} is set but the message server is off: set serverToken (or SERVER_TOKEN) to the Token of the platform's server configuration`);
  }
  const stream = env.MESSAGE_STREAM?.trim() || undefined;
  if (stream !== undefined && !/^[\x21-\x7e]{1,256}$/.test(stream)) {
    throw new ConfigError('MESSAGE_STREAM', `MESSAGE_STREAM must be a Redis key of printable characters without spaces; got "${stream}"`);
  }
  return {
    serverToken: token.value,
    encodingAESKey: aesKey.value,
    messageRules: rules,
    messageWebhookUrl: webhookUrl,
    messageWebhookSecret: webhookSecret,
    messageWebhookTimeoutMs: integer(env, 'MESSAGE_WEBHOOK_TIMEOUT_MS', 3000, 100, 4000),
    messageStream: stream,
    messageStreamMaxLength: integer(env, 'MESSAGE_STREAM_MAXLEN', 100_000, 100, 100_000_000),
  };
}

/** Admin keys that can be guessed are refused; the message says how to make one that cannot. */
const MAKE_A_KEY = 'generate one with `openssl rand -hex 32`';

/**
 * The admin key opens the account's global token, so it must not be guessable: at least 32
 * characters, letters and digits (or other signs) mixed, and not a short pattern repeated
 * (`aaaa…`, `abcabc…`). A key from `openssl rand -hex 32` passes.
 */
function checkAdminKey(key: string): void {
  // Printable ASCII without quotes or backslashes: it travels in a header, and the log scrub
  // looks for it verbatim in JSON lines, where those characters would be escaped.
  if (!/^[\x21\x23-\x5b\x5d-\x7e]+$/.test(key)) {
    throw new ConfigError('ADMIN_API_KEY', `ADMIN_API_KEY may hold printable ASCII except quotes and backslashes; ${MAKE_A_KEY}`);
  }
  if (key.length < 32) throw new ConfigError('ADMIN_API_KEY', `ADMIN_API_KEY must be at least 32 characters long; ${MAKE_A_KEY}`);
  const classes = [/[a-z]/, /[A-Z]/, /\d/, /[^a-zA-Z\d]/].filter((pattern) => pattern.test(key)).length;
  const distinct = new Set(key).size;
  if (classes < 2 || distinct < 8 || repeatsPattern(key)) {
    throw new ConfigError('ADMIN_API_KEY', `ADMIN_API_KEY is too easy to guess (it needs letters and digits mixed, and no repeated pattern); ${MAKE_A_KEY}`);
  }
}

/** True when the key is one piece written at least twice over (`abcabc…`, a key pasted twice). */
function repeatsPattern(key: string): boolean {
  for (let period = 1; period <= key.length / 2; period++) {
    let repeats = true;
    for (let i = period; i < key.length && repeats; i++) repeats = key[i] === key[i - period];
    if (repeats) return true;
  }
  return false;
}

/**
 * corsAllowOrigin as the origins a browser sends: scheme, host and port, lower case, no path
 * or trailing slash (an entry written `https://Shop.example.com/` is read as the origin it
 * names). `*` (any origin) and `null` (sandboxed pages, files) are refused in production.
 */
function corsOrigins(env: Env, production: boolean): string[] {
  const name = env.corsAllowOrigin !== undefined ? 'corsAllowOrigin' : 'CORS_ALLOW_ORIGIN';
  const entries = (env[name] ?? '')
    .split(',')
    .map((origin) => origin.trim())
    .filter(Boolean);
  return entries.map((entry) => {
    if (entry === '*' || entry.toLowerCase() === 'null') {
      if (production) {
        throw new ConfigError(name, `${name} may not be "${entry}" in production: list the exact origins of your pages, e.g. https://shop.example.com`);
      }
      return entry === '*' ? entry : 'null';
    }
    let parsed: URL | undefined;
    try {
      parsed = new URL(entry);
    } catch {
      parsed = undefined;
    }
    if (!parsed || !['http:', 'https:'].includes(parsed.protocol) || (parsed.pathname !== '/' && parsed.pathname !== '') || parsed.search || parsed.hash || parsed.username) {
      throw new ConfigError(name, `${name} entries must be origins like https://shop.example.com (scheme, host, optional port; no path); got "${entry}"`);
    }
    return parsed.origin;
  });
}

export interface LoadOptions {
  /**
   * Credentials to use when none are configured and this is not a production start:
   * the CLI passes the emulator's here. A production start never gets them.
   */
  emulatorCredentials?: { appId: string; appSecret: string; baseUrl: string };
  /** Checks MESSAGE_RULES; needed only when rules are set (rulesParserFor gives it then). */
  parseRules?: RulesParser;
}

export type RulesParser = (json: string) => Rules;

/**
 * The reply rules' checker when the environment sets rules, else nothing: it brings the message
 * server's XML library and a pattern tokenizer, which a start without rules does not load.
 */
export async function rulesParserFor(env: Env): Promise<RulesParser | undefined> {
  if (!env.MESSAGE_RULES?.trim() && !env.MESSAGE_RULES_FILE?.trim()) return undefined;
  return (await import('./apis/callback/rules.js')).parseRules;
}

export function loadConfig(env: Env = process.env, options: LoadOptions = {}): Config {
  const production = env.NODE_ENV === 'production' || env.OFFIACCOUNT_PRODUCTION === '1';
  const appId = pick(env, 'appId', 'OA_APPID');
  const appSecret = pick(env, 'appSecret', 'OA_APPSECRET');

  let mode: Mode = 'wechat';
  let credentials: { appId: string; appSecret: string };
  let apiBase = url(env, 'WECHAT_API_BASE_URL', 'https://api.weixin.qq.com')!;
  let openBase = url(env, 'WECHAT_OPEN_BASE_URL', 'https://open.weixin.qq.com')!;

  if (!appId.value && !appSecret.value && !production && options.emulatorCredentials) {
    mode = 'emulator';
    credentials = options.emulatorCredentials;
    apiBase = options.emulatorCredentials.baseUrl;
    openBase = options.emulatorCredentials.baseUrl;
  } else {
    if (!appId.value) {
      throw new ConfigError(
        'appId',
        'appId is not set: set appId (or OA_APPID) to the Official Account AppID, e.g. wxc1546068399a59fc. ' +
          'On CloudBase the Integration Center injects it.',
      );
    }
    if (!appSecret.value) {
      throw new ConfigError(
        'appSecret',
        'appSecret is not set: set appSecret (or OA_APPSECRET) to the Official Account AppSecret. ' +
          'On CloudBase the Integration Center injects it.',
      );
    }
    if (!APPID_PATTERN.test(appId.value)) {
      throw new ConfigError(
        appId.name,
        `${appId.name} does not look like an Official Account AppID (wx followed by 16 hex digits); got "${appId.value}"`,
      );
    }
    if (!/^[0-9a-zA-Z]{16,64}$/.test(appSecret.value)) {
      // Never echo the value: it is the secret.
      throw new ConfigError(appSecret.name, `${appSecret.name} does not look like an AppSecret (16 to 64 letters and digits)`);
    }
    credentials = { appId: appId.value, appSecret: appSecret.value };
  }

  // The AppSecret travels in the query of token calls: over plain http anyone on the path reads
  // it. Loopback stays open (tests, a local recording proxy).
  if (production && new URL(apiBase).protocol !== 'https:' && !LOOPBACK.has(new URL(apiBase).hostname)) {
    throw new ConfigError('WECHAT_API_BASE_URL', `WECHAT_API_BASE_URL must be an https URL in production (the AppSecret travels in its query); got "${apiBase}"`);
  }

  const adminApiKey = env.ADMIN_API_KEY?.trim() || undefined;
  if (adminApiKey !== undefined) checkAdminKey(adminApiKey);

  const redisUrl = env.REDIS_URL?.trim() || undefined;
  if (redisUrl !== undefined) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(redisUrl);
    } catch {
      parsed = undefined;
    }
    if (!parsed || !['redis:', 'rediss:'].includes(parsed.protocol) || !parsed.hostname) {
      throw new ConfigError('REDIS_URL', 'REDIS_URL must be a redis:// or rediss:// URL, e.g. redis://:password@10.0.0.5:6379/0');
    }
  }

  const authMode = oneOf<AuthMode>(env, 'AUTH_MODE', ['gateway', 'jwt', 'none'], mode === 'emulator' ? 'none' : 'gateway');
  if (authMode === 'none' && production) {
    throw new ConfigError('AUTH_MODE', 'AUTH_MODE=none is for local development only and is refused in production');
  }
  const jwksUrl = url(env, 'JWKS_URL', undefined);
  const jwtPublicKey = publicKeyPem(env);
  if (authMode === 'jwt' && !jwksUrl && !jwtPublicKey) {
    throw new ConfigError('JWKS_URL', 'AUTH_MODE=jwt needs JWKS_URL (or JWT_PUBLIC_KEY) to verify tokens with');
  }
  if (jwksUrl && jwtPublicKey) {
    throw new ConfigError('JWT_PUBLIC_KEY', 'Set either JWKS_URL or JWT_PUBLIC_KEY, not both: tokens are verified against exactly one key source');
  }
  // Keys fetched over plain HTTP could be swapped by anyone on the path; only loopback is exempt (tests, local runs).
  if (jwksUrl && production && new URL(jwksUrl).protocol !== 'https:' && !LOOPBACK.has(new URL(jwksUrl).hostname)) {
    throw new ConfigError('JWKS_URL', `JWKS_URL must be an https URL in production; got "${jwksUrl}"`);
  }
  const jwtIssuer = env.JWT_ISSUER?.trim() || undefined;
  const jwtAudience = env.JWT_AUDIENCE?.trim() || undefined;
  // A signature alone proves only that some holder of the key signed it; issuer and audience
  // pin the token to this environment, so a token minted for another app is refused.
  if (authMode === 'jwt' && !jwtIssuer) {
    throw new ConfigError('JWT_ISSUER', 'AUTH_MODE=jwt needs JWT_ISSUER: the "iss" claim your sign-in service puts in its tokens');
  }
  if (authMode === 'jwt' && !jwtAudience) {
    throw new ConfigError('JWT_AUDIENCE', 'AUTH_MODE=jwt needs JWT_AUDIENCE: the "aud" claim your sign-in service puts in its tokens');
  }

  const rateLimitPerMinute = integer(env, 'RATE_LIMIT_PER_MINUTE', 120, 0, 1_000_000);
  const opened = publicRoutes(env);
  // A public route is answered for anyone on the internet: the per-address limit is its only brake.
  if (opened.length && production && rateLimitPerMinute === 0) {
    throw new ConfigError('RATE_LIMIT_PER_MINUTE', 'RATE_LIMIT_PER_MINUTE=0 turns off the only limit on the public routes (PUBLIC_ROUTES); set a limit');
  }

  return {
    mode,
    production,
    appId: credentials.appId,
    appSecret: credentials.appSecret,
    port: integer(env, 'PORT', 9000, 0, 65535),
    // The local run mints sign-in tokens for anyone who asks: keep it on this machine unless told.
    host: env.HOST?.trim() || (mode === 'emulator' ? '127.0.0.1' : '0.0.0.0'),
    wechatApiBaseUrl: apiBase,
    wechatOpenBaseUrl: openBase,
    wechatMpBaseUrl: url(env, 'WECHAT_MP_BASE_URL', mode === 'emulator' || env.WECHAT_API_BASE_URL?.trim() ? apiBase : 'https://mp.weixin.qq.com')!,
    wechatTimeoutMs: integer(env, 'WECHAT_TIMEOUT_MS', 5000, 100, 60000),
    redisUrl,
    redisCluster: oneOf(env, 'REDIS_CLUSTER', ['0', '1'], '0') === '1',
    tokenSource: oneOf<TokenSource>(env, 'TOKEN_SOURCE', ['stable', 'classic'], 'stable'),
    tokenLockTtlMs: integer(env, 'TOKEN_LOCK_TTL_MS', 10_000, 500, 120_000),
    adminApiKey,
    authMode,
    jwksUrl,
    jwtPublicKey,
    jwtIssuer,
    jwtAudience,
    corsAllowOrigins: corsOrigins(env, production),
    rateLimitPerMinute,
    publicRoutes: opened,
    userRoutes: userRoutes(env),
    customLoginKey: customLoginKey(env),
    ticketUid: oneOf(env, 'CLOUDBASE_TICKET_UID', ['openid', 'unionid'], 'openid'),
    requireState: oneOf(env, 'OAUTH_REQUIRE_STATE', ['0', '1'], '0') === '1',
    logLevel: oneOf(env, 'LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'info'),
    ...messageServer(env, options.parseRules),
  };
}
