/**
 * The WeChat emulator on its own, over HTTP: the authorize page's checks and flows, the
 * sns APIs' error codes, and the global token rules (overlap, stable mode, quotas, whitelist).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { spawnTsx } from './support/spawned.js';
import { after, before, beforeEach, describe, it } from 'node:test';
import { ManualClock } from '../src/clock.js';
import { startEmulator, type RunningEmulator } from '../src/emulator/index.js';

const APP = { appId: 'wx1111111111111111', appSecret: 'emulatorsecret111' };
const OTHER = { appId: 'wx2222222222222222', appSecret: 'emulatorsecret222', openPlatform: true };
const MINUTE = 60_000;

let running: RunningEmulator;
const clock = new ManualClock(Date.UTC(2026, 10, 24, 4, 0, 0));
before(async () => {
  running = await startEmulator({ port: 0, clock, apps: [APP, OTHER], limits: { tokenDailyQuota: 5, forceRefreshDailyQuota: 3 } });
});
after(() => running.close());
beforeEach(() => running.emulator.reset());

const get = async (path: string, query: Record<string, string>) => {
  const response = await fetch(`${running.url}${path}?${new URLSearchParams(query)}`);
  return response.json();
};
const exchange = (code: string, app = APP) =>
  get('/sns/oauth2/access_token', { appid: app.appId, secret: app.appSecret, code, grant_type: 'authorization_code' });
const classic = (app = APP) => get('/cgi-bin/token', { grant_type: 'client_credential', appid: app.appId, secret: app.appSecret });
const stable = async (force?: boolean) => {
  const response = await fetch(`${running.url}/cgi-bin/stable_token`, {
    method: 'POST',
    body: JSON.stringify({ grant_type: 'client_credential', appid: APP.appId, secret: APP.appSecret, ...(force !== undefined && { force_refresh: force }) }),
  });
  return response.json();
};
const callbackIp = (token: string) => get('/cgi-bin/getcallbackip', { access_token: token });

function assertWxError(reply: any, errcode: number) {
  assert.equal(reply.errcode, errcode, JSON.stringify(reply));
  assert.match(reply.errmsg, /rid: [0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}$/);
}

describe('authorize page', () => {
  const authorize = (params: [string, string][], cookie?: string) =>
    fetch(`${running.url}/connect/oauth2/authorize?${new URLSearchParams(params)}`, { redirect: 'manual', headers: cookie ? { cookie } : {} });
  const standard = (scope: string, extra: [string, string][] = []): [string, string][] => [
    ['appid', APP.appId],
    ['redirect_uri', 'http://localhost:3000/cb?from=menu'],
    ['response_type', 'code'],
    ['scope', scope],
    ['state', 'abc123'],
    ...extra,
  ];
  const pick = async (scope: string, user: string) => {
    const form = new URLSearchParams([...standard(scope), ['user', user]]);
    const response = await fetch(`${running.url}/connect/oauth2/authorize/pick`, { method: 'POST', body: form, redirect: 'manual' });
    assert.equal(response.status, 303);
    return response.headers.get('set-cookie')!.split(';')[0];
  };

  it('shows WeChat’s error numbers for bad parameters', async () => {
    const cases: [[string, string][], number][] = [
      [standard('snsapi_base').filter(([key]) => key !== 'appid'), 10012],
      [standard('snsapi_base').map(([k, v]) => [k, k === 'redirect_uri' ? '' : v]), 10011],
      [standard('snsapi_base').map(([k, v]) => [k, k === 'redirect_uri' ? 'javascript:alert(1)' : v]), 10003],
      [standard(''), 10010],
      [standard('snsapi_login'), 10005],
      [standard('snsapi_base').map(([k, v]) => [k, k === 'state' ? 'has spaces & symbols' : v]), 10013],
      [[...standard('snsapi_base')].reverse(), 10014],
    ];
    for (const [params, code] of cases) {
      const response = await authorize(params);
      assert.equal(response.status, 400);
      const html = await response.text();
      assert.match(html, new RegExp(`data-testid="emu-error-code">${code}<`), `expected ${code} for ${JSON.stringify(params)}`);
    }
  });

  it('escapes what it echoes', async () => {
    const response = await authorize(standard('snsapi_userinfo').map(([k, v]) => [k, k === 'redirect_uri' ? 'http://localhost/"><script>x()</script>' : v]));
    const html = await response.text();
    assert.ok(!html.includes('<script>x()'));
  });

  it('asks who the user is, then signs in silently under snsapi_base', async () => {
    const first = await authorize(standard('snsapi_base'));
    assert.equal(first.status, 200);
    assert.match(await first.text(), /data-testid="emu-user-alice"/);
    const cookie = await pick('snsapi_base', 'alice');
    const silent = await authorize(standard('snsapi_base'), cookie);
    assert.equal(silent.status, 302);
    const target = new URL(silent.headers.get('location')!);
    assert.equal(target.origin + target.pathname, 'http://localhost:3000/cb');
    assert.equal(target.searchParams.get('from'), 'menu');
    assert.equal(target.searchParams.get('state'), 'abc123');
    const token = await exchange(target.searchParams.get('code')!);
    assert.equal(token.scope, 'snsapi_base');
    assert.match(token.openid, /^o[\w-]{27}$/);
  });

  it('asks for consent under snsapi_userinfo; allow returns a code, deny only the state', async () => {
    const cookie = await pick('snsapi_userinfo', 'bob');
    const consent = await authorize(standard('snsapi_userinfo'), cookie);
    assert.equal(consent.status, 200);
    assert.match(await consent.text(), /data-testid="emu-allow"/);
    const decide = (decision: string) =>
      fetch(`${running.url}/connect/oauth2/authorize/decide`, {
        method: 'POST',
        body: new URLSearchParams([...standard('snsapi_userinfo'), ['decision', decision]]),
        headers: { cookie },
        redirect: 'manual',
      });
    const allowed = new URL((await decide('allow')).headers.get('location')!);
    assert.ok(allowed.searchParams.get('code'));
    const token = await exchange(allowed.searchParams.get('code')!);
    const profile = await get('/sns/userinfo', { access_token: token.access_token, openid: token.openid, lang: 'zh_CN' });
    assert.equal(profile.nickname, 'Bob 王');
    assert.equal(profile.sex, 1);
    const denied = new URL((await decide('deny')).headers.get('location')!);
    assert.equal(denied.searchParams.get('code'), null);
    assert.equal(denied.searchParams.get('state'), 'abc123');
  });

  it('shows the consent page under snsapi_base when forcePopup=true', async () => {
    const cookie = await pick('snsapi_base', 'carol');
    const response = await authorize(standard('snsapi_base', [['forcePopup', 'true']]), cookie);
    assert.equal(response.status, 200);
    assert.match(await response.text(), /data-testid="emu-allow"/);
  });
});

describe('sns APIs', () => {
  it('binds codes to their appid and uses each once', async () => {
    const code = running.emulator.issueCode({ appId: APP.appId, scope: 'snsapi_base', user: 'alice' });
    assertWxError(await exchange(code, OTHER), 40029);
    assert.ok((await exchange(code)).openid);
    assertWxError(await exchange(code), 40163);
    assertWxError(await exchange(''), 41008);
  });

  it('expires codes after 5 minutes', async () => {
    const code = running.emulator.issueCode({ appId: APP.appId, scope: 'snsapi_base' });
    clock.advance(5 * MINUTE + 1);
    assertWxError(await exchange(code), 42003);
  });

  it('checks the appid and secret', async () => {
    const code = running.emulator.issueCode({ appId: APP.appId, scope: 'snsapi_base' });
    assertWxError(await exchange(code, { ...APP, appSecret: 'wrong' }), 40125);
    assertWxError(await exchange(code, { ...APP, appId: 'wx9999999999999999' }), 40013);
  });

  it('gives a unionid when the account is bound to an Open Platform account, the same across apps', async () => {
    const first = await exchange(running.emulator.issueCode({ appId: OTHER.appId, scope: 'snsapi_base', user: 'dana' }), OTHER);
    assert.match(first.unionid, /^o[\w-]{27}$/);
    const plain = await exchange(running.emulator.issueCode({ appId: APP.appId, scope: 'snsapi_base', user: 'dana' }));
    assert.equal(plain.unionid, undefined);
    assert.notEqual(plain.openid, first.openid, 'openids differ per app');
  });

  it('refuses userinfo for snapshot visitors and base scope with 48001', async () => {
    const snap = await exchange(running.emulator.issueCode({ appId: APP.appId, scope: 'snsapi_userinfo', user: 'sam', snapshot: true }));
    assert.equal(snap.is_snapshotuser, 1);
    assertWxError(await get('/sns/userinfo', { access_token: snap.access_token, openid: snap.openid }), 48001);
  });

  it('reports 42001, 40001 and 40003 for user tokens', async () => {
    const token = await exchange(running.emulator.issueCode({ appId: APP.appId, scope: 'snsapi_base' }));
    assert.deepEqual(await get('/sns/auth', { access_token: token.access_token, openid: token.openid }), { errcode: 0, errmsg: 'ok' });
    assertWxError(await get('/sns/auth', { access_token: token.access_token, openid: 'o' + 'z'.repeat(27) }), 40003);
    assertWxError(await get('/sns/auth', { access_token: 'nope', openid: token.openid }), 40001);
    clock.advance(7200_000);
    assertWxError(await get('/sns/auth', { access_token: token.access_token, openid: token.openid }), 42001);
  });
});

describe('bench codes', () => {
  it('are refused unless the emulator was started for a benchmark', async () => {
    assertWxError(await exchange('bench-x1'), 40029);
  });

  it('are exchanged without the authorize page and leave nothing behind', async () => {
    const bench = await startEmulator({ port: 0, clock, apps: [APP], acceptBenchCodes: true });
    try {
      const at = (code: string, secret = APP.appSecret) =>
        fetch(`${bench.url}/sns/oauth2/access_token?${new URLSearchParams({ appid: APP.appId, secret, code, grant_type: 'authorization_code' })}`).then((r) => r.json());
      const first = await at('bench-run1-a');
      assert.match(first.openid, /^o[\w-]{27}$/);
      assert.equal(first.scope, 'snsapi_base');
      assert.ok(first.access_token && first.refresh_token);
      // Nothing kept: the token is unknown to the sns APIs, and the same name exchanges again.
      const verify = await fetch(`${bench.url}/sns/auth?${new URLSearchParams({ access_token: first.access_token, openid: first.openid })}`).then((r) => r.json());
      assertWxError(verify, 40001);
      const again = await at('bench-run1-a');
      assert.equal(again.openid, first.openid);
      assert.notEqual(again.access_token, first.access_token);
      // The app's secret is still checked.
      assertWxError(await at('bench-run1-b', 'wrong'), 40125);
    } finally {
      await bench.close();
    }
  });
});

describe('global access_token', () => {
  it('keeps the previous classic token working for 5 minutes after a new fetch', async () => {
    const first = await classic();
    assert.equal(first.expires_in, 7200);
    const second = await classic();
    assert.notEqual(second.access_token, first.access_token);
    assert.deepEqual((await callbackIp(first.access_token)).ip_list.length > 0, true);
    clock.advance(5 * MINUTE);
    assertWxError(await callbackIp(first.access_token), 40001);
    assert.ok((await callbackIp(second.access_token)).ip_list);
  });

  it('stops classic fetches at the daily quota with 45009, and starts again the next day', async () => {
    for (let i = 0; i < 5; i++) assert.ok((await classic()).access_token);
    assertWxError(await classic(), 45009);
    clock.advance(24 * 60 * MINUTE);
    assert.ok((await classic()).access_token);
  });

  it('answers 40164 with the caller’s IP when the whitelist does not include it', async () => {
    running.emulator.setIpWhitelisted(false);
    const reply = await classic();
    assert.equal(reply.errcode, 40164);
    assert.match(reply.errmsg, /^invalid ip \S+ ipv6 \S+, not in whitelist rid: /);
    assert.equal((await stable()).errcode, 40164);
  });

  it('gives every caller the same stable token and renews it in its last 5 minutes', async () => {
    const first = await stable();
    clock.advance(60 * MINUTE);
    const same = await stable();
    assert.equal(same.access_token, first.access_token);
    assert.equal(same.expires_in, 7200 - 3600);
    clock.advance(56 * MINUTE);
    const renewed = await stable();
    assert.notEqual(renewed.access_token, first.access_token);
    assert.ok((await callbackIp(first.access_token)).ip_list, 'the old one works until its own expiry');
    clock.advance(4 * MINUTE);
    assert.equal((await callbackIp(first.access_token)).errcode, 42001, "then it expires");
  });

  it('limits force refresh: not twice within 30 s, and 45009 past the daily count', async () => {
    const base = await stable();
    const forced = await stable(true);
    assert.notEqual(forced.access_token, base.access_token);
    assertWxError(await callbackIp(base.access_token), 40001);
    assert.equal((await stable(true)).access_token, forced.access_token, 'within 30 s: no new token');
    clock.advance(31_000);
    assert.ok((await stable(true)).access_token);
    clock.advance(31_000);
    assert.ok((await stable(true)).access_token);
    clock.advance(31_000);
    assertWxError(await stable(true), 45009);
  });

  it('rejects a malformed stable_token body with 47001', async () => {
    const response = await fetch(`${running.url}/cgi-bin/stable_token`, { method: 'POST', body: '{bad' });
    assertWxError(await response.json(), 47001);
  });

  it('issues jsapi tickets only for a live token, and counts every call', async () => {
    running.emulator.resetCounts();
    const token = (await stable()).access_token;
    const ticket = await get('/cgi-bin/ticket/getticket', { access_token: token, type: 'jsapi' });
    assert.equal(ticket.errcode, 0);
    assert.ok(ticket.ticket.length > 20);
    running.emulator.invalidateAccessToken(token);
    assertWxError(await get('/cgi-bin/ticket/getticket', { access_token: token, type: 'jsapi' }), 40001);
    assert.deepEqual(running.emulator.counts(), { '/cgi-bin/stable_token': 1, '/cgi-bin/ticket/getticket': 2 });
  });

  it('injects failures and delays on request', async () => {
    running.emulator.failNext('/cgi-bin/token', -1, 2);
    assertWxError(await classic(), -1);
    assertWxError(await classic(), -1);
    assert.ok((await classic()).access_token);
  });
});

describe('command line', () => {
  it('starts on its own, prints where it listens, and binds an account to the Open Platform when told', async () => {
    const child = spawnTsx('src/emulator/main.ts', ['--port', '0', '--app', `${APP.appId}:${APP.appSecret}`, '--app', `${OTHER.appId}:${OTHER.appSecret}:open-platform`]);
    try {
      const url = (await child.waitFor(/listening on (http:\/\/\S+)/))[1];
      await child.waitFor(new RegExp(`appId=${OTHER.appId} appSecret=\\S+ \\(bound to an Open Platform account`));
      const exchange = async (app: { appId: string; appSecret: string }) => {
        const created = await (await fetch(`${url}/__emulator/code`, { method: 'POST', body: JSON.stringify({ appid: app.appId, user: 'cli' }) })).json();
        const query = new URLSearchParams({ appid: app.appId, secret: app.appSecret, code: created.code, grant_type: 'authorization_code' });
        return (await fetch(`${url}/sns/oauth2/access_token?${query}`)).json();
      };
      const plain = await exchange(APP);
      assert.match(plain.openid, /^o/);
      assert.equal(plain.unionid, undefined);
      const bound = await exchange(OTHER);
      assert.match(bound.unionid, /\S/, 'an account bound to the Open Platform sends unionid');
    } finally {
      await child.stop();
    }
  });

  it('names the AppID and AppSecret it accepts in its banner, the default ones when no --app is given', async () => {
    const child = spawnTsx('src/emulator/main.ts', ['--port', '0']);
    try {
      const url = (await child.waitFor(/listening on (http:\/\/\S+)/))[1];
      const [, appId, appSecret] = await child.waitFor(/appId=(\S+) appSecret=(\S+)$/);
      // What the banner says works: those credentials exchange a code.
      const created = await (await fetch(`${url}/__emulator/code`, { method: 'POST', body: JSON.stringify({ appid: appId }) })).json();
      const token = await (await fetch(`${url}/sns/oauth2/access_token?${new URLSearchParams({ appid: appId, secret: appSecret, code: created.code, grant_type: 'authorization_code' })}`)).json();
      assert.match(token.openid, /^o/);
      const docs = readFileSync(new URL('../docs/emulator.md', import.meta.url), 'utf8');
      assert.ok(docs.includes(appId) && docs.includes(appSecret), 'docs/emulator.md names the default credentials');
    } finally {
      await child.stop();
    }
  });

  it('refuses a malformed --app with a usage line', async () => {
    for (const app of ['nocolon', 'wx1:secret:other-binding']) {
      const child = spawnTsx('src/emulator/main.ts', ['--port', '0', '--app', app]);
      const { code } = await child.exited;
      assert.equal(code, 2);
      assert.match(child.stderr.join('\n'), /--app must be APPID:SECRET/);
    }
  });
});
