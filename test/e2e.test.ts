/**
 * End to end in a real browser: headless Chromium drives the demo page (built on the browser
 * SDK) and the guide's example page through the emulator's authorize page, against the real
 * function as the local run mounts it (dev sign-in, jwt access check, demo, example).
 * Screenshots of the key screens go to test-results/screenshots/.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page, type Response } from 'playwright-core';
import { OffsetClock } from '../src/clock.js';
import { loadConfig } from '../src/config.js';
import { mountDev } from '../src/dev/mount.js';
import { createDevSignin } from '../src/dev/signin.js';
import { startEmulator, type RunningEmulator } from '../src/emulator/index.js';
import { createLogger } from '../src/log.js';
import { startFunction, type RunningFunction } from '../src/server.js';

const CHROMIUM = '/usr/bin/chromium';
const APP_ID = 'wx00e2e0e2e0e2e0e2';
const APP_SECRET = 'E2eSecretE2eSecretE2eSecret0001';
const SHOTS = fileURLToPath(new URL('../test-results/screenshots/', import.meta.url));
const OPENID = /^o[\w-]{27}$/;

/** The "use it in your page" snippet of docs/web-sdk.md, pointed at the local function. */
function docsSnippet(functionUrl: string): string {
  const doc = readFileSync(new URL('../docs/web-sdk.md', import.meta.url), 'utf8');
  const block = /## Use it in your page[\s\S]*?```html\n([\s\S]*?)```/.exec(doc)?.[1];
  assert.ok(block, 'docs/web-sdk.md has an html snippet under "Use it in your page"');
  const GATEWAY = 'https://your-env-id.api.tcloudbasegateway.com';
  assert.ok(block.includes(GATEWAY));
  return block.replace(GATEWAY, functionUrl);
}

let emu: RunningEmulator;
let fn: RunningFunction;
let browser: Browser;
let signinToken: string;
/** WeChat's clock: the emulator's, which tests fast-forward as POST /__emulator/clock does. */
let wechatClock: OffsetClock;

before(async () => {
  assert.ok(existsSync(CHROMIUM), `the end-to-end tests need ${CHROMIUM} (Debian's chromium; .ci/run installs it)`);
  mkdirSync(SHOTS, { recursive: true });
  // As the local run: WeChat (the emulator) on a clock of its own that can be fast-forwarded; the
  // function and the sign-in stand-in on another.
  const clock = new OffsetClock();
  wechatClock = new OffsetClock();
  emu = await startEmulator({ port: 0, host: '127.0.0.1', clock: wechatClock, apps: [{ appId: APP_ID, appSecret: APP_SECRET }] });
  // As `npm start` with no appId: the emulator for WeChat, the dev sign-in, AUTH_MODE=jwt with its key.
  const signin = createDevSignin({ clock });
  const config = loadConfig(
    { ...signin.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent' },
    { emulatorCredentials: { appId: APP_ID, appSecret: APP_SECRET, baseUrl: emu.url } },
  );
  assert.equal(config.authMode, 'jwt');
  fn = await startFunction({
    config,
    clock,
    logger: createLogger({ level: 'silent', secrets: [APP_SECRET] }),
    mount: (app) => {
      mountDev(app, { config, emulatorUrl: emu.url, signin, clock: wechatClock });
      // Beside the served SDK bundle, so the snippet's './offiaccount-web.js' import resolves to it;
      // the page defines getAccessToken, as the snippet asks, with a token from the dev sign-in.
      app.get('/demo/snippet.html', (c) =>
        c.html(`<!doctype html><meta charset="utf-8"><script>window.getAccessToken = async () => ${JSON.stringify(signinToken)}</script>\n${docsSnippet(fn.url)}`),
      );
    },
  });
  signinToken = (await signin.issue('snippet-user')).access_token;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
  await fn?.close();
  await emu?.close();
});

interface Tab {
  page: Page;
  /** Uncaught script errors and alert() texts: a flow that works has none. */
  problems: string[];
  /** Every POST the page made to the function, with its Authorization header. */
  calls: { path: string; authorization: string | undefined; body: any }[];
  /** Every answer from the emulator. */
  emulatorResponses: Response[];
  console: string[];
}

/** A fresh browser profile: no cookies (no WeChat user chosen yet), empty sessionStorage. */
async function newTab(viewport = { width: 480, height: 820 }): Promise<Tab> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  const tab: Tab = { page, problems: [], calls: [], emulatorResponses: [], console: [] };
  page.on('pageerror', (error) => tab.problems.push(`page error: ${error.message}`));
  page.on('dialog', (dialog) => {
    tab.problems.push(`alert: ${dialog.message()}`);
    void dialog.dismiss();
  });
  page.on('console', (message) => tab.console.push(message.text()));
  page.on('request', (request) => {
    if (request.method() === 'POST' && request.url().startsWith(fn.url)) {
      let body: unknown;
      try {
        body = JSON.parse(request.postData() ?? 'null');
      } catch {
        body = undefined;
      }
      tab.calls.push({ path: new URL(request.url()).pathname, authorization: request.headers().authorization, body });
    }
  });
  page.on('response', (response) => {
    if (response.url().startsWith(emu.url)) tab.emulatorResponses.push(response);
  });
  return tab;
}

