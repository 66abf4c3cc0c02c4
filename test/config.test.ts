/**
 * Start-up configuration: names CloudBase injects, defaults, and failures that name the variable.
 * A production start never falls back to the emulator.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnTsx } from './support/spawned.js';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig, rulesParserFor } from '../src/config.js';
import { parseRules } from '../src/apis/callback/rules.js';
import { customLoginKey, ENV_ID } from './support/custom-login-key.js';

const creds = { appId: 'wx1234567890abcdef', appSecret: '0123456789abcdef0123456789abcdef' };
const emulatorCredentials = { appId: 'wx0123456789abcdef', appSecret: 'devsecretdevsecret', baseUrl: 'http://127.0.0.1:9100' };

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error;
  }
  assert.fail('expected a configuration error');
}

describe('loadConfig', () => {
  it('reads the names CloudBase injects, with defaults', () => {
    const config = loadConfig(creds);
    assert.equal(config.mode, 'wechat');
    assert.equal(config.appId, creds.appId);
    assert.equal(config.port, 9000);
    assert.equal(config.wechatApiBaseUrl, 'https://api.weixin.qq.com');
    assert.equal(config.tokenSource, 'stable');
    assert.equal(config.authMode, 'gateway');
  });

  it('accepts the older OA_APPID / OA_APPSECRET names', () => {
    const config = loadConfig({ OA_APPID: creds.appId, OA_APPSECRET: creds.appSecret });
    assert.equal(config.appId, creds.appId);
    assert.equal(config.appSecret, creds.appSecret);
  });

  it('names the missing variable', () => {
    assert.equal(configError(() => loadConfig({ appId: creds.appId })).variable, 'appSecret');
    assert.equal(configError(() => loadConfig({ appSecret: creds.appSecret })).variable, 'appId');
  });

  it('names the malformed variable without echoing a secret', () => {
    assert.match(configError(() => loadConfig({ ...creds, appId: 'not-an-appid' })).message, /appId does not look like/);
    const secret = configError(() => loadConfig({ ...creds, appSecret: 'short!' }));
    assert.equal(secret.variable, 'appSecret');
    assert.ok(!secret.message.includes('short!'));
    assert.equal(configError(() => loadConfig({ ...creds, PORT: 'ninety' })).variable, 'PORT');
    assert.equal(configError(() => loadConfig({ ...creds, WECHAT_API_BASE_URL: 'ftp://x' })).variable, 'WECHAT_API_BASE_URL');
    assert.equal(configError(() => loadConfig({ ...creds, TOKEN_SOURCE: 'magic' })).variable, 'TOKEN_SOURCE');
  });

  it('uses the emulator only when nothing is configured and this is not production', () => {
    assert.equal(loadConfig({}, { emulatorCredentials }).mode, 'emulator');
    assert.equal(loadConfig(creds, { emulatorCredentials }).mode, 'wechat');
    assert.equal(configError(() => loadConfig({ NODE_ENV: 'production' }, { emulatorCredentials })).variable, 'appId');
  });

  it('refuses AUTH_MODE=none in production', () => {
    assert.equal(configError(() => loadConfig({ ...creds, NODE_ENV: 'production', AUTH_MODE: 'none' })).variable, 'AUTH_MODE');
  });
});

async function run(args: string[], env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  const child = spawnTsx('src/cli.ts', args, { env });
  // A start that wrongly listens would never exit: the guard ends it, and the code check fails.
  const guard = setTimeout(() => void child.stop('SIGKILL'), 20_000);
  const { code } = await child.exited;
  clearTimeout(guard);
  return { code, stderr: child.stderr.join('\n') };
}

describe('starting without credentials', () => {
  it('stops a production start with a message naming appId', async () => {
    const result = await run(['start'], { NODE_ENV: 'production', PORT: '0' });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /configuration error \(appId\): appId is not set/);
  });

  it('never falls back to the emulator in production, even from the dev command', async () => {
    const result = await run(['dev'], { NODE_ENV: 'production', PORT: '0', EMULATOR_PORT: '0' });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /appId is not set/);
  });
});

describe('a production start with the custom-login key of another environment', () => {
  it('stops naming CLOUDBASE_CUSTOM_LOGIN_KEY, and does not print the key', async () => {
    const { json, pemBody } = customLoginKey('other-env');
    const result = await run(['start'], {
      NODE_ENV: 'production',
      PORT: '0',
      appId: 'wx1234567890abcdef',
      appSecret: 'S3cretS3cretS3cretS3cretS3cret42',
      CLOUDBASE_CUSTOM_LOGIN_KEY: json,
      TCB_ENV: ENV_ID,
    });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /configuration error \(CLOUDBASE_CUSTOM_LOGIN_KEY\): .*"other-env".*TCB_ENV/);
    assert.ok(!result.stderr.includes(pemBody));
  });
});

describe('more checks at start', () => {
  const creds = { appId: 'wx1234567890abcdef', appSecret: 'S3cretS3cretS3cretS3cretS3cret42' };
  const variableOf = (env: Record<string, string>) => {
    try {
      loadConfig(env);
    } catch (error) {
      return (error as { variable?: string }).variable;
    }
    return undefined;
  };

  it('names REDIS_URL when it is not a Redis URL', () => {
    assert.equal(variableOf({ ...creds, REDIS_URL: 'not a url' }), 'REDIS_URL');
    assert.equal(variableOf({ ...creds, REDIS_URL: 'http://cache:6379' }), 'REDIS_URL');
    assert.equal(loadConfig({ ...creds, REDIS_URL: 'rediss://:pw@cache.internal:6380/1' }).redisUrl, 'rediss://:pw@cache.internal:6380/1');
  });

  it('refuses an admin key the log scrub could not find once escaped', () => {
    assert.equal(variableOf({ ...creds, ADMIN_API_KEY: 'adm"in-key-with-quote-1234-0123456789' }), 'ADMIN_API_KEY');
    assert.equal(variableOf({ ...creds, ADMIN_API_KEY: 'back\\slash-key-0123456789abcdefghij' }), 'ADMIN_API_KEY');
  });

  it('refuses an admin key that can be guessed, and says how to make one', () => {
    const strong = randomBytes(32).toString('hex');
    assert.equal(loadConfig({ ...creds, ADMIN_API_KEY: strong }).adminApiKey, strong);
    for (const weak of [
      'aaaaaaaaaaaaaaaa',
      'a'.repeat(64),
      'short-but-mixed-key-0123',
      'abcdefghijklmnopqrstuvwxyzabcdefgh',
      'abc123abc123abc123abc123abc123abc123',
      '0123456789abcdef0123456789abcdef',
    ]) {
      assert.throws(
        () => loadConfig({ ...creds, ADMIN_API_KEY: weak }),
        (error: unknown) => error instanceof ConfigError && error.variable === 'ADMIN_API_KEY' && /openssl rand -hex 32/.test(error.message),
        weak,
      );
    }
  });

  it('refuses WeChat over plain http in production, except on loopback', () => {
    const production = { ...creds, NODE_ENV: 'production' };
    assert.equal(variableOf({ ...production, WECHAT_API_BASE_URL: 'http://10.0.0.8:8080' }), 'WECHAT_API_BASE_URL');
    assert.equal(variableOf({ ...production, WECHAT_API_BASE_URL: 'http://api.weixin.qq.com' }), 'WECHAT_API_BASE_URL');
    assert.equal(loadConfig({ ...production, WECHAT_API_BASE_URL: 'http://127.0.0.1:9100' }).wechatApiBaseUrl, 'http://127.0.0.1:9100');
    assert.equal(loadConfig({ ...creds, WECHAT_API_BASE_URL: 'http://10.0.0.8:8080' }).wechatApiBaseUrl, 'http://10.0.0.8:8080');
  });

  it('accepts the example configuration docs/deploy.md gives for a production start', () => {
    const doc = readFileSync(new URL('../docs/deploy.md', import.meta.url), 'utf8');
    const line = /^PORT=9000 (.*) \\\n\s*(.*) \.\/scf_bootstrap$/m.exec(doc);
    assert.ok(line, 'docs/deploy.md has its example start');
    const env = Object.fromEntries(`${line[1]} ${line[2]}`.split(/\s+/).map((pair) => pair.split('=') as [string, string]));
    assert.doesNotThrow(() => loadConfig({ ...env, NODE_ENV: 'production' }));
  });

  it('reads origins as a browser sends them, and refuses any origin in production', () => {
    const production = { ...creds, NODE_ENV: 'production' };
    assert.deepEqual(loadConfig({ ...creds, corsAllowOrigin: 'https://Shop.Example.com/, https://m.example.com:8443' }).corsAllowOrigins, [
      'https://shop.example.com',
      'https://m.example.com:8443',
    ]);
    assert.equal(variableOf({ ...creds, corsAllowOrigin: 'https://shop.example.com/app' }), 'corsAllowOrigin');
    assert.equal(variableOf({ ...production, corsAllowOrigin: '*' }), 'corsAllowOrigin');
    assert.equal(variableOf({ ...production, CORS_ALLOW_ORIGIN: 'https://a.example.com,null' }), 'CORS_ALLOW_ORIGIN');
  });

  it('keeps the local run on this machine unless HOST says otherwise', () => {
    const emulatorCredentials = { appId: 'wx0123456789abcdef', appSecret: 'devsecretdevsecret', baseUrl: 'http://127.0.0.1:9100' };
    assert.equal(loadConfig({}, { emulatorCredentials }).host, '127.0.0.1');
    assert.equal(loadConfig({ HOST: '0.0.0.0' }, { emulatorCredentials }).host, '0.0.0.0');
    assert.equal(loadConfig(creds).host, '0.0.0.0');
  });
});

describe('message server settings', () => {
  const creds = { appId: 'wx1234567890abcdef', appSecret: 'S3cretS3cretS3cretS3cretS3cret42' };
  const TOKEN = 'pamtest';
  const AES_KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
  const rules = JSON.stringify({ keywords: [{ match: 'hello', reply: { type: 'text', content: 'hi' } }] });
  // What a start does: the rules' checker is passed in when rules are set (see rulesParserFor).
  const load = (env: Record<string, string | undefined>) => loadConfig(env, { parseRules });

  it('is off by default and reads both spellings of each setting', () => {
    const off = load(creds);
    assert.equal(off.serverToken, undefined);
    assert.equal(off.messageRules, undefined);
    const on = load({ ...creds, SERVER_TOKEN: TOKEN, ENCODING_AES_KEY: AES_KEY });
    assert.equal(on.serverToken, TOKEN);
    assert.equal(on.encodingAESKey, AES_KEY);
    const camel = load({ ...creds, serverToken: TOKEN, encodingAESKey: AES_KEY });
    assert.equal(camel.serverToken, TOKEN);
    assert.equal(camel.messageWebhookTimeoutMs, 3000);
    assert.equal(camel.messageStreamMaxLength, 100_000);
  });

  it('checks the EncodingAESKey is 43 letters and digits, without echoing it', () => {
    const short = configError(() => load({ ...creds, SERVER_TOKEN: TOKEN, ENCODING_AES_KEY: AES_KEY.slice(1) }));
    assert.equal(short.variable, 'ENCODING_AES_KEY');
    assert.match(short.message, /43 letters and digits/);
    assert.ok(!short.message.includes(AES_KEY.slice(1)));
    assert.equal(configError(() => load({ ...creds, SERVER_TOKEN: TOKEN, encodingAESKey: `${AES_KEY.slice(1)}=` })).variable, 'encodingAESKey');
    const token = configError(() => load({ ...creds, SERVER_TOKEN: 'has spaces in it' }));
    assert.equal(token.variable, 'SERVER_TOKEN');
    assert.ok(!token.message.includes('has spaces'));
  });

  it('reads rules from MESSAGE_RULES or a file, naming the rule at fault', () => {
    assert.equal(load({ ...creds, SERVER_TOKEN: TOKEN, MESSAGE_RULES: rules }).messageRules !== undefined, true);
    const bad = configError(() => load({ ...creds, SERVER_TOKEN: TOKEN, MESSAGE_RULES: '{"click": {"MENU_A": {"type": "image"}}}' }));
    assert.equal(bad.variable, 'MESSAGE_RULES');
    assert.equal(bad.message, 'MESSAGE_RULES: click.MENU_A.mediaId is required');
    const dir = mkdtempSync(join(tmpdir(), 'rules-'));
    const file = join(dir, 'rules.json');
    writeFileSync(file, '{"keywords": [{"regex": "(a+)+$", "reply": {"type": "text", "content": "x"}}]}');
    const unsafe = configError(() => load({ ...creds, SERVER_TOKEN: TOKEN, MESSAGE_RULES_FILE: file }));
    assert.equal(unsafe.variable, 'MESSAGE_RULES_FILE');
    assert.match(unsafe.message, /^MESSAGE_RULES_FILE: keywords\[0\]\.regex repeats a repetition/);
    writeFileSync(file, rules);
    assert.ok(load({ ...creds, SERVER_TOKEN: TOKEN, MESSAGE_RULES_FILE: file }).messageRules);
    assert.match(configError(() => load({ ...creds, SERVER_TOKEN: TOKEN, MESSAGE_RULES_FILE: join(dir, 'missing.json') })).message, /cannot be read/);
    assert.equal(configError(() => load({ ...creds, SERVER_TOKEN: TOKEN, MESSAGE_RULES: rules, MESSAGE_RULES_FILE: file })).variable, 'MESSAGE_RULES_FILE');
    rmSync(dir, { recursive: true });
  });

  it('loads the rules checker only for a start that sets rules', async () => {
    assert.equal(await rulesParserFor(creds), undefined);
    assert.equal(await rulesParserFor({ ...creds, MESSAGE_RULES: '  ' }), undefined);
    assert.equal(await rulesParserFor({ ...creds, MESSAGE_RULES: rules }), parseRules);
    assert.equal(await rulesParserFor({ ...creds, MESSAGE_RULES_FILE: '/etc/rules.json' }), parseRules);
    // Rules set without their checker are never taken unchecked.
    assert.throws(() => loadConfig({ ...creds, SERVER_TOKEN: TOKEN, MESSAGE_RULES: rules }), /no rules parser/);
  });

  it('needs a webhook secret with a webhook, and a server token for any of it', () => {
    const url = 'https://hooks.example.com/wechat';
    assert.equal(configError(() => load({ ...creds, SERVER_TOKEN: TOKEN, MESSAGE_WEBHOOK_URL: url })).variable, 'MESSAGE_WEBHOOK_SECRET');
    assert.equal(configError(() => load({ ...creds, SERVER_TOKEN: TOKEN, MESSAGE_WEBHOOK_URL: 'ftp://x', MESSAGE_WEBHOOK_SECRET: 'x'.repeat(32) })).variable, 'MESSAGE_WEBHOOK_URL');
    const config = load({ ...creds, SERVER_TOKEN: TOKEN, MESSAGE_WEBHOOK_URL: url, MESSAGE_WEBHOOK_SECRET: 'x'.repeat(32), MESSAGE_WEBHOOK_TIMEOUT_MS: '1500' });
    assert.equal(config.messageWebhookUrl, url);
    assert.equal(config.messageWebhookTimeoutMs, 1500);
    assert.equal(configError(() => load({ ...creds, SERVER_TOKEN: TOKEN, MESSAGE_WEBHOOK_TIMEOUT_MS: '5000' })).variable, 'MESSAGE_WEBHOOK_TIMEOUT_MS');
    for (const setting of [{ MESSAGE_RULES: rules }, { ENCODING_AES_KEY: AES_KEY }, { MESSAGE_WEBHOOK_URL: url, MESSAGE_WEBHOOK_SECRET: 'x'.repeat(32) }]) {
      const off = configError(() => load({ ...creds, ...setting }));
      assert.equal(off.variable, 'serverToken');
      assert.match(off.message, /message server is off/);
    }
  });

  it('takes another stream key and length', () => {
    const config = load({ ...creds, SERVER_TOKEN: TOKEN, MESSAGE_STREAM: 'oa:{shared}:inbox', MESSAGE_STREAM_MAXLEN: '5000' });
    assert.equal(config.messageStream, 'oa:{shared}:inbox');
    assert.equal(config.messageStreamMaxLength, 5000);
    assert.equal(configError(() => load({ ...creds, MESSAGE_STREAM: 'has space' })).variable, 'MESSAGE_STREAM');
  });
});
