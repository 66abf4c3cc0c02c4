/**
 * The demo page's script: the whole sign-in flow on the browser SDK, with every outcome
 * told to the person in words. Bundled at mount time; the SDK import below is served as
 * the separate SDK bundle (see bundle.ts).
 */
import { createWebAuth, WebAuthError, type Session } from '../../web/index.js';

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.querySelector<T>(`[data-testid="${id}"]`)!;

/**
 * WeChat's "now" on the local run: the emulator can be fast-forwarded (POST /__emulator/clock),
 * and the page counts the WeChat tokens' expiry on its clock so the two agree. A server without
 * /__dev/clock: this machine's clock.
 */
let skew = 0;
const wechatNow = () => Date.now() + skew;
async function syncClock(): Promise<void> {
  const response = await fetch('/__dev/clock').catch(() => undefined);
  const body = response?.ok ? await response.json().catch(() => undefined) : undefined;
  if (typeof body?.data?.now === 'number') skew = body.data.now - Date.now();
}

/**
 * Plays `app.auth()` of the CloudBase JS SDK on the local run: the ticket the function issues goes
 * to the sign-in stand-in (CloudBase's side), whose Bearer every later call carries. The page needs
 * no session before that: the sign-in routes are public, as behind CloudBase's HTTP access service.
 * A server without the stand-in (404) takes calls without a token.
 */
const CLOUDBASE_SESSION = 'demo.cloudbase';
const cloudbaseAuth = {
  async signInWithCustomTicket(getTicket: () => Promise<string>): Promise<void> {
    const response = await fetch('/__dev/signin', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ticket: await getTicket() }),
    });
    if (response.status === 404) return;
    const body = await response.json().catch(() => undefined);
    const data = body?.data;
    if (!response.ok || !data?.access_token) throw new Error(body?.msg ?? `the local sign-in answered HTTP ${response.status}`);
    const until = Date.now() + Math.max(0, (data.expires_in ?? 300) - 30) * 1000;
    sessionStorage.setItem(CLOUDBASE_SESSION, JSON.stringify({ token: data.access_token, until }));
  },
  accessToken(): string | undefined {
    try {
      const saved = JSON.parse(sessionStorage.getItem(CLOUDBASE_SESSION) ?? 'null');
      return saved && saved.until > Date.now() ? saved.token : undefined;
    } catch {
      return undefined;
    }
  },
  signOut(): void {
    sessionStorage.removeItem(CLOUDBASE_SESSION);
  },
};

const auth = createWebAuth({ cloudbaseAuth, getAccessToken: () => cloudbaseAuth.accessToken(), lang: 'en', now: wechatNow });

/** Something the person can do about an error, offered beside it. */
type Offer = 'refresh' | 'signin';

interface Told {
  title: string;
  text: string;
  offers?: Offer[];
}

/**
 * Errors after which the stored session is no use and the person must sign in again: WeChat will
 * not renew it (40030 / 42002), there is none, or the app's CloudBase sign-in is gone (401 with no
 * WeChat errcode).
 */
function endsSession(error: unknown): boolean {
  if (!(error instanceof WebAuthError)) return false;
  return error.kind === 'no_session' || error.errcode === 40030 || error.errcode === 42002 || (error.status === 401 && error.errcode === undefined);
}

const AGAIN = 'Choose a way to sign in below to start again.';