const shot = (page: Page, name: string) => page.screenshot({ path: `${SHOTS}${name}.png`, fullPage: true });
const text = async (page: Page, id: string) => ((await page.getByTestId(id).textContent()) ?? '').trim();
const tokenExchanges = () => emu.emulator.counts()['/sns/oauth2/access_token'] ?? 0;

async function openDemo(tab: Tab): Promise<void> {
  await tab.page.goto(`${fn.url}/demo/`);
  await tab.page.getByTestId('signed-out').waitFor();
}

async function signedIn(page: Page): Promise<string> {
  await page.getByTestId('signed-in').waitFor();
  const url = new URL(page.url());
  assert.equal(url.searchParams.get('code'), null, 'the code is gone from the address bar');
  assert.equal(url.searchParams.get('state'), null, 'the state is gone from the address bar');
  return text(page, 'openid');
}

describe('demo page', () => {
  it('snsapi_base: the first visit picks a WeChat user, the next sign-in is silent', async () => {
    const tab = await newTab();
    const { page } = tab;
    await openDemo(tab);
    await shot(page, '01-demo-signed-out');

    await page.getByTestId('signin-base').click();
    await page.getByTestId('emu-user-alice').waitFor();
    const authorize = new URL(page.url());
    assert.deepEqual([...authorize.searchParams.keys()], ['appid', 'redirect_uri', 'response_type', 'scope', 'state']);
    assert.equal(authorize.searchParams.get('scope'), 'snsapi_base');
    assert.equal(authorize.searchParams.get('redirect_uri'), `${fn.url}/demo/`);
    await shot(page, '02-emulator-user-picker');
    await page.getByTestId('emu-user-alice').click();

    const openid = await signedIn(page);
    assert.match(openid, OPENID);
    assert.equal(await text(page, 'scope'), 'snsapi_base');
    assert.equal(await page.getByTestId('profile').isVisible(), false, 'no profile under snsapi_base');
    // The sign-in routes are public in the local run: the page had no session before the ticket.
    const exchange = tab.calls.find((call) => call.path === '/oauth/token');
    assert.equal(exchange?.authorization, undefined);
    await shot(page, '03-demo-signed-in-base');

    await page.getByTestId('signout').click();
    await page.getByTestId('signed-out').waitFor();
    assert.match(await text(page, 'status'), /Signed out/);

    // alice is remembered by the authorize page now: snsapi_base goes there and straight back.
    tab.emulatorResponses.length = 0;
    await page.getByTestId('signin-base').click();
    assert.equal(await signedIn(page), openid, 'the same WeChat user gets the same openid');
    assert.ok(tab.emulatorResponses.length >= 1, 'the sign-in went through the authorize page');
    assert.deepEqual(
      tab.emulatorResponses.map((response) => response.status()),
      tab.emulatorResponses.map(() => 302),
      'no page was shown on the way: the sign-in was silent',
    );
    assert.deepEqual(tab.problems, []);
  });

  it('the whole circle: no session → WeChat → code → ticket → CloudBase session → profile with a Bearer for this WeChat user', async () => {
    const tab = await newTab();
    const { page } = tab;
    await openDemo(tab);
    await page.getByTestId('signin-userinfo').click();
    await page.getByTestId('emu-user-carol').click();
    await page.getByTestId('emu-allow').click();
    const openid = await signedIn(page);
    await page.getByTestId('profile').waitFor();

    const [state, token] = ['/oauth/state', '/oauth/token'].map((path) => tab.calls.find((call) => call.path === path)!);
    assert.equal(state.authorization, undefined, 'the state was asked without a session');
    assert.match(state.body.code_challenge, /^[\w-]{43}$/);
    assert.equal(token.authorization, undefined, 'and the code exchanged without one');
    assert.deepEqual(Object.keys(token.body).sort(), ['code', 'code_verifier', 'state']);
    const signin = tab.calls.find((call) => call.path === '/__dev/signin');
    assert.match(signin?.body.ticket ?? '', /^local-dev-[\w-]+\/@@\/ey/, 'the ticket went to the sign-in');
    const userinfo = tab.calls.find((call) => call.path === '/oauth/userinfo');
    assert.match(userinfo?.authorization ?? '', /^Bearer ey/);
    const claims = JSON.parse(Buffer.from(userinfo!.authorization!.split('.')[1], 'base64url').toString());
    assert.equal(claims.sub, openid, 'the CloudBase session is this WeChat user');
    assert.deepEqual(tab.problems, []);
  });

  it('snsapi_userinfo: the consent page, then openid and profile; refresh and verify work', async () => {
    const tab = await newTab();
    const { page } = tab;
    await openDemo(tab);
    await page.getByTestId('signin-userinfo').click();
    await page.getByTestId('emu-user-bob').click();
    await page.getByTestId('emu-allow').waitFor();
    assert.match(await text(page, 'emu-current-user'), /Bob/);
    await shot(page, '04-emulator-consent');
    await page.getByTestId('emu-allow').click();

    assert.match(await signedIn(page), OPENID);
    await page.getByTestId('profile').waitFor();
    assert.equal(await text(page, 'nickname'), 'Bob 王');
    assert.match(await text(page, 'profile-facts'), /male.*Shanghai/);
    assert.match(await text(page, 'status'), /Signed in as Bob 王/);
    const avatarWidth = await page.getByTestId('avatar').evaluate((img: HTMLImageElement) => (img.complete ? img.naturalWidth : 0));
    assert.ok(avatarWidth > 0, 'the avatar loaded');
    await shot(page, '05-demo-signed-in-profile');

    await page.getByTestId('refresh').click();
    await page.getByText('Got a new access_token').waitFor();
    await page.getByTestId('verify').click();
    await page.getByText('WeChat still accepts the access_token.').waitFor();
    assert.equal(await page.getByTestId('error').isVisible(), false);
    assert.deepEqual(
      tab.calls.map((call) => call.path).filter((path) => path.startsWith('/oauth/') && path !== '/oauth/config'),
      ['/oauth/state', '/oauth/token', '/oauth/userinfo', '/oauth/refresh', '/oauth/verify'],
    );
    assert.deepEqual(tab.problems, []);
  });

  it('a refusal on the consent page is told to the person, who stays signed out', async () => {
    const tab = await newTab();
    const { page } = tab;
    await openDemo(tab);
    const exchanges = tokenExchanges();
    await page.getByTestId('signin-userinfo').click();
    await page.getByTestId('emu-user-carol').click();
    await page.getByTestId('emu-deny').click();

    await page.getByTestId('error').waitFor();
    assert.equal(await text(page, 'error-title'), 'You did not allow access');
    assert.match(await text(page, 'error-text'), /declined/);
    assert.equal(await page.getByTestId('signed-out').isVisible(), true);
    assert.equal(new URL(page.url()).search, '', 'the state is gone from the address bar');
    assert.equal(tokenExchanges(), exchanges, 'nothing was exchanged');
    await shot(page, '06-demo-denied');
    assert.deepEqual(tab.problems, []);
  });

  it('a forged state is refused and its code is never exchanged', async () => {
    const tab = await newTab();
    const { page } = tab;
    // A link an attacker made with their own code, so the victim would be signed in as them.
    const code = emu.emulator.issueCode({ appId: APP_ID, scope: 'snsapi_base', user: 'mallory' });
    const exchanges = tokenExchanges();
    await page.goto(`${fn.url}/demo/?code=${code}&state=forged0123456789`);

    await page.getByTestId('error').waitFor();
    assert.equal(await text(page, 'error-title'), 'Sign-in refused');
    assert.match(await text(page, 'error-text'), /state did not match/);
    assert.equal(await page.getByTestId('signed-out').isVisible(), true);
    assert.equal(new URL(page.url()).search, '');
    assert.equal(tokenExchanges(), exchanges);
    assert.ok(!tab.calls.some((call) => call.path === '/oauth/token'));
    await shot(page, '07-demo-state-refused');
    assert.deepEqual(tab.problems, []);
  });

  it('a reload after sign-in keeps the person signed in and never presents the code again (no 40163)', async () => {
    const tab = await newTab();
    const { page } = tab;
    await openDemo(tab);
    const returns: string[] = [];
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame() && frame.url().includes('code=')) returns.push(frame.url());
    });
    await page.getByTestId('signin-base').click();
    await page.getByTestId('emu-user-carol').click();
    const openid = await signedIn(page);
    assert.equal(returns.length, 1, 'WeChat brought a code back once');
    const exchanges = tokenExchanges();

    await page.reload();
    assert.equal(await signedIn(page), openid);
    assert.equal(await page.getByTestId('error').isVisible(), false);
    assert.equal(tab.calls.filter((call) => call.path === '/oauth/token').length, 1, 'the code was exchanged once');
    assert.equal(tokenExchanges(), exchanges);
    assert.ok(!page.url().includes('code='));
    await shot(page, '08-demo-after-reload');
    assert.deepEqual(tab.problems, []);
  });

  it('a WeChat error during the exchange is shown in words with its errcode and rid', async () => {
    const tab = await newTab();
    const { page } = tab;
    await openDemo(tab);
    emu.emulator.failNext('/sns/oauth2/access_token', 40029);
    await page.getByTestId('signin-base').click();
    await page.getByTestId('emu-user-alice').click();

    await page.getByTestId('error').waitFor();
    assert.equal(await text(page, 'error-title'), 'This sign-in link has expired or was already used');
    assert.match(await text(page, 'error-text'), /WeChat API error \[40029\]/);
    assert.match(await text(page, 'error-detail'), /errcode 40029 · rid [0-9a-f-]+/);
    assert.equal(await page.getByTestId('signed-out').isVisible(), true);
    await shot(page, '09-demo-wechat-error');
    assert.deepEqual(tab.problems, []);
  });
});

