/**
 * The browser SDK run in Node against the real function and the emulator over loopback.
 * The page around it (address bar, history, sessionStorage) is a small fake that records
 * what the SDK did to it and in which order.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it, type TestContext } from 'node:test';
import { bundleWebSdk } from '../src/dev/demo/bundle.js';
import { buildAuthorizeUrl, createWebAuth, WebAuthError, type Envelope, type WebAuthOptions } from '../src/web/index.js';
import { customLoginKey, ENV_ID } from './support/custom-login-key.js';
import { gatewayBearer, startStack, TEST_APP_ID, type Stack } from './support/stack.js';

const PAGE = 'https://h5.example.com/shop/login.html?from=menu';
/** What /oauth/state issues: base36 issue time, 16 bytes of nonce and 16 of signature, in hex. */
const SIGNED_STATE = /^[0-9a-z]{1,11}[0-9a-f]{64}$/;

/** The page the SDK lives in: address bar, history and sessionStorage, with a log of what happened. */
class FakePage {
  href: string;
  events: string[] = [];
  navigations: string[] = [];
  items = new Map<string, string>();

  constructor(href = PAGE) {
    this.href = href;
  }

  storage = {
    getItem: (key: string) => this.items.get(key) ?? null,
    setItem: (key: string, value: string) => void this.items.set(key, String(value)),
    removeItem: (key: string) => void this.items.delete(key),
  };

  location = (() => {
    const page = this;
    return {
      get href() {
        return page.href;
      },
      replace(url: string) {
        page.navigations.push(url);
        page.events.push('navigate');
      },
    };
  })();

  history = {
    state: null,
    replaceState: (_data: unknown, _unused: string, url: string) => {
      this.events.push(`replaceState ${url}`);
      this.href = url;
    },
  };

  /** WeChat sending the person back to redirect_uri with these parameters. */
  returnTo(redirectUri: string, params: Record<string, string>): void {
    const url = new URL(redirectUri);
    for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
    this.href = url.href;
    this.events = [];
  }
}

let stack: Stack;
before(async () => {
  stack = await startStack();
});
after(async () => {
  await stack?.close();
});

function sdk(page: FakePage, extra: Partial<WebAuthOptions> = {}) {
  return createWebAuth({
    baseUrl: stack.fn.url,
    storage: page.storage,
    location: page.location,
    history: page.history,
    fetch: (input, init) => {
      page.events.push(`POST ${new URL(String(input)).pathname}`);
      return fetch(input, init);
    },
    ...extra,
  });
}

/** signIn(), then the parameters of the authorize URL it navigated to. */
async function startSignIn(page: FakePage, scope?: 'snsapi_base' | 'snsapi_userinfo') {
  const auth = sdk(page);
  const returned = await auth.signIn(scope ? { scope } : {});
  assert.equal(page.navigations.length, 1);
  const url = new URL(page.navigations[0]);
  assert.equal(returned, page.navigations[0]);
  return { auth, url, state: url.searchParams.get('state')!, redirectUri: url.searchParams.get('redirect_uri')! };
}

async function rejectsWith(promise: Promise<unknown>, kind: string): Promise<WebAuthError> {
  let caught: unknown;
  await promise.catch((error) => (caught = error));
  assert.ok(caught instanceof WebAuthError, `expected a WebAuthError, got ${caught}`);
  assert.equal(caught.kind, kind, caught.message);
  return caught;
}

