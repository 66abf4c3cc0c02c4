/**
 * What the local run adds to the function: the demo page, the browser SDK bundle and the
 * seed-style example page. Never mounted in production.
 *
 * The bundles are built in memory with esbuild when the app is mounted (no build step before
 * `npm start`) and kept for the life of the process.
 */
import { readFileSync } from 'node:fs';
import type { Context, Hono } from 'hono';
import type { Config } from '../config.js';
import type { AppEnv } from '../function/app.js';
import { mountApiReference } from './api-reference.js';
import { bundleDemo, bundleWebSdk, SDK_FILE } from './demo/bundle.js';

export interface DevOptions {
  config: Config;
  emulatorUrl: string;
  /** The sign-in stand-in (src/dev/signin.ts): POST /__dev/signin, GET /__dev/jwks.json. */
  signin?: { mount(app: Hono<AppEnv>): void };
}

/** Where the guide's example page ends up after sign-in (`location.replace('/home')`). */
const EXAMPLE_HOME = `<!doctype html><html lang="en"><meta charset="utf-8"><title>Home</title>
<body style="font-family:sans-serif;max-width:560px;margin:40px auto;padding:0 16px">
<h1>Home</h1><p>The guide's example page finished its flow and kept this openid in sessionStorage:</p>
<p><code data-testid="openid"></code></p><p><a href="/examples/seed-oauth.html">Run it again</a> · <a href="/demo/">the demo on the SDK</a></p>
<script>document.querySelector('[data-testid=openid]').textContent = sessionStorage.getItem('openid') || '(none)'</script>`;

const read = (relative: string) => readFileSync(new URL(relative, import.meta.url), 'utf8');

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
  const html = read('./demo/index.html');
  const css = read('./demo/style.css');
  const example = read('../../examples/seed-oauth.html');
  const sdk = cached(async () => (await bundleWebSdk()).code);
  const demo = cached(bundleDemo);

  const serve = (c: Context<AppEnv>, body: string, type: string, headers: Record<string, string> = {}) =>
    c.body(body, 200, { 'content-type': `${type}; charset=utf-8`, 'cache-control': 'no-cache', ...headers });

  options.signin?.mount(app);
  app.get('/demo', (c) => c.redirect('/demo/'));
  app.get('/demo/', (c) => serve(c, html, 'text/html', { 'content-security-policy': DEMO_CSP }));
  app.get('/demo/style.css', (c) => serve(c, css, 'text/css'));
  app.get('/demo/app.js', async (c) => serve(c, await demo(), 'text/javascript'));
  app.get(`/demo/${SDK_FILE}`, async (c) => serve(c, await sdk(), 'text/javascript'));
  app.get('/examples/seed-oauth.html', (c) => serve(c, example, 'text/html'));
  mountApiReference(app);
  app.get('/home', (c) => serve(c, EXAMPLE_HOME, 'text/html'));
}