/** What went wrong, for the person in front of the page rather than for a developer. */
function tell(error: unknown): Told {
  if (!(error instanceof WebAuthError)) {
    return { title: 'Something went wrong', text: (error as Error)?.message ?? String(error) };
  }
  switch (error.kind) {
    case 'denied':
      return { title: 'You did not allow access', text: `You declined on WeChat's page, so you are not signed in and nothing was shared. ${AGAIN}` };
    case 'state_mismatch':
      return {
        title: 'Sign-in refused',
        text: `This sign-in response did not start from this page in this browser (its state did not match), so it was refused to protect your account. ${AGAIN}`,
      };
    case 'no_session':
      return { title: 'You are not signed in', text: AGAIN };
    case 'cloudbase':
      return { title: 'CloudBase did not sign you in', text: `${error.message}. ${AGAIN}` };
    case 'network':
      return { title: 'The function cannot be reached', text: 'The page could not reach offiaccount-common. Check that it is running (npm start) and try again.' };
  }
  const e = error.errcode;
  if (e === 40029 || e === 40163 || e === 42003 || e === 41008) {
    return { title: 'This sign-in link has expired or was already used', text: `WeChat said: ${error.message}. ${AGAIN}` };
  }
  if (e === 40030 || e === 42002) {
    return { title: 'Your WeChat authorization has run out', text: `The refresh_token is no longer valid (${error.message}), so the page has signed you out. ${AGAIN}` };
  }
  if (e === 40001 || e === 42001) {
    return { title: 'Your access_token is no longer valid', text: `WeChat said: ${error.message}. Refresh it for a new one, or sign in again.`, offers: ['refresh', 'signin'] };
  }
  if (e === 48001) return { title: 'WeChat will not share the profile', text: `${error.message}. Sign in with your profile to allow it.` };
  if (error.status === 401) return { title: 'The app does not know who you are', text: `${error.message}. ${AGAIN}` };
  if (error.status === 429) return { title: 'Too many attempts', text: `${error.message}. Wait a moment, then try again.` };
  return { title: 'The function reported an error', text: error.message };
}

function showError(error: unknown, told: Told = tell(error)): void {
  $('error-title').textContent = told.title;
  $('error-text').textContent = told.text;
  const facts: string[] = [];
  if (error instanceof WebAuthError) {
    if (error.hint) facts.push(error.hint);
    if (error.errcode !== undefined) facts.push(`errcode ${error.errcode}`);
    if (error.rid) facts.push(`rid ${error.rid}`);
    if (error.requestId) facts.push(`request ${error.requestId}`);
  }
  $('error-detail').textContent = facts.join(' · ');
  $('error-detail').hidden = facts.length === 0;
  const offers = told.offers ?? [];
  $('error-refresh').hidden = !offers.includes('refresh');
  $('error-signin').hidden = !offers.includes('signin');
  $('error-offers').hidden = offers.length === 0;
  $('error').hidden = false;
  $('status').textContent = '';
}

function say(text: string): void {
  $('error').hidden = true;
  $('status').textContent = text;
}

const SEX = ['not given', 'male', 'female'];