describe('authorize URL', () => {
  it('matches the WeChat documentation vector byte for byte (§A1)', () => {
    const url = buildAuthorizeUrl('https://open.weixin.qq.com/connect/oauth2/authorize', {
      appId: 'appid',
      redirectUri: 'http://diveintonode.org/',
      scope: 'snsapi_userinfo',
      state: 'hehe',
    });
    assert.equal(
      url,
      'https://open.weixin.qq.com/connect/oauth2/authorize?appid=appid&redirect_uri=http%3A%2F%2Fdiveintonode.org%2F&response_type=code&scope=snsapi_userinfo&state=hehe#wechat_redirect',
    );
  });

  it('signIn asks the function for the AppID and authorize page, and goes there with the parameters in WeChat order', async () => {
    const page = new FakePage(`${PAGE}#/cart`);
    const { url, state, redirectUri } = await startSignIn(page, 'snsapi_userinfo');
    assert.deepEqual(page.events, ['POST /oauth/config', 'POST /oauth/state', 'navigate']);
    assert.equal(`${url.origin}${url.pathname}`, `${stack.emulatorUrl}/connect/oauth2/authorize`);
    assert.deepEqual([...url.searchParams.keys()], ['appid', 'redirect_uri', 'response_type', 'scope', 'state']);
    assert.equal(url.searchParams.get('appid'), TEST_APP_ID);
    assert.equal(url.searchParams.get('response_type'), 'code');
    assert.equal(url.searchParams.get('scope'), 'snsapi_userinfo');
    assert.equal(url.hash, '#wechat_redirect');
    // This page, its own query kept, its SPA fragment dropped (WeChat would not send it back).
    assert.equal(redirectUri, PAGE);
    // The function's signed state, within WeChat's [a-zA-Z0-9]{1,128}.
    assert.match(state, SIGNED_STATE);
    assert.ok(state.length <= 128);
  });

  it('defaults to snsapi_base, or the scope given to createWebAuth', async () => {
    const page = new FakePage();
    const { url } = await startSignIn(page);
    assert.equal(url.searchParams.get('scope'), 'snsapi_base');
    const other = new FakePage();
    await sdk(other, { scope: 'snsapi_userinfo' }).signIn();
    assert.equal(new URL(other.navigations[0]).searchParams.get('scope'), 'snsapi_userinfo');
  });

  it('never sends the code and state of an earlier return back as part of redirect_uri', async () => {
    const page = new FakePage(`${PAGE}&code=OLD&state=OLD#wechat_redirect`);
    const { redirectUri } = await startSignIn(page);
    assert.equal(redirectUri, PAGE);
  });

  it('produces a URL the authorize page accepts (the user picker, not an error page)', async () => {
    const page = new FakePage();
    const { url } = await startSignIn(page);
    const response = await fetch(url, { redirect: 'manual' });
    const html = await response.text();
    assert.equal(response.status, 200);
    assert.doesNotMatch(html, /emu-error/);
    assert.match(html, /data-testid="emu-user-alice"/);
  });
});

describe('state', () => {
  /** A function from before /oauth/state: the real function, with that one route answering its real 404. */
  const olderFunction = (page: FakePage): Partial<WebAuthOptions> => ({
    fetch: (input, init) => {
      const url = new URL(String(input));
      page.events.push(`POST ${url.pathname}`);
      if (url.pathname === '/oauth/state') url.pathname = '/oauth/no-such-route';
      return fetch(url, init);
    },
  });

  it('from a function without /oauth/state (404), comes from crypto.getRandomValues: 16 random bytes as hex, never Math.random', async (t: TestContext) => {
    t.mock.method(Math, 'random', () => {
      throw new Error('Math.random must not be used for the state');
    });
    const fill = t.mock.method(globalThis.crypto, 'getRandomValues', <T extends ArrayBufferView | null>(array: T): T => {
      const bytes = array as unknown as Uint8Array;
      for (let i = 0; i < bytes.length; i++) bytes[i] = i * 17;
      return array;
    });
    const page = new FakePage();
    const auth = sdk(page, olderFunction(page));
    const state = new URL(await auth.signIn()).searchParams.get('state');
    assert.deepEqual(page.events, ['POST /oauth/config', 'POST /oauth/state', 'navigate']);
    // One draw for the PKCE verifier, one of 16 bytes for the state.
    assert.deepEqual(fill.mock.calls.map((call) => (call.arguments[0] as Uint8Array).length), [32, 16]);
    assert.equal(state, '00112233445566778899aabbccddeeff');
    assert.equal(page.items.get('offiaccount.state'), state);
  });

  it('from a function without /oauth/state, the local state signs the person in while storage keeps it, and is refused if storage lost it', async () => {
    const page = new FakePage();
    const auth = sdk(page, olderFunction(page));
    const url = new URL(await auth.signIn());
    const redirectUri = url.searchParams.get('redirect_uri')!;
    const state = url.searchParams.get('state')!;
    page.returnTo(redirectUri, { code: stack.code(), state });
    assert.match((await auth.handleRedirect())?.openid ?? '', /^o/);

    const lost = new FakePage();
    const second = sdk(lost, olderFunction(lost));
    const again = new URL(await second.signIn()).searchParams.get('state')!;
    lost.items.clear();
    const before = stack.emulator.counts()['/sns/oauth2/access_token'] ?? 0;
    lost.returnTo(redirectUri, { code: stack.code(), state: again });
    await rejectsWith(second.handleRedirect(), 'state_mismatch');
    assert.deepEqual(lost.events, [`replaceState ${PAGE}`], 'an older function could not check it, so it is not sent');
    assert.equal(stack.emulator.counts()['/sns/oauth2/access_token'] ?? 0, before);
  });

  it('a failure of /oauth/state other than 404 stops the sign-in instead of falling back', async () => {
    const page = new FakePage();
    const auth = sdk(page, {
      fetch: (input, init) =>
        new URL(String(input)).pathname === '/oauth/state'
          ? Promise.resolve(Response.json({ code: -1, msg: 'Too many requests', data: null }, { status: 429 }))
          : fetch(input, init),
    });
    const error = await rejectsWith(auth.signIn(), 'function');
    assert.equal(error.status, 429);
    assert.equal(page.navigations.length, 0);
  });

  it('is different every time and is kept in storage until the person comes back', async () => {
    const states = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const page = new FakePage();
      const { state } = await startSignIn(page);
      assert.equal(page.items.get('offiaccount.state'), state);
      states.add(state);
    }
    assert.equal(states.size, 20);
  });
});

