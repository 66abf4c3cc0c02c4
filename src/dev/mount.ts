/**
 * What the local run adds to the function: the demo page. Never mounted in production.
 */
import type { Hono } from 'hono';
import type { Config } from '../config.js';
import type { AppEnv } from '../function/app.js';

export interface DevOptions {
  config: Config;
  emulatorUrl: string;
}

export function mountDev(app: Hono<AppEnv>, _options: DevOptions): void {
  app.get('/demo', (c) => c.redirect('/demo/'));
  app.get('/demo/', (c) => c.html('<!doctype html><title>offiaccount-common demo</title><p>Demo page: coming with the browser SDK.</p>'));
}