/** The session the page keeps in sessionStorage. */
const storedSession = (page: Page) => page.evaluate(() => JSON.parse(sessionStorage.getItem('offiaccount.session') ?? 'null'));

describe('demo page: where a session ends', () => {
  it('an expired refresh token (42002) signs the person out to the sign-in choices, and a reload keeps it so', async () => {
    const tab = await newTab();
    const { page } = tab;
    await openDemo(tab);
    await page.getByTestId('signin-base').click();
    await page.getByTestId('emu-user-alice').click();
    await signedIn(page);

    wechatClock.advance(31 * 24 * 3600_000); // past the refresh_token's 30 days
    await page.getByTestId('refresh').click();
    await page.getByTestId('error').waitFor();
    assert.equal(await text(page, 'error-title'), 'Your WeChat authorization has run out');
    assert.match(await text(page, 'error-text'), /42002/);
    assert.equal(await page.getByTestId('signed-out').isVisible(), true, 'the sign-in choices are there');
    assert.equal(await page.getByTestId('signin-base').isVisible(), true);
    assert.equal(await page.getByTestId('signed-in').isVisible(), false, 'the stale card is gone');
    await shot(page, '11-demo-refresh-token-expired');

    await page.reload();
    await page.getByTestId('signed-out').waitFor();
    assert.equal(await page.getByTestId('signed-in').isVisible(), false, 'a reload does not bring the stale card back');
    assert.equal(await storedSession(page), null);
    assert.deepEqual(tab.problems, []);
  });

  it('a failed verify says the token is no longer valid and offers refresh; the refresh shows the new expiry on the emulator\'s clock', async () => {
    const tab = await newTab();
    const { page } = tab;
    await openDemo(tab);
    await page.getByTestId('signin-base').click();
    await page.getByTestId('emu-user-alice').click();
    await signedIn(page);
    const first = await storedSession(page);
    const shownBefore = await text(page, 'expires');
    assert.match(shownBefore, /in 120 min/);

    wechatClock.advance(2 * 3600_000 + 60_000); // the 2-hour access_token has expired on the emulator
    await page.getByTestId('verify').click();
    await page.getByTestId('error').waitFor();
    assert.equal(await text(page, 'error-title'), 'Your access_token is no longer valid');
    assert.match(await text(page, 'error-text'), /Refresh it for a new one, or sign in again/);
    assert.equal(await page.getByTestId('error-refresh').isVisible(), true);
    assert.equal(await page.getByTestId('error-signin').isVisible(), true);
    assert.match(await text(page, 'expires'), /^expired /, 'the card says the token has expired');
    await shot(page, '12-demo-verify-failed');

    await page.getByTestId('error-refresh').click();
    await page.getByText('Got a new access_token').waitFor();
    const refreshed = await storedSession(page);
    // The page counts on the emulator's clock: the new token expires two hours after the emulator's now.
    assert.ok(Math.abs(refreshed.expires_at - (wechatClock.now() + 7200_000)) < 60_000, `${refreshed.expires_at} vs ${wechatClock.now() + 7200_000}`);
    assert.ok(refreshed.expires_at - first.expires_at > 2 * 3600_000);
    const shownAfter = await text(page, 'expires');
    assert.notEqual(shownAfter, shownBefore);
    assert.match(shownAfter, /in 120 min/);
    assert.equal(await page.getByTestId('error').isVisible(), false);
    await shot(page, '13-demo-refreshed');

    await page.getByTestId('verify').click();
    await page.getByText('WeChat still accepts the access_token.').waitFor();

    // "Sign in again" from the same offer leads to the sign-in choices.
    wechatClock.advance(2 * 3600_000 + 60_000);
    await page.getByTestId('verify').click();
    await page.getByTestId('error-signin').click();
    await page.getByTestId('signed-out').waitFor();
    assert.equal(await storedSession(page), null);
    assert.deepEqual(tab.problems, []);
  });
});