describe('handleRedirect', () => {
  it('snsapi_base: strips code and state from the address bar before exchanging, and signs the person in', async () => {
    const page = new FakePage();
    const { auth, state, redirectUri } = await startSignIn(page);
    page.returnTo(redirectUri, { code: stack.code('snsapi_base', 'alice'), state });

    const session = await auth.handleRedirect();
    assert.deepEqual(page.events, [`replaceState ${PAGE}`, 'POST /oauth/token']);
    assert.ok(session);
    assert.match(session.openid, /^o[\w-]{27}$/);
    assert.equal(session.scope, 'snsapi_base');
    assert.equal(session.profile, undefined);
    assert.ok(Math.abs(session.expires_at - (Date.now() + 7200_000)) < 10_000);
    assert.equal(page.items.has('offiaccount.state'), false, 'the state is single-use');
  });

  it('keeps the page fragment but drops #wechat_redirect when cleaning the address bar', async () => {
    const page = new FakePage();
    const { auth, state, redirectUri } = await startSignIn(page);
    page.returnTo(`${redirectUri}#/orders`, { code: stack.code(), state });
    await auth.handleRedirect();
    assert.equal(page.href, `${PAGE}#/orders`);

    const again = new FakePage();
    const second = await startSignIn(again);
    again.returnTo(`${second.redirectUri}#wechat_redirect`, { code: stack.code(), state: second.state });
    await second.auth.handleRedirect();
    assert.equal(again.href, PAGE);
  });

  it('snsapi_userinfo: fetches the profile after the exchange', async () => {
    const page = new FakePage();
    const { auth, state, redirectUri } = await startSignIn(page, 'snsapi_userinfo');
    page.returnTo(redirectUri, { code: stack.code('snsapi_userinfo', 'bob'), state });
    const session = await auth.handleRedirect();
    assert.deepEqual(page.events.slice(1), ['POST /oauth/token', 'POST /oauth/userinfo']);
    assert.equal(session?.profile?.nickname, 'Bob 王');
    assert.equal(session?.profile?.openid, session?.openid);
  });

  it('a Moments snapshot visitor gets an openid and no profile call (WeChat would answer 48001)', async () => {
    const page = new FakePage();
    const { auth, state, redirectUri } = await startSignIn(page, 'snsapi_userinfo');
    page.returnTo(redirectUri, { code: stack.code('snsapi_base', 'carol', { snapshot: true }), state });
    const session = await auth.handleRedirect();
    assert.equal(session?.is_snapshotuser, 1);
    assert.equal(session?.profile, undefined);
    assert.deepEqual(page.events.slice(1), ['POST /oauth/token']);
  });

  it('refuses a state this browser did not send, without exchanging the code', async () => {
    const page = new FakePage();
    const { auth, redirectUri } = await startSignIn(page);
    const counts = stack.emulator.counts()['/sns/oauth2/access_token'] ?? 0;
    page.returnTo(redirectUri, { code: stack.code(), state: 'forged0123456789' });
    const error = await rejectsWith(auth.handleRedirect(), 'state_mismatch');
    assert.match(error.message, /state/);
    assert.deepEqual(page.events, [`replaceState ${PAGE}`], 'the URL is cleaned and no function call is made');
    assert.equal(stack.emulator.counts()['/sns/oauth2/access_token'] ?? 0, counts);
    assert.equal(auth.session(), null);
  });

  it('refuses a return when this browser never started a sign-in (a link planted by someone else)', async () => {
    const page = new FakePage();
    page.returnTo(PAGE, { code: stack.code(), state: 'abc123' });
    await rejectsWith(sdk(page).handleRedirect(), 'state_mismatch');
    assert.equal(page.href, PAGE);
    assert.deepEqual(page.events, [`replaceState ${PAGE}`], 'not in the signed shape: refused without asking the function');
  });

  it('storage lost on the way through WeChat: sends the signed state with the code, and the function vouches for it', async () => {
    const page = new FakePage();
    const bodies: unknown[] = [];
    const auth = sdk(page, {
      fetch: (input, init) => {
        page.events.push(`POST ${new URL(String(input)).pathname}`);
        bodies.push(JSON.parse(String(init?.body)));
        return fetch(input, init);
      },
    });
    const { searchParams } = new URL(await auth.signIn({ scope: 'snsapi_userinfo' }));
    const state = searchParams.get('state')!;
    page.items.clear(); // a fresh webview: sessionStorage is empty
    page.returnTo(searchParams.get('redirect_uri')!, { code: stack.code('snsapi_userinfo', 'bob'), state });

    const session = await auth.handleRedirect();
    assert.deepEqual(page.events, [`replaceState ${PAGE}`, 'POST /oauth/token', 'POST /oauth/userinfo']);
    assert.deepEqual(Object.keys(bodies[2] as object), ['code', 'state']);
    assert.equal((bodies[2] as { state: string }).state, state);
    assert.equal(session?.profile?.nickname, 'Bob 王');
    assert.deepEqual(auth.session(), session);
  });

  it('storage lost and a forged state in the signed shape: the function refuses it and the code is never exchanged', async () => {
    const page = new FakePage();
    const { auth, state, redirectUri } = await startSignIn(page);
    page.items.clear();
    const forged = state.slice(0, -1) + (state.endsWith('0') ? '1' : '0');
    const before = stack.emulator.counts()['/sns/oauth2/access_token'] ?? 0;
    page.returnTo(redirectUri, { code: stack.code('snsapi_base', 'mallory'), state: forged });
    const error = await rejectsWith(auth.handleRedirect(), 'state_mismatch');
    assert.equal(error.status, 400);
    assert.match(error.message, /state was not issued by this function/);
    assert.ok(error.hint && error.requestId);
    assert.deepEqual(page.events, [`replaceState ${PAGE}`, 'POST /oauth/token']);
    assert.equal(stack.emulator.counts()['/sns/oauth2/access_token'] ?? 0, before);
    assert.equal(auth.session(), null);
  });

  it('storage lost and the signed state older than 10 minutes: refused as state_mismatch', async () => {
    const page = new FakePage();
    const { auth, state, redirectUri } = await startSignIn(page);
    page.items.clear();
    stack.clock.advance(11 * 60_000);
    page.returnTo(redirectUri, { code: stack.code(), state });
    await rejectsWith(auth.handleRedirect(), 'state_mismatch');
  });

  it('storage lost and a function error that is not about the state stays a function error', async () => {
    const page = new FakePage();
    const { auth, state, redirectUri } = await startSignIn(page);
    page.items.clear();
    page.returnTo(redirectUri, { code: 'no-such-code', state });
    const error = await rejectsWith(auth.handleRedirect(), 'function');
    assert.equal(error.errcode, 40029);
  });

  it('refuses a code that comes back without any state', async () => {
    const page = new FakePage();
    const { auth, redirectUri } = await startSignIn(page);
    page.returnTo(redirectUri, { code: stack.code() });
    await rejectsWith(auth.handleRedirect(), 'state_mismatch');
  });

  it('reports a refusal on the consent page (state, no code) as denied', async () => {
    const page = new FakePage();
    const { auth, state, redirectUri } = await startSignIn(page, 'snsapi_userinfo');
    page.returnTo(redirectUri, { state });
    await rejectsWith(auth.handleRedirect(), 'denied');
    assert.deepEqual(page.events, [`replaceState ${PAGE}`]);
    assert.equal(auth.session(), null);
  });

  it('after sign-in, a reload returns the stored session without presenting the code again', async () => {
    const page = new FakePage();
    const { auth, state, redirectUri } = await startSignIn(page);
    page.returnTo(redirectUri, { code: stack.code(), state });
    const first = await auth.handleRedirect();
    page.events = [];
    // The reload: a new SDK instance on the cleaned address, same sessionStorage.
    const reloaded = await sdk(page).handleRedirect();
    assert.deepEqual(reloaded, first);
    assert.deepEqual(page.events, []);
  });

  it('on a plain first visit returns null and calls nothing', async () => {
    const page = new FakePage();
    assert.equal(await sdk(page).handleRedirect(), null);
    assert.deepEqual(page.events, []);
  });

  it("turns the function's error envelope into a WebAuthError carrying msg, errcode, rid, hint and requestId", async () => {
    const page = new FakePage();
    const { auth, state, redirectUri } = await startSignIn(page);
    page.returnTo(redirectUri, { code: 'no-such-code', state });
    const error = await rejectsWith(auth.handleRedirect(), 'function');
    assert.equal(error.status, 400);
    assert.equal(error.errcode, 40029);
    assert.match(error.message, /^WeChat API error \[40029\]: /);
    assert.match(error.rid ?? '', /^[0-9a-f]+(-[0-9a-f]+)+$/);
    assert.ok(error.hint && error.hint.length > 10);
    assert.ok(error.requestId);
  });

  it('a code already used elsewhere (40163) is reported as a function error, not swallowed', async () => {
    const code = stack.code();
    assert.equal((await stack.call('/oauth/token', { code })).status, 200);
    // The function answers a repeat from its cache; make WeChat refuse the next exchange to see the error path.
    stack.emulator.failNext('/sns/oauth2/access_token', 40163);
    const page = new FakePage();
    const { auth, state, redirectUri } = await startSignIn(page);
    page.returnTo(redirectUri, { code: stack.code(), state });
    const error = await rejectsWith(auth.handleRedirect(), 'function');
    assert.equal(error.errcode, 40163);
  });
});

