/**
 * What the local run adds to the function: the demo page, the browser SDK bundle and the
 * seed-style example page. Never mounted in production.
 *
 * The bundles are built in memory with esbuild when the app is mounted (no build step before
 * `npm start`) and kept for the life of the process.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { Context, Hono } from 'hono';
import { systemClock, type Clock } from '../clock.js';
import type { Config } from '../config.js';
import { success } from '../function/envelope.js';
import { FAVICON_SVG } from '../emulator/authorize-page.js';
import type { AppEnv } from '../function/app.js';
import { mountApiReference } from './api-reference.js';
import { bundleDemo, bundleWebSdk, SDK_FILE } from './demo/bundle.js';

export interface DevOptions {
  config: Config;
  emulatorUrl: string;
  /** WeChat's clock, the emulator's (it can be fast-forwarded): GET /__dev/clock tells the demo page its "now". */
  clock?: Clock;
  /** The sign-in stand-in (src/dev/signin.ts): POST /__dev/signin, GET /__dev/jwks.json. */
  signin?: { mount(app: Hono<AppEnv>): void };
}

/** Where the guide's example page ends up after sign-in (`location.replace('/home')`). */
const EXAMPLE_HOME = `<!doctype html><html lang="en"><meta charset="utf-8"><title>Home</title>
<body style="font-family:sans-serif;max-width:560px;margin:40px auto;padding:0 16px">
<h1>Home</h1><p>The guide's example page finished its flow and kept this openid in sessionStorage:</p>
<p><code data-testid="openid"></code></p><p><a href="/examples/seed-oauth.html">Run it again</a> · <a href="/demo/">the demo on the SDK</a></p>
<script>document.querySelector('[data-testid=openid]').textContent = sessionStorage.getItem('openid') || '(none)'</script>`;

const read = (url: URL) => readFileSync(url, 'utf8');

/** What the pages are made of; `sdk` and `demo` are the two browser bundles. */
export interface DemoAssets {
  html: string;
  css: string;
  example: string;
  sdk(): Promise<string>;
  demo(): Promise<string>;
}

/** The folder the installed package's build (scripts/build-package.ts) writes beside the bundled code. */
export const PACKAGED_DEMO_FILES = { html: 'index.html', css: 'style.css', example: 'seed-oauth.html', sdk: SDK_FILE, demo: 'app.js' } as const;

/**
 * From the installed package: the files its build wrote to dist/demo/. From a source checkout:
 * the sources, with the bundles built in memory by esbuild when first asked for.
 */
function demoAssets(): DemoAssets {
  const packaged = new URL('./demo/', import.meta.url);
  if (existsSync(new URL(PACKAGED_DEMO_FILES.demo, packaged))) {
    const file = (name: string) => read(new URL(name, packaged));
    const sdk = file(PACKAGED_DEMO_FILES.sdk);
    const demo = file(PACKAGED_DEMO_FILES.demo);
    return { html: file(PACKAGED_DEMO_FILES.html), css: file(PACKAGED_DEMO_FILES.css), example: file(PACKAGED_DEMO_FILES.example), sdk: async () => sdk, demo: async () => demo };
  }
  return {
    html: read(new URL('./demo/index.html', import.meta.url)),
    css: read(new URL('./demo/style.css', import.meta.url)),
    example: read(new URL('../../examples/seed-oauth.html', import.meta.url)),
    sdk: cached(async () => (await bundleWebSdk()).code),
    demo: cached(bundleDemo),
  };
}

// The demo's avatars come from the emulator (or WeChat's CDN); everything else from here.
const DEMO_CSP = "default-src 'self'; img-src 'self' data: http: https:; script-src 'self'; style-src 'self'; frame-ancestors 'none'";

/** Starts a build now, serves its result when asked; a failed build is retried on the next request. */
function cached(make: () => Promise<string>): () => Promise<string> {
  let pending: Promise<string> | undefined;
  const get = () => {
    pending ??= make();
    pending.catch(() => {
      pending = undefined;
    });
    return pending;
  };
  get();
  return get;
}

export function mountDev(app: Hono<AppEnv>, options: DevOptions): void {
  const { html, css, example, sdk, demo } = demoAssets();

  const serve = (c: Context<AppEnv>, body: string, type: string, headers: Record<string, string> = {}) =>
    c.body(body, 200, { 'content-type': `${type}; charset=utf-8`, 'cache-control': 'no-cache', ...headers });

  options.signin?.mount(app);
  const clock = options.clock ?? systemClock;
  app.get('/__dev/clock', (c) => c.json(success({ now: clock.now() }), 200, { 'cache-control': 'no-store' }));
  const favicon = (c: Context<AppEnv>) => c.body(FAVICON_SVG, 200, { 'content-type': 'image/svg+xml', 'cache-control': 'public, max-age=86400' });
  app.get('/favicon.svg', favicon);
  app.get('/favicon.ico', favicon);
  app.get('/demo', (c) => c.redirect('/demo/'));
  app.get('/demo/', (c) => serve(c, html, 'text/html', { 'content-security-policy': DEMO_CSP }));
  app.get('/demo/style.css', (c) => serve(c, css, 'text/css'));
  app.get('/demo/app.js', async (c) => serve(c, await demo(), 'text/javascript'));
  app.get(`/demo/${SDK_FILE}`, async (c) => serve(c, await sdk(), 'text/javascript'));
  // The emulator's simulated phone, which pushes to this function's /callback.
  app.get('/demo/phone', (c) => c.redirect(`${options.emulatorUrl}/__emulator/phone?appid=${encodeURIComponent(options.config.appId)}`));
  app.get('/examples/seed-oauth.html', (c) => serve(c, example, 'text/html'));
  mountApiReference(app);
  app.get('/home', (c) => serve(c, EXAMPLE_HOME, 'text/html'));
}