describe("the emulator's picker", () => {
  it('says why Continue was refused and keeps what was typed', async () => {
    const tab = await newTab();
    const { page } = tab;
    await openDemo(tab);
    await page.getByTestId('signin-base').click();
    await page.getByTestId('emu-continue').click();
    await page.getByTestId('emu-picker-error').waitFor();
    assert.match(await text(page, 'emu-picker-error'), /Pick one of the users above or type a name first/);

    await page.getByTestId('emu-user-name').fill('dave<script>');
    await page.getByTestId('emu-profile-placeholder').check();
    await page.getByTestId('emu-continue').click();
    await page.getByText('cannot be used').waitFor();
    assert.match(await text(page, 'emu-picker-error'), /"dave<script>" cannot be used/);
    assert.equal(await page.getByTestId('emu-user-name').inputValue(), 'dave<script>', 'what was typed is still there');
    assert.equal(await page.getByTestId('emu-profile-placeholder').isChecked(), true);
    await shot(page, '14-emulator-picker-refused');

    await page.getByTestId('emu-user-name').fill('dave');
    await page.getByTestId('emu-continue').click();
    assert.match(await signedIn(page), OPENID);
    assert.deepEqual(tab.problems, []);
  });

  it('after a user is remembered, the demo offers another WeChat user; a snapshot visit is not remembered', async () => {
    const tab = await newTab();
    const { page } = tab;
    await openDemo(tab);
    await page.getByTestId('signin-base').click();
    await page.getByTestId('emu-user-alice').click();
    const alice = await signedIn(page);
    await page.getByTestId('signout').click();

    // alice is remembered; the demo's switch link goes back to the picker.
    await page.getByTestId('signin-switch').click();
    await page.getByTestId('emu-user-bob').waitFor();
    await page.getByTestId('emu-snapshot').check();
    await page.getByTestId('emu-user-bob').click();
    const snapshotBob = await signedIn(page);
    assert.notEqual(snapshotBob, alice);
    assert.match(await text(page, 'profile-note'), /Moments snapshot page/);
    assert.equal((await storedSession(page)).is_snapshotuser, 1);
    await shot(page, '15-demo-snapshot-visitor');
    await page.getByTestId('signout').click();

    // The next silent sign-in is bob himself, not a snapshot visitor again.
    await page.getByTestId('signin-base').click();
    const bob = await signedIn(page);
    assert.notEqual(bob, snapshotBob);
    assert.notEqual(bob, alice);
    assert.equal((await storedSession(page)).is_snapshotuser, undefined);
    assert.deepEqual(tab.problems, []);
  });

  it('Back after signing in does not land on the picker or the consent page', async () => {
    const tab = await newTab();
    const { page } = tab;
    await page.goto(`${fn.url}/docs`);
    await openDemo(tab);
    await page.getByTestId('signin-userinfo').click();
    await page.getByTestId('emu-user-carol').click();
    await page.getByTestId('emu-allow').click();
    await signedIn(page);
    await page.goBack();
    assert.ok(!page.url().startsWith(emu.url), `Back went to ${page.url()}`);
    assert.equal(new URL(page.url()).pathname, '/docs');
    assert.deepEqual(tab.problems, []);
  });
});

