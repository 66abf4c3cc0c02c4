/**
 * The demo page's script: the whole sign-in flow on the browser SDK, with every outcome
 * told to the person in words. Bundled at mount time; the SDK import below is served as
 * the separate SDK bundle (see bundle.ts).
 */
import { createWebAuth, WebAuthError, type Session } from '../../web/index.js';

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.querySelector<T>(`[data-testid="${id}"]`)!;

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

const auth = createWebAuth({ cloudbaseAuth, getAccessToken: () => cloudbaseAuth.accessToken(), lang: 'en' });

interface Told {
  title: string;
  text: string;
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
    return { title: 'Your WeChat authorization has run out', text: `The refresh_token is no longer valid (${error.message}). ${AGAIN}` };
  }
  if (e === 48001) return { title: 'WeChat will not share the profile', text: `${error.message}. Sign in with your profile to allow it.` };
  if (error.status === 401) return { title: 'The app does not know who you are', text: `${error.message}. Sign in to the app first.` };
  if (error.status === 429) return { title: 'Too many attempts', text: `${error.message}. Wait a moment, then try again.` };
  return { title: 'The function reported an error', text: error.message };
}

function showError(error: unknown): void {
  const told = tell(error);
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
  $('error').hidden = false;
  $('status').textContent = '';
}

function say(text: string): void {
  $('error').hidden = true;
  $('status').textContent = text;
}

const SEX = ['not given', 'male', 'female'];

function render(session: Session | null): void {
  $('signed-out').hidden = Boolean(session);
  $('signed-in').hidden = !session;
  if (!session) return;
  $('openid').textContent = session.openid;
  $('scope').textContent = session.scope;
  $('unionid').textContent = session.unionid ?? 'none (the account is not bound to an Open Platform account)';
  const minutes = Math.round((session.expires_at - Date.now()) / 60_000);
  $('expires').textContent = `expires at ${new Date(session.expires_at).toLocaleTimeString()} (in ${minutes} min)`;

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
  $('refresh').addEventListener('click', () =>
    busy(async () => {
      const session = await auth.refresh();
      render(session);
      say(`Got a new access_token; it expires at ${new Date(session.expires_at).toLocaleTimeString()}.`);
    }),
  );
  $('verify').addEventListener('click', () =>
    busy(async () => {
      if (await auth.verify()) {
        say('WeChat still accepts the access_token.');
      } else {
        showError(new Error('WeChat no longer accepts this access_token. Refresh it, or sign in again.'));
      }
    }),
  );
  $('signout').addEventListener('click', () => {
    auth.signOut();
    cloudbaseAuth.signOut();
    render(null);
    say('Signed out. The page has forgotten your openid and tokens.');
  });
}

async function start(): Promise<void> {
  wire();
  auth.config().then(
    (config) => {
      $('mode').textContent = `${config.mode === 'emulator' ? 'local WeChat emulator' : 'WeChat'} · ${config.appId}`;
    },
    () => {
      $('mode').textContent = 'function unreachable';
    },
  );
  const returning = /[?&](code|state)=/.test(location.search);
  if (returning) say('Finishing sign-in…');
  try {
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
