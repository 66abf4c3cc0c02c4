/**
 * USER_ROUTES: an operator opens named admin routes to signed-in end users. What it refuses at
 * start (the token and quota routes, anything that is not an admin route), what the start log
 * says, and what a signed-in user, an anonymous caller and the backend get on an opened route.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import * as v from 'valibot';
import { ConfigError, loadConfig } from '../src/config.js';
import { groups } from '../src/apis/index.js';
import type { ApiGroup } from '../src/apis/group.js';
import { defineRoute } from '../src/function/route.js';
import { ADMIN_KEY } from './support/random-account.js';
import { freePort } from './support/ports.js';
import { spawnFunction, spawnTsx } from './support/spawned.js';
import { gatewayBearer, startStack, TEST_APP_ID, TEST_APP_SECRET, type Stack } from './support/stack.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const creds = { appId: TEST_APP_ID, appSecret: TEST_APP_SECRET };

function variableOf(env: Record<string, string>): string | undefined {
  try {
    loadConfig({ ...creds, ...env });
    return undefined;
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error.variable;
  }
}

describe('USER_ROUTES in the configuration', () => {
  it('lists route paths, trimmed and once each; none by default', () => {
    assert.deepEqual(loadConfig(creds).userRoutes, []);
    assert.deepEqual(loadConfig({ ...creds, USER_ROUTES: ' /qrcode/create, /user/info,/qrcode/create' }).userRoutes, ['/qrcode/create', '/user/info']);
  });

  it('can never open /token/* or /openapi/*, nor take something that is not a path', () => {
    for (const listed of ['/token/get', '/token/stable', '/qrcode/create,/openapi/clear_quota', '/openapi/get_rid', 'qrcode/create', '/qrcode/create?x=1', '/Qrcode/Create']) {
      assert.equal(variableOf({ USER_ROUTES: listed }), 'USER_ROUTES', listed);
    }
  });

  it('stops the start when a listed path is not an admin route, naming the variable', async () => {
    for (const listed of ['/user/nope', '/jssdk/config', '/oauth/token']) {
      await assert.rejects(startStack({ env: { USER_ROUTES: listed } }), (error: unknown) => error instanceof ConfigError && error.variable === 'USER_ROUTES' && error.message.includes(listed));
    }
  });

  it('stops the start for a route marked openable: false', async () => {
    const sealed: ApiGroup = {
      name: 'sealed',
      description: 'An admin route no setting may open.',
      routes: [defineRoute({ path: '/sealed/spend', access: 'admin', openable: false, summary: 'x', body: v.object({}), handler: async () => ({}) })],
    };
    await assert.rejects(
      startStack({ groups: [...groups, sealed], env: { USER_ROUTES: '/sealed/spend' } }),
      (error: unknown) => error instanceof ConfigError && error.variable === 'USER_ROUTES' && /can never open \/sealed\/spend/.test(error.message),
    );
  });

  it('makes a production start fail with one line naming USER_ROUTES', async () => {
    const run = spawnTsx('src/cli.ts', ['start'], { cwd: root, env: { NODE_ENV: 'production', ...creds, PORT: String(await freePort()), USER_ROUTES: '/token/get' } });
    const exit = await run.exited;
    assert.equal(exit.code, 1);
    assert.match(run.stderr.join('\n'), /configuration error \(USER_ROUTES\).*\/token\/get/);
  });

  it('says in the start log which routes are open, and nothing when none are', async () => {
    const start = async (env: Record<string, string>) => {
      const fn = await spawnFunction(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'start'], {
        cwd: root,
        env: { NODE_ENV: 'production', ...creds, PORT: String(await freePort()), ADMIN_API_KEY: ADMIN_KEY, ...env },
      });
      await fn.stop();
      return fn.stdout.map((line) => JSON.parse(line));
    };
    const open = await start({ USER_ROUTES: '/qrcode/create,/user/info' });
    assert.deepEqual(open.find((line) => line.msg === 'offiaccount-common listening').userRoutes, ['/qrcode/create', '/user/info']);
    const line = open.find((entry) => /USER_ROUTES/.test(entry.msg));
    assert.match(line.msg, /\/qrcode\/create, \/user\/info/);
    const closed = await start({});
    assert.ok(!closed.some((entry) => /USER_ROUTES/.test(entry.msg)));
  });
});

describe('an opened route', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({ env: { AUTH_MODE: 'gateway', ADMIN_API_KEY: ADMIN_KEY, USER_ROUTES: '/qrcode/create', RATE_LIMIT_PER_MINUTE: '0' } });
  });
  after(async () => {
    await stack.close();
  });
  const body = { action_name: 'QR_STR_SCENE', scene_str: 'invite-42', expire_seconds: 600 };

  it('answers a signed-in user, and still the backend with its admin key', async () => {
    const asUser = await stack.call('/qrcode/create', body, gatewayBearer('user-1'));
    assert.equal(asUser.status, 200, asUser.text);
    assert.ok(asUser.body.data.ticket);
    const asAdmin = await stack.call('/qrcode/create', body, { 'x-api-key': ADMIN_KEY });
    assert.equal(asAdmin.status, 200, asAdmin.text);
  });

  it('refuses a caller without a sign-in, and a wrong admin key, before calling WeChat', async () => {
    const before = stack.emulator.counts();
    assert.equal((await stack.call('/qrcode/create', body)).status, 401);
    assert.equal((await stack.call('/qrcode/create', body, { 'x-api-key': 'not-the-admin-key-at-all' })).status, 403);
    assert.deepEqual(stack.emulator.counts(), before);
  });

  it('leaves every route it does not name to the admin', async () => {
    const result = await stack.call('/qrcode/show', { ticket: 't' }, gatewayBearer('user-1'));
    assert.equal(result.status, 403, result.text);
    assert.equal((await stack.call('/token/get', {}, gatewayBearer('user-1'))).status, 403);
  });

  it('is a user route in /openapi.json', async () => {
    const doc = (await stack.raw('/openapi.json')).body;
    assert.equal(doc.paths['/qrcode/create'].post['x-access'], 'user');
    assert.equal(doc.paths['/qrcode/show'].post['x-access'], 'admin');
  });
});