describe('the pages look right', () => {
  it('have a favicon, a CJK font stack, and "Sign out" on one line at 390 px', async () => {
    const tab = await newTab({ width: 390, height: 844 });
    const { page } = tab;
    const icons: number[] = [];
    page.on('response', (response) => {
      if (/favicon/.test(response.url())) icons.push(response.status());
    });
    await openDemo(tab);
    const iconHref = await page.locator('link[rel=icon]').getAttribute('href');
    assert.ok(iconHref);
    for (const base of [fn.url, emu.url]) {
      for (const path of ['/favicon.svg', '/favicon.ico']) {
        const response = await fetch(base + path);
        assert.equal(response.status, 200, base + path);
        assert.equal(response.headers.get('content-type'), 'image/svg+xml');
      }
    }
    const font = await page.evaluate(() => getComputedStyle(document.body).fontFamily);
    assert.match(font, /Noto Sans CJK SC/);
    assert.match(font, /PingFang SC/);

    await page.getByTestId('signin-userinfo').click();
    await page.getByTestId('emu-user-alice').waitFor();
    assert.match(await page.evaluate(() => getComputedStyle(document.body).fontFamily), /Noto Sans CJK SC/);
    await page.getByTestId('emu-user-alice').click();
    await page.getByTestId('emu-allow').click();
    await signedIn(page);
    await page.getByTestId('profile').waitFor();
    assert.equal(await text(page, 'nickname'), 'Alice 李');
    // Each action's label is one line of text.
    for (const id of ['refresh', 'verify', 'signout']) {
      const lines = await page.getByTestId(id).evaluate((button) => {
        const range = document.createRange();
        range.selectNodeContents(button);
        return new Set([...range.getClientRects()].map((rect) => Math.round(rect.top))).size;
      });
      assert.equal(lines, 1, `${id} wraps`);
    }
    await shot(page, '16-demo-390px');
    assert.ok(!icons.includes(404), `favicon answers: ${icons.join(', ')}`);
    assert.deepEqual(tab.problems, []);
  });
});