/** The access_token's expiry on WeChat's clock, so it matches what the emulator will say. */
function expiry(session: Session): string {
  const at = new Date(session.expires_at).toLocaleString([], { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' });
  const minutes = Math.round((session.expires_at - wechatNow()) / 60_000);
  return minutes > 0 ? `expires ${at} (in ${minutes} min)` : `expired ${at}`;
}

function render(session: Session | null): void {
  $('signed-out').hidden = Boolean(session);
  $('signed-in').hidden = !session;
  if (!session) return;
  $('openid').textContent = session.openid;
  $('scope').textContent = session.scope;
  $('unionid').textContent = session.unionid ?? 'none (the account is not bound to an Open Platform account)';
  $('expires').textContent = expiry(session);

  const profile = session.profile;
  $('profile').hidden = !profile;
  let note = '';
  if (profile) {
    const avatar = $<HTMLImageElement>('avatar');
    if (profile.headimgurl) avatar.src = profile.headimgurl;
    avatar.hidden = !profile.headimgurl;
    avatar.alt = `${profile.nickname}'s avatar`;
    $('nickname').textContent = profile.nickname;
    const place = [profile.country, profile.province, profile.city].filter(Boolean).join(', ');
    $('profile-facts').textContent = [`sex: ${SEX[profile.sex] ?? 'not given'}`, place || 'no place given'].join(' · ');
    // Not an error: since late 2021 WeChat often sends "微信用户", a grey avatar and nothing else.
    if (profile.nickname === '微信用户' && !place && !profile.sex) {
      note = 'WeChat sent a placeholder profile: since late 2021 many people appear as "微信用户" with a grey avatar and no place.';
    }
  } else if (session.is_snapshotuser) {
    note = 'This visitor came from a Moments snapshot page: WeChat gives a stand-in openid and no profile until they open the page for real.';
  } else if (session.scope.includes('snsapi_base')) {
    note = 'Signed in silently: the page knows your openid, not your name or avatar.';
  }
  $('profile-note').textContent = note;
  $('profile-note').hidden = !note;
}

async function busy(work: () => Promise<void>): Promise<void> {
  const buttons = [...document.querySelectorAll('button')];
  buttons.forEach((b) => (b.disabled = true));
  try {
    await work();
  } catch (error) {
    // A session that cannot go on is dropped, so the sign-in choices come back and a reload shows them too.
    if (endsSession(error)) signOut();
    showError(error);
  } finally {
    buttons.forEach((b) => (b.disabled = false));
  }
}

function wire(): void {
  $('signin-base').addEventListener('click', () =>
    busy(async () => {
      say('Taking you to WeChat…');
      await auth.signIn({ scope: 'snsapi_base' });
    }),
  );
  $('signin-userinfo').addEventListener('click', () =>
    busy(async () => {
      say('Taking you to WeChat…');
      await auth.signIn({ scope: 'snsapi_userinfo' });
    }),
  );
  const refresh = () =>
    busy(async () => {
      await syncClock();
      const session = await auth.refresh();
      render(session);
      say(`Got a new access_token: it ${expiry(session)}.`);
    });
  $('refresh').addEventListener('click', refresh);
  $('error-refresh').addEventListener('click', refresh);
  $('verify').addEventListener('click', () =>
    busy(async () => {
      await syncClock();
      if (await auth.verify()) {
        say('WeChat still accepts the access_token.');
      } else {
        render(auth.session());
        showError(undefined, {
          title: 'Your access_token is no longer valid',
          text: 'WeChat no longer accepts it (it expired or was replaced). Refresh it for a new one, or sign in again.',
          offers: ['refresh', 'signin'],
        });
      }
    }),
  );
  $('signout').addEventListener('click', () => {
    signOut();
    say('Signed out. The page has forgotten your openid and tokens.');
  });
  $('error-signin').addEventListener('click', () => {
    signOut();
    say(AGAIN);
  });
  $('signin-switch').addEventListener('click', () =>
    busy(async () => {
      say('Taking you to WeChat to choose another user…');
      await switcher.signIn({ scope: 'snsapi_base' });
    }),
  );
}

/** Forgets the WeChat session and the app's sign-in, and shows the sign-in choices. */
function signOut(): void {
  auth.signOut();
  cloudbaseAuth.signOut();
  render(null);
}

/**
 * A sign-in through the emulator's "switch user" page, which forgets the remembered WeChat user
 * and shows its picker (as switching accounts in WeChat does). Same storage as `auth`, so the
 * return is handled like any other.
 */
const switcher = createWebAuth({
  cloudbaseAuth,
  getAccessToken: () => cloudbaseAuth.accessToken(),
  lang: 'en',
  now: wechatNow,
  location: {
    get href() {
      return location.href;
    },
    replace: (url: string) => {
      const target = new URL(url);
      target.pathname = target.pathname.replace(/\/authorize$/, '/authorize/switch');
      target.hash = '';
      location.replace(target.toString());
    },
  },
});

async function start(): Promise<void> {
  wire();
  const clockSynced = syncClock();
  auth.config().then(
    (config) => {
      $('mode').textContent = `${config.mode === 'emulator' ? 'local WeChat emulator' : 'WeChat'} · ${config.appId}`;
      $('switch').hidden = config.mode !== 'emulator';
    },
    () => {
      $('mode').textContent = 'function unreachable';
    },
  );
  const returning = /[?&](code|state)=/.test(location.search);
  if (returning) say('Finishing sign-in…');
  try {
    await clockSynced;
    const session = await auth.handleRedirect();
    render(session);
    if (returning && session) say(`Signed in${session.profile ? ` as ${session.profile.nickname}` : ''}.`);
    else if (!returning) say('');
  } catch (error) {
    render(auth.session());
    showError(error);
  }
}

start();