describe('refresh, verify, sign out', () => {
  async function signedIn(scope: 'snsapi_base' | 'snsapi_userinfo' = 'snsapi_userinfo') {
    const page = new FakePage();
    const { auth, state, redirectUri } = await startSignIn(page, scope);
    page.returnTo(redirectUri, { code: stack.code(scope, 'alice'), state });
    const session = (await auth.handleRedirect())!;
    return { page, auth, session };
  }

  it('refresh() gets a new access_token, keeps the openid and profile, and stores the result', async () => {
    const { auth, session } = await signedIn();
    const refreshed = await auth.refresh();
    assert.notEqual(refreshed.access_token, session.access_token);
    assert.equal(refreshed.openid, session.openid);
    assert.deepEqual(refreshed.profile, session.profile);
    assert.deepEqual(auth.session(), refreshed);
  });

  it('verify() is true for a live token and false once WeChat stops accepting it', async () => {
    const { auth } = await signedIn('snsapi_base');
    assert.equal(await auth.verify(), true);
    stack.clock.advance(2 * 3600_000 + 1000);
    assert.equal(await auth.verify(), false);
    // refresh_token still lives (30 days): refresh brings verify back.
    await auth.refresh();
    assert.equal(await auth.verify(), true);
  });

  it('signOut() forgets the session; refresh() and verify() then say nobody is signed in', async () => {
    const { auth, page } = await signedIn();
    auth.signOut();
    assert.equal(auth.session(), null);
    assert.equal(page.items.size, 0);
    await rejectsWith(auth.refresh(), 'no_session');
    await rejectsWith(auth.verify(), 'no_session');
  });
});

