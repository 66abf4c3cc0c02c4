/**
 * The phone page in Chromium, against the real function's /callback in safe mode, configured as
 * `npm start` configures it: follow through a QR code with a scene and get the welcome, tap a
 * menu item and get its reply, receive a customer-service message. Screenshots go to
 * test-results/screenshots/.
 *
 * The QR code, the menu and the customer-service message go through the function's routes with
 * the admin key (/qrcode/create, /menu/create, /kefu/send).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { DEV_MESSAGE_RULES } from '../src/dev/message-rules.js';
import { startStack, TEST_APP_ID, type Stack } from './support/stack.js';

const CHROMIUM = '/usr/bin/chromium';
const ADMIN = { 'x-api-key': 'admin-key-for-phone-e2e-0123456789' };
const SHOTS = fileURLToPath(new URL('../test-results/screenshots/', import.meta.url));

describe('the phone page', () => {
  let stack: Stack;
  let browser: Browser;
  let page: Page;
  const control = async (path: string, body: unknown) => {
    const response = await fetch(`${stack.emulatorUrl}/__emulator/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    assert.equal(response.status, 200, path);
    return (await response.json()) as any;
  };
  const chatShows = (text: string) => page.getByTestId('chat').getByText(text).waitFor({ timeout: 10_000 });

  before(async () => {
    assert.ok(existsSync(CHROMIUM), `the end-to-end tests need ${CHROMIUM}`);
    mkdirSync(SHOTS, { recursive: true });
    const token = randomBytes(12).toString('hex');
    const encodingAESKey = randomBytes(40).toString('base64').replace(/[^A-Za-z0-9]/g, '').slice(0, 43);
    stack = await startStack({ env: { serverToken: token, encodingAESKey, MESSAGE_RULES: JSON.stringify(DEV_MESSAGE_RULES), ADMIN_API_KEY: ADMIN['x-api-key'] } });
    await control('server', { appid: TEST_APP_ID, url: `${stack.fn.url}/callback`, token, encodingAESKey });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    page = await browser.newPage({ viewport: { width: 420, height: 760 } });
  });
  after(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('follows through a QR code with a scene and shows the welcome rule\'s reply', async () => {
    const created = await stack.call('/qrcode/create', { action_name: 'QR_STR_SCENE', scene_str: 'demo', expire_seconds: 600 }, ADMIN);
    assert.equal(created.status, 200, created.text);
    await page.goto(`${stack.emulatorUrl}/__emulator/phone?appid=${TEST_APP_ID}`);
    await page.getByTestId('name').fill('grace');
    await page.getByTestId('scan').click();
    await chatShows(DEV_MESSAGE_RULES.scan.demo.content);
    await page.screenshot({ path: `${SHOTS}phone-qr-follow.png` });
    const follower = stack.emulator.audience.all(TEST_APP_ID).find((f) => f.name === 'grace')!;
    assert.equal(follower.subscribed, true);
    assert.equal(follower.qrSceneStr, 'demo');
  });

  it('taps a menu item and shows its reply', async () => {
    const created = await stack.call('/menu/create', { button: [{ name: 'Services', sub_button: [{ type: 'click', name: 'Today', key: 'DEMO_CLICK' }] }] }, ADMIN);
    assert.equal(created.status, 200, created.text);
    await page.reload();
    await chatShows(DEV_MESSAGE_RULES.scan.demo.content);
    await page.getByTestId('menu').getByRole('button', { name: 'Services' }).click();
    await page.getByTestId('menu').getByRole('button', { name: 'Today' }).click();
    await chatShows(DEV_MESSAGE_RULES.click.DEMO_CLICK.content);
    await page.screenshot({ path: `${SHOTS}phone-menu-tap.png` });
  });

  it('shows a customer-service message the account sent', async () => {
    const follower = stack.emulator.audience.all(TEST_APP_ID).find((f) => f.name === 'grace')!;
    // The menu tap opened the customer-service window.
    const sent = await stack.call('/kefu/send', { touser: follower.openid, msgtype: 'text', text: { content: 'An agent here: how can I help?' } }, ADMIN);
    assert.equal(sent.status, 200, sent.text);
    await chatShows('An agent here: how can I help?');
    await page.screenshot({ path: `${SHOTS}phone-kefu.png` });
  });
});