describe('demo page without the dev sign-in', () => {
  it('goes on without a token when /__dev/signin is not there (404)', async () => {
    const config = loadConfig(
      { AUTH_MODE: 'none', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent' },
      { emulatorCredentials: { appId: APP_ID, appSecret: APP_SECRET, baseUrl: emu.url } },
    );
    const bare = await startFunction({
      config,
      logger: createLogger({ level: 'silent', secrets: [APP_SECRET] }),
      mount: (app) => mountDev(app, { config, emulatorUrl: emu.url }),
    });
    try {
      const tab = await newTab();
      const { page } = tab;
      const signinStatus: number[] = [];
      page.on('response', (response) => {
        if (response.url().endsWith('/__dev/signin')) signinStatus.push(response.status());
      });
      await page.goto(`${bare.url}/demo/`);
      await page.getByTestId('signin-base').click();
      await page.getByTestId('emu-user-bob').click();
      await page.getByTestId('signed-in').waitFor();
      assert.match(await text(page, 'openid'), OPENID);
      assert.deepEqual(signinStatus, [], 'no ticket came (no custom-login key), so the missing sign-in was never asked');
      assert.equal(await page.getByTestId('error').isVisible(), false);
      assert.deepEqual(tab.problems, []);
    } finally {
      await bare.close();
    }
  });
});

/**
 * CloudBase's own demo page, as it calls the function through the HTTP access service: no Bearer
 * at all, a fixed state in the authorize URL, and the code sent alone. Served from its own origin.
 */
const CLOUDBASE_DEMO = (functionUrl: string) => `<!doctype html><meta charset="utf-8"><title>CloudBase demo</title><p id="out">…</p>
<script>
const FN = ${JSON.stringify(functionUrl)} + '/offiaccount-common'
const post = (path, body) => fetch(FN + path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body || {}) }).then((r) => r.json())
;(async () => {
  const code = new URLSearchParams(location.search).get('code')
  if (!code) {
    const { data } = await post('/oauth/config')
    location.href = data.authorizeUrl + '?appid=' + data.appId + '&redirect_uri=' + encodeURIComponent(location.origin + location.pathname) +
      '&response_type=code&scope=snsapi_base&state=STATE#wechat_redirect'
    return
  }
  const res = await post('/oauth/token', { code })
  document.getElementById('out').textContent = res.code === 0 ? 'openid ' + res.data.openid : 'error ' + res.msg
})()
</script>`;

describe("CloudBase's demo page against public routes without tickets", () => {
  it('signs in with config, authorize and token, sending no Bearer and a fixed state', async () => {
    const { createServer } = await import('node:http');
    let functionUrl = '';
    const pageServer = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end(CLOUDBASE_DEMO(functionUrl));
    });
    await new Promise<void>((resolve) => pageServer.listen(0, '127.0.0.1', resolve));
    const pageOrigin = `http://127.0.0.1:${(pageServer.address() as { port: number }).port}`;
    const config = loadConfig(
      { AUTH_MODE: 'gateway', PUBLIC_ROUTES: '/oauth/config,/oauth/state,/oauth/token', corsAllowOrigin: pageOrigin, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent' },
      { emulatorCredentials: { appId: APP_ID, appSecret: APP_SECRET, baseUrl: emu.url } },
    );
    const open = await startFunction({ config, logger: createLogger({ level: 'silent', secrets: [APP_SECRET] }) });
    functionUrl = open.url;
    try {
      const tab = await newTab();
      const { page } = tab;
      const sent: { path: string; authorization?: string }[] = [];
      page.on('request', (request) => {
        if (request.method() === 'POST' && request.url().startsWith(open.url)) sent.push({ path: new URL(request.url()).pathname, authorization: request.headers().authorization });
      });
      await page.goto(`${pageOrigin}/demo.html`);
      await page.getByTestId('emu-user-bob').click();
      await page.getByText(/^openid /).waitFor();
      assert.match((await page.locator('#out').textContent())!.slice('openid '.length), OPENID);
      assert.equal(new URL(page.url()).searchParams.get('state'), 'STATE');
      assert.deepEqual(sent, [{ path: '/offiaccount-common/oauth/config', authorization: undefined }, { path: '/offiaccount-common/oauth/token', authorization: undefined }]);
      assert.deepEqual(tab.problems, []);
    } finally {
      await open.close();
      await new Promise((resolve) => pageServer.close(resolve));
    }
  });
});