describe('transport', () => {
  it('sends Authorization: Bearer from getAccessToken, which a gateway-mode function requires', async () => {
    const gated = await startStack({ env: { AUTH_MODE: 'gateway' } });
    try {
      const page = new FakePage();
      const bare = createWebAuth({ baseUrl: gated.fn.url, storage: page.storage, location: page.location, history: page.history });
      const refused = await rejectsWith(bare.signIn(), 'function');
      assert.equal(refused.status, 401);
      assert.equal(page.navigations.length, 0);

      const seen: string[] = [];
      const withToken = createWebAuth({
        baseUrl: gated.fn.url,
        getAccessToken: async () => 'cloudbase-access-token',
        storage: page.storage,
        location: page.location,
        history: page.history,
        fetch: (input, init) => {
          seen.push(new Headers(init?.headers).get('authorization') ?? '');
          return fetch(input, init);
        },
      });
      await withToken.signIn();
      assert.deepEqual(seen, ['Bearer cloudbase-access-token', 'Bearer cloudbase-access-token']);
      assert.equal(page.navigations.length, 1);
    } finally {
      await gated.close();
    }
  });

  it('puts the route before the query of a gateway-style baseUrl', async () => {
    const page = new FakePage();
    const paths: string[] = [];
    const auth = createWebAuth({
      baseUrl: `${stack.fn.url}/v1/functions/offiaccount-common?webfn=true`,
      storage: page.storage,
      location: page.location,
      history: page.history,
      fetch: (input, init) => {
        const url = new URL(String(input));
        paths.push(url.pathname + url.search);
        return fetch(input, init);
      },
    });
    await auth.signIn();
    assert.deepEqual(paths, ['/v1/functions/offiaccount-common/oauth/config?webfn=true', '/v1/functions/offiaccount-common/oauth/state?webfn=true']);
  });

  it('uses callFunction instead of fetch when given one', async () => {
    const page = new FakePage();
    const calls: string[] = [];
    const auth = createWebAuth({
      storage: page.storage,
      location: page.location,
      history: page.history,
      callFunction: async (path, body) => {
        calls.push(path);
        return (await stack.call(path, body)).body as Envelope;
      },
    });
    const { searchParams } = new URL(await auth.signIn());
    page.returnTo(searchParams.get('redirect_uri')!, { code: stack.code(), state: searchParams.get('state')! });
    const session = await auth.handleRedirect();
    assert.deepEqual(calls, ['/oauth/config', '/oauth/state', '/oauth/token']);
    assert.match(session!.openid, /^o/);
  });

  it('reports an unreachable function as a network error', async () => {
    const page = new FakePage();
    const auth = createWebAuth({ baseUrl: 'http://127.0.0.1:1', storage: page.storage, location: page.location, history: page.history });
    const error = await rejectsWith(auth.signIn(), 'network');
    assert.match(error.message, /Could not reach the function/);
  });

  it('reports an answer that is not an envelope (a proxy error page) as a function error with its status', async () => {
    const page = new FakePage();
    const auth = createWebAuth({
      baseUrl: stack.fn.url,
      storage: page.storage,
      location: page.location,
      history: page.history,
      fetch: async () => new Response('<html>502 Bad Gateway</html>', { status: 502, headers: { 'content-type': 'text/html' } }),
    });
    const error = await rejectsWith(auth.signIn(), 'function');
    assert.equal(error.status, 502);
    assert.match(error.message, /HTTP 502 without its \{code, msg, data\} envelope/);
  });
});

