/**
 * The emulator's HTTP surface: WeChat's URLs, answered by the API groups' parts over the core, plus a few
 * /__emulator/* controls for tests and people poking at it by hand.
 */
import { Hono, type Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { consentPage, errorPage, FAVICON_SVG, pickerPage, type AuthorizeParams } from './authorize-page.js';
import { isError, wxError, type Account, type EmulatorCore, type Reply } from './core.js';
import type { Follower } from './audience.js';
import type { BinaryReply, EmulatorEndpoint, EmulatorPart } from './part.js';
import type { IssueCodeInput, Scope } from '../apis/oauth/emulator.js';
import { mountPhone } from './phone-routes.js';
import type { Phone } from './phone.js';
import { avatarSvg, normalizeUserName, PERSONAS, type SimulatedUser } from './users.js';

/** WeChat's own words for the errcodes tests inject most, so an injected failure reads like a real one. */
const INJECTED_ERRMSG: Record<number, string> = {
  [-1]: 'system error',
  40001: 'invalid credential, access_token is invalid or not latest',
  40164: 'invalid ip 203.0.113.7 ipv6 ::ffff:203.0.113.7, not in whitelist',
  45009: 'reach max api daily quota limit',
  45011: 'api minute-quota reach limit  mustslower  retry next minute',
  48001: 'api unauthorized',
};

/** Fault injection and call counting, keyed by API path. */
export class Controls {
  private readonly calls = new Map<string, number>();
  private readonly failures = new Map<string, { errcode: number; times: number }>();
  private readonly delays = new Map<string, number>();

  count(path: string): void {
    this.calls.set(path, (this.calls.get(path) ?? 0) + 1);
  }
  counts(): Record<string, number> {
    return Object.fromEntries(this.calls);
  }
  resetCounts(): void {
    this.calls.clear();
  }
  failNext(path: string, errcode: number, times = 1): void {
    this.failures.set(path, { errcode, times });
  }
  setDelay(path: string, ms: number): void {
    if (ms > 0) this.delays.set(path, ms);
    else this.delays.delete(path);
  }
  clear(): void {
    this.failures.clear();
    this.delays.clear();
  }
  /** An injected failure for this call, if one is pending. */
  takeFailure(path: string): Reply | undefined {
    const failure = this.failures.get(path);
    if (!failure) return undefined;
    if (--failure.times <= 0) this.failures.delete(path);
    return wxError(failure.errcode, INJECTED_ERRMSG[failure.errcode] ?? 'injected by the emulator');
  }
  delay(path: string): number {
    return this.delays.get(path) ?? 0;
  }
}

const PARAM_ORDER = ['appid', 'redirect_uri', 'response_type', 'scope', 'state'] as const;
const USER_COOKIE = 'emu_user';

export interface EmulatorAppOptions {
  core: EmulatorCore;
  /** Every API group's part: the WeChat endpoints the emulator answers. */
  parts: EmulatorPart[];
  /** The oauth part's codes, for the authorize page. */
  issueCode(input: IssueCodeInput): string;
  controls: Controls;
  /** The simulated phone, driven by /__emulator/phone/* and its page. */
  phone: Phone;
  /** Hosts (with port) redirect_uri may point at; any http(s) host when empty. */
  redirectHosts?: string[];
}

/** The endpoints of every part, by path and then method; one path declared twice is a mistake in a part. */
function endpointsByPath(parts: EmulatorPart[]): Map<string, Map<string, EmulatorEndpoint>> {
  const byPath = new Map<string, Map<string, EmulatorEndpoint>>();
  for (const endpoint of parts.flatMap((part) => part.endpoints)) {
    const byMethod = byPath.get(endpoint.path) ?? new Map<string, EmulatorEndpoint>();
    if (byMethod.has(endpoint.method)) throw new Error(`the emulator has two handlers for ${endpoint.method} ${endpoint.path}`);
    byMethod.set(endpoint.method, endpoint);
    byPath.set(endpoint.path, byMethod);
  }
  return byPath;
}

/** A POST's body: a JSON object, or a form's fields and files; undefined when malformed (47001). */
async function readBody(c: Context, kind: 'json' | 'multipart'): Promise<{ fields: Record<string, unknown>; files: Record<string, File> } | undefined> {
  if (kind === 'multipart') {
    const form = await c.req.parseBody().catch(() => undefined);
    if (!form) return undefined;
    const fields: Record<string, unknown> = {};
    const files: Record<string, File> = {};
    for (const [key, value] of Object.entries(form)) {
      if (value instanceof File) files[key] = value;
      else if (typeof value === 'string') fields[key] = value;
    }
    return { fields, files };
  }
  try {
    const parsed: unknown = JSON.parse(await c.req.text());
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
    return { fields: parsed as Record<string, unknown>, files: {} };
  } catch {
    return undefined;
  }
}

export function createEmulatorApp({ core, parts, issueCode, controls, phone, redirectHosts = [] }: EmulatorAppOptions): Hono {
  const app = new Hono();
  const origin = (c: Context) => new URL(c.req.url).origin;

  for (const [path, byMethod] of endpointsByPath(parts)) {
    for (const endpoint of byMethod.values()) core.declareEndpoint(path, endpoint.dailyQuota);
    app.all(path, async (c) => {
      controls.count(path);
      const delay = controls.delay(path);
      if (delay) await new Promise((resolve) => setTimeout(resolve, delay));
      const endpoint = byMethod.get(c.req.method === 'HEAD' ? 'GET' : c.req.method);
      // WeChat answers a method it does not take on an API with HTTP 200 and an errcode.
      if (!endpoint) return c.json(byMethod.has('GET') ? wxError(43001, 'require GET method') : wxError(43002, 'require POST method'));
      const injected = controls.takeFailure(path);
      if (injected) return c.json(injected);
      const query = c.req.query();
      let account: Account | undefined;
      if (endpoint.token === 'global') {
        const token = core.globalToken(query.access_token);
        if (isError(token)) return c.json(token);
        account = core.account(token.appId);
      }
      const started = performance.now();
      const body = endpoint.method === 'POST' ? await readBody(c, endpoint.body ?? 'json') : { fields: {}, files: {} };
      const reply = !body
        ? wxError(47001, 'data format error')
        : account && endpoint.dailyQuota !== undefined && !core.countUse(account, path, endpoint.dailyQuota)
          ? wxError(45009, 'reach max api daily quota limit')
          : await endpoint.answer({ query, body: body.fields, files: body.files, account, origin: origin(c) });
      if ('binary' in reply && reply.binary instanceof Uint8Array) {
        return c.body(reply.binary as Uint8Array<ArrayBuffer>, ((reply as BinaryReply).status ?? 200) as 200, { 'content-type': String(reply.contentType) });
      }
      if (isError(reply)) {
        const { access_token: _, ...shown } = query;
        core.recordFailure(reply.errmsg, {
          cost_in_ms: Math.round(performance.now() - started),
          request_url: `${path}?${new URLSearchParams(shown)}`,
          request_body: body && endpoint.body !== 'multipart' ? JSON.stringify(body.fields) : '',
          response_body: JSON.stringify(reply),
          client_ip: '127.0.0.1',
        });
      }
      return c.json(reply);
    });
  }

  // --- the authorize page ---

  const readParams = (source: Record<string, string | undefined>): AuthorizeParams => ({
    appid: source.appid ?? '',
    redirect_uri: source.redirect_uri ?? '',
    response_type: source.response_type ?? '',
    scope: source.scope ?? '',
    state: source.state ?? '',
    ...(source.forcePopup !== undefined && { forcePopup: source.forcePopup }),
  });

  /** WeChat's own checks, in WeChat's order; an error page or nothing. */
  const problem = (params: AuthorizeParams, keyOrder?: string[]): [number, string] | undefined => {
    if (!params.appid) return [10012, 'appid is empty'];
    if (!core.hasApp(params.appid)) return [10016, `appid ${params.appid} is not a known account`];
    if (!params.redirect_uri) return [10011, 'redirect_uri is empty'];
    let target: URL;
    try {
      target = new URL(params.redirect_uri);
    } catch {
      return [10003, 'redirect_uri is not a URL'];
    }
    if (!/^https?:$/.test(target.protocol)) return [10003, 'redirect_uri must be http or https'];
    if (redirectHosts.length && !redirectHosts.includes(target.host)) {
      return [10003, `redirect_uri domain ${target.host} is not the authorized callback domain (a port counts)`];
    }
    if (params.response_type !== 'code') return [10015, 'response_type must be code'];
    if (!params.scope) return [10010, 'scope is empty'];
    if (params.scope !== 'snsapi_base' && params.scope !== 'snsapi_userinfo') return [10005, `no permission for scope ${params.scope}`];
    if (!/^[a-zA-Z0-9]{0,128}$/.test(params.state)) return [10013, 'state must be letters and digits, at most 128 bytes'];
    if (keyOrder) {
      const seen = keyOrder.filter((key) => (PARAM_ORDER as readonly string[]).includes(key));
      const expected = PARAM_ORDER.filter((key) => seen.includes(key));
      if (seen.join() !== expected.join()) {
        return [10014, `parameters must come in the order ${PARAM_ORDER.join(', ')}; got ${seen.join(', ')}`];
      }
    }
    return undefined;
  };

  const authorizeUrl = (params: AuthorizeParams) => {
    const query = new URLSearchParams();
    for (const key of PARAM_ORDER) query.set(key, params[key]);
    if (params.forcePopup !== undefined) query.set('forcePopup', params.forcePopup);
    return `/connect/oauth2/authorize?${query}#wechat_redirect`;
  };

  const back = (params: AuthorizeParams, code: string | undefined) => {
    const [base, fragment] = splitFragment(params.redirect_uri);
    const query = new URLSearchParams();
    if (code) query.set('code', code);
    query.set('state', params.state);
    return base + (base.includes('?') ? '&' : '?') + query.toString() + fragment;
  };

  const currentUser = (c: Context): SimulatedUser | undefined => {
    const raw = getCookie(c, USER_COOKIE);
    if (!raw) return undefined;
    try {
      const parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
      const name = normalizeUserName(parsed.name);
      if (!name) return undefined;
      // A snapshot visit is one visit, not who the person is: it is never remembered.
      return { name, profile: parsed.placeholder ? 'placeholder' : 'full', snapshot: false };
    } catch {
      return undefined;
    }
  };

  const issue = (params: AuthorizeParams, user: SimulatedUser) =>
    issueCode({ appId: params.appid, scope: params.scope as Scope, user: user.name, snapshot: user.snapshot, profile: user.profile });

  const appName = (appId: string) => `Official Account ${appId}`;
  const label = (user: SimulatedUser) => (PERSONAS[user.name] ? PERSONAS[user.name].nickname : user.name) + (user.snapshot ? ' (snapshot)' : '') + (user.profile === 'placeholder' ? ' (placeholder profile)' : '');

  app.get('/connect/oauth2/authorize', (c) => {
    controls.count('/connect/oauth2/authorize');
    const url = new URL(c.req.url);
    const params = readParams(Object.fromEntries(url.searchParams));
    const error = problem(params, [...url.searchParams.keys()]);
    if (error) return c.html(errorPage(...error), 400);
    const user = currentUser(c);
    if (!user) return c.html(pickerPage(params, appName(params.appid)));
    if (params.scope === 'snsapi_base' && params.forcePopup !== 'true') return c.redirect(back(params, issue(params, user)), 302);
    const switchUrl = '/connect/oauth2/authorize/switch?' + new URLSearchParams(params as unknown as Record<string, string>);
    return c.html(consentPage(params, appName(params.appid), label(user), switchUrl));
  });

  /** A form posted back from the picker or the consent page: its fields, and the authorize parameters among them. */
  const readForm = async (c: Context) => {
    const form = await c.req.parseBody();
    const text = (key: string) => (typeof form[key] === 'string' ? (form[key] as string) : undefined);
    return { text, params: readParams(Object.fromEntries(Object.keys(form).map((key) => [key, text(key)]))) };
  };

  /** Where the person goes next: a redirect, or for the pages' background post the URL to replace the page with. */
  const go = (c: Context, url: string, status: 302 | 303) =>
    (c.req.header('accept') ?? '').includes('application/json') ? c.json({ next: url }) : c.redirect(url, status);

  app.post('/connect/oauth2/authorize/pick', async (c) => {
    const { text, params } = await readForm(c);
    const error = problem(params);
    if (error) return c.html(errorPage(...error), 400);
    const typed = (text('name') ?? '').trim();
    const name = typed ? normalizeUserName(typed) : normalizeUserName(text('user'));
    const placeholder = text('placeholder') === '1';
    const snapshot = text('snapshot') === '1';
    if (!name) {
      const reason = typed
        ? `"${typed.slice(0, 40)}" cannot be used: a name is letters, digits, spaces, "_", "." and "-", at most 32 characters.`
        : 'Pick one of the users above or type a name first.';
      return c.html(pickerPage(params, appName(params.appid), { reason, name: typed, placeholder, snapshot }), 400);
    }
    const value = Buffer.from(JSON.stringify({ name, placeholder })).toString('base64url');
    setCookie(c, USER_COOKIE, value, { path: '/', httpOnly: true, sameSite: 'Lax' });
    // A visitor from a Moments snapshot page gets a virtual openid and no consent page, for this visit only.
    if (snapshot) return go(c, back(params, issue(params, { name, profile: placeholder ? 'placeholder' : 'full', snapshot: true })), 302);
    // Without the fragment: the page replacing itself with its own URL plus a fragment would not load anything.
    return go(c, authorizeUrl(params).replace(/#wechat_redirect$/, ''), 303);
  });

  app.get('/connect/oauth2/authorize/switch', (c) => {
    const params = readParams(c.req.query());
    deleteCookie(c, USER_COOKIE, { path: '/' });
    return c.redirect(authorizeUrl(params), 303);
  });

  app.post('/connect/oauth2/authorize/decide', async (c) => {
    const { text, params } = await readForm(c);
    const error = problem(params);
    if (error) return c.html(errorPage(...error), 400);
    const user = currentUser(c);
    if (!user) return c.html(pickerPage(params, appName(params.appid)));
    // Denial sends the user back with the state and no code.
    const code = text('decision') === 'allow' ? issue(params, user) : undefined;
    return go(c, back(params, code), 302);
  });

  const favicon = (c: Context) => c.body(FAVICON_SVG, 200, { 'content-type': 'image/svg+xml', 'cache-control': 'public, max-age=86400' });
  app.get('/favicon.svg', favicon);
  app.get('/favicon.ico', favicon);

  // --- controls ---

  app.get('/__emulator/avatar/:seed/:size', (c) => {
    const size = Number(c.req.param('size')) || 132;
    c.header('cache-control', 'public, max-age=86400');
    return c.body(avatarSvg(c.req.param('seed').slice(0, 64), size === 0 ? 640 : Math.min(size, 640)), 200, { 'content-type': 'image/svg+xml' });
  });
  app.get('/__emulator/counts', (c) => c.json(controls.counts()));
  app.post('/__emulator/reset', (c) => {
    core.reset();
    controls.resetCounts();
    controls.clear();
    return c.json({ ok: true });
  });
  app.post('/__emulator/code', async (c) => {
    const body = await c.req.json().catch(() => ({}));
    const appId = typeof body.appid === 'string' ? body.appid : '';
    if (!core.hasApp(appId)) return c.json({ error: 'appid is not a known account' }, 400);
    const scope = body.scope === 'snsapi_userinfo' ? 'snsapi_userinfo' : 'snsapi_base';
    const code = issueCode({ appId, scope, user: normalizeUserName(body.user) ?? 'alice', snapshot: body.snapshot === true, profile: body.profile === 'placeholder' ? 'placeholder' : 'full' });
    return c.json({ code });
  });
  app.post('/__emulator/follow', async (c) => {
    const body = await c.req.json().catch(() => ({}));
    const appId = typeof body.appid === 'string' ? body.appid : '';
    const name = normalizeUserName(body.user);
    if (!core.hasApp(appId) || !name) return c.json({ error: 'need {appid of a known account, user}' }, 400);
    const qrScene = Number.isSafeInteger(body.qr_scene) ? body.qr_scene : undefined;
    const qrSceneStr = typeof body.qr_scene_str === 'string' ? body.qr_scene_str.slice(0, 64) : undefined;
    return c.json(followerView(core.audience.follow(appId, name, { qrScene, qrSceneStr })));
  });
  app.post('/__emulator/unfollow', async (c) => {
    const body = await c.req.json().catch(() => ({}));
    if (typeof body.appid !== 'string' || typeof body.openid !== 'string') return c.json({ error: 'need {appid, openid}' }, 400);
    core.audience.unfollow(body.appid, body.openid);
    return c.json({ ok: true });
  });
  app.get('/__emulator/followers', (c) => c.json({ followers: core.audience.all(c.req.query('appid') ?? '').map(followerView) }));
  app.get('/__emulator/sent', (c) => {
    const after = Number(c.req.query('after') ?? 0);
    return c.json({ sent: core.audience.sent(c.req.query('appid') ?? '', c.req.query('openid') || undefined, Number.isFinite(after) ? after : 0) });
  });
  app.post('/__emulator/fail-next', async (c) => {
    const body = await c.req.json().catch(() => ({}));
    if (typeof body.path !== 'string' || !Number.isInteger(body.errcode)) return c.json({ error: 'need {path, errcode, times?}' }, 400);
    controls.failNext(body.path, body.errcode, Number.isInteger(body.times) ? body.times : 1);
    return c.json({ ok: true });
  });
  app.post('/__emulator/delay', async (c) => {
    const body = await c.req.json().catch(() => ({}));
    if (typeof body.path !== 'string' || typeof body.ms !== 'number') return c.json({ error: 'need {path, ms}' }, 400);
    controls.setDelay(body.path, body.ms);
    return c.json({ ok: true });
  });
  app.post('/__emulator/ip-whitelist', async (c) => {
    const body = await c.req.json().catch(() => ({}));
    core.ipWhitelisted = body.on !== false;
    return c.json({ ok: true, whitelisted: core.ipWhitelisted });
  });
  app.post('/__emulator/clock', async (c) => {
    const body = await c.req.json().catch(() => ({}));
    const clock = core.clock as { advance?: (ms: number) => void };
    if (typeof clock.advance !== 'function') return c.json({ error: 'this emulator runs on a fixed clock' }, 400);
    if (typeof body.advanceMs !== 'number' || body.advanceMs < 0) return c.json({ error: 'need {advanceMs >= 0}' }, 400);
    clock.advance(body.advanceMs);
    return c.json({ now: new Date(core.clock.now()).toISOString() });
  });

  mountPhone(app, core, phone);

  app.notFound((c) => c.json({ errcode: 404, errmsg: `the emulator does not implement ${c.req.method} ${c.req.path.slice(0, 200)}` }, 404));
  app.onError((_error, c) => c.json(wxError(-1, 'system error'), 500));
  return app;
}

/** A follower as the controls show it: the accepted notifications as a plain object. */
function followerView(follower: Follower) {
  return { ...follower, accepted: Object.fromEntries(follower.accepted) };
}

function splitFragment(url: string): [string, string] {
  const index = url.indexOf('#');
  return index === -1 ? [url, ''] : [url.slice(0, index), url.slice(index)];
}