describe('the docs snippet', () => {
  it('signs a person in with their profile exactly as docs/web-sdk.md shows', async () => {
    const tab = await newTab();
    const { page } = tab;
    await page.goto(`${fn.url}/demo/snippet.html`);
    await page.getByTestId('emu-user-alice').click();
    await page.getByTestId('emu-allow').click();
    await page.getByText('Hello Alice 李').waitFor();
    assert.equal(new URL(page.url()).search, '');
    const exchange = tab.calls.find((call) => call.path.endsWith('/oauth/token'));
    assert.equal(exchange?.path, '/v1/functions/offiaccount-common/oauth/token');
    assert.equal(exchange?.authorization, `Bearer ${signinToken}`);
    assert.deepEqual(tab.problems, []);
  });
});

describe("the guide's oauth.html", () => {
  it('completes its flow unchanged apart from host and sign-in: code exchanged, openid kept, on to /home', async () => {
    const tab = await newTab();
    const { page } = tab;
    await page.goto(`${fn.url}/examples/seed-oauth.html`);
    await page.getByTestId('emu-user-alice').click();
    await page.waitForURL(`${fn.url}/home`);
    const openid = await page.evaluate(() => sessionStorage.getItem('openid'));
    assert.match(openid ?? '', OPENID);
    assert.equal(await text(page, 'openid'), openid);
    assert.ok(tab.console.some((line) => line.startsWith('Got openid:') && line.includes(openid!)), tab.console.join('\n'));
    // It called the function in the gateway's URL form, with the dev sign-in's token.
    const exchange = tab.calls.find((call) => call.path.endsWith('/oauth/token'));
    assert.equal(exchange?.path, '/v1/functions/offiaccount-common/oauth/token');
    assert.match(exchange?.authorization ?? '', /^Bearer ey/);
    await shot(page, '10-seed-example-home');
    assert.deepEqual(tab.problems, []);
  });
});