describe('signed in to CloudBase with the ticket', () => {
  let open: Stack;
  before(async () => {
    open = await startStack({
      env: { AUTH_MODE: 'gateway', PUBLIC_ROUTES: '/oauth/config,/oauth/state,/oauth/token', CLOUDBASE_CUSTOM_LOGIN_KEY: customLoginKey().json, TCB_ENV: ENV_ID },
    });
  });
  after(() => open.close());

  /** A stand-in for app.auth() of @cloudbase/js-sdk: signing in with a ticket gives a Bearer for its uid. */
  function cloudbase(answer: (ticket: string) => unknown = () => ({ data: {} })) {
    const state = { tickets: [] as string[], token: undefined as string | undefined };
    const auth = {
      async signInWithCustomTicket(getTicket: () => Promise<string>) {
        const ticket = await getTicket();
        state.tickets.push(ticket);
        const uid = JSON.parse(Buffer.from(ticket.split('/@@/')[1].split('.')[1], 'base64url').toString()).uid;
        state.token = gatewayBearer(uid).authorization.slice('Bearer '.length);
        return answer(ticket);
      },
    };
    return { auth, state };
  }

  function pageWith(page: FakePage, cb: ReturnType<typeof cloudbase>, seen: string[]) {
    return createWebAuth({
      baseUrl: open.fn.url,
      storage: page.storage,
      location: page.location,
      history: page.history,
      cloudbaseAuth: cb.auth,
      getAccessToken: () => cb.state.token,
      fetch: (input, init) => {
        seen.push(`${new URL(String(input)).pathname} ${(init?.headers as Record<string, string>).authorization ? 'Bearer' : 'public'}`);
        return fetch(input, init);
      },
    });
  }

  it('a page with no CloudBase session ends signed in to CloudBase as the WeChat user, and asks the profile with its Bearer', async () => {
    const page = new FakePage();
    const cb = cloudbase();
    const seen: string[] = [];
    const auth = pageWith(page, cb, seen);
    const { searchParams } = new URL(await auth.signIn({ scope: 'snsapi_userinfo' }));
    assert.ok(page.items.get('offiaccount.verifier'), 'the PKCE verifier stays in this browser');
    page.returnTo(searchParams.get('redirect_uri')!, { code: open.code('snsapi_userinfo', 'bob'), state: searchParams.get('state')! });
    const session = await auth.handleRedirect();
    assert.equal(cb.state.tickets.length, 1);
    assert.match(cb.state.tickets[0], /^a1b2c3d4-key\/@@\//);
    assert.equal(session?.profile?.nickname, 'Bob 王');
    assert.deepEqual(seen, ['/oauth/config public', '/oauth/state public', '/oauth/token public', '/oauth/userinfo Bearer']);
    assert.ok(![...page.items.values()].some((value) => value.includes('/@@/')), 'the ticket is not kept');
    assert.equal(page.items.get('offiaccount.verifier'), undefined);
  });

  it('reports CloudBase refusing the ticket as a cloudbase error, and keeps no session', async () => {
    const page = new FakePage();
    const cb = cloudbase(() => ({ error: { message: 'custom login is not enabled' } }));
    const auth = pageWith(page, cb, []);
    const { searchParams } = new URL(await auth.signIn());
    page.returnTo(searchParams.get('redirect_uri')!, { code: open.code(), state: searchParams.get('state')! });
    const error = await rejectsWith(auth.handleRedirect(), 'cloudbase');
    assert.match(error.message, /custom login is not enabled/);
    assert.equal(auth.session(), null);
  });
});

describe('bundle', () => {
  it('is one ESM file under 4 KiB minified and gzipped, with no server code in it', async () => {
    const bundle = await bundleWebSdk();
    assert.ok(bundle.gzipBytes < 4096, `the SDK is ${bundle.gzipBytes} bytes gzipped`);
    assert.match(bundle.code, /export\{/);
    assert.doesNotMatch(bundle.code, /\brequire\(|from"node:|hono|zod|valibot|pino|process\.env/);
    const module = await import(`data:text/javascript;base64,${Buffer.from(bundle.code).toString('base64')}`);
    assert.equal(typeof module.createWebAuth, 'function');
    assert.equal(typeof module.WebAuthError, 'function');
    assert.equal(typeof module.buildAuthorizeUrl, 'function');
  });
});
