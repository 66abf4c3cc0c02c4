/**
 * The HTML of the emulated open.weixin.qq.com authorize page: errors, the user picker and
 * the consent screen. Every value from the request is escaped.
 */
import { PERSONAS } from './users.js';

export interface AuthorizeParams {
  appid: string;
  redirect_uri: string;
  response_type: string;
  scope: string;
  state: string;
  forcePopup?: string;
}

export const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);

/** System fonts first, then the CJK fonts of common systems (Noto CJK on Linux), so Chinese names never render as boxes. */
export const FONT_STACK =
  '-apple-system, BlinkMacSystemFont, "Segoe UI", "Helvetica Neue", Arial, "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Micro Hei", sans-serif';

/** A small green speech bubble, so no page asks for a /favicon.ico that is not there. */
export const FAVICON_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#07c160"/><path d="M9 10h14a3 3 0 0 1 3 3v6a3 3 0 0 1-3 3h-8l-5 4v-4H9a3 3 0 0 1-3-3v-6a3 3 0 0 1 3-3z" fill="#fff"/></svg>';

/**
 * The picker's and the consent page's forms post in the background and the page then replaces
 * itself with where the emulator sends the person, as WeChat's redirects do: Back after signing in
 * never lands on the picker or the consent page. A refusal's page (400) is written in place.
 * Without script the forms post as usual.
 */
const REPLACE_SCRIPT = `document.querySelectorAll('form[data-replace]').forEach(function (form) {
  form.addEventListener('submit', function (event) {
    event.preventDefault();
    var body = new URLSearchParams(new FormData(form, event.submitter));
    fetch(form.action, { method: 'POST', body: body, headers: { accept: 'application/json' } }).then(function (response) {
      var type = response.headers.get('content-type') || '';
      if (type.indexOf('json') >= 0) return response.json().then(function (answer) { location.replace(answer.next); });
      return response.text().then(function (html) { document.open(); document.write(html); document.close(); });
    }, function () { form.submit(); });
  });
});`;

const STYLE = `
body{font-family:${FONT_STACK};background:#ededed;margin:0;color:#191919}
main{max-width:420px;margin:0 auto;padding:32px 20px}
.card{background:#fff;border-radius:12px;padding:24px;box-shadow:0 1px 3px rgba(0,0,0,.08)}
h1{font-size:18px;margin:0 0 8px}p{color:#555;font-size:14px;line-height:1.5}
.badge{display:inline-block;font-size:12px;color:#fa5151;border:1px solid #fa5151;border-radius:4px;padding:0 6px;margin-bottom:12px}
button{display:block;width:100%;font-size:16px;padding:12px;margin:10px 0 0;border-radius:8px;border:0;cursor:pointer}
.primary{background:#07c160;color:#fff}.secondary{background:#f2f2f2;color:#07c160}.danger{background:#f2f2f2;color:#fa5151}
input[type=text]{width:100%;box-sizing:border-box;font-size:16px;padding:10px;border:1px solid #ddd;border-radius:8px;margin-top:12px}
label{display:block;font-size:14px;color:#555;margin-top:10px}
.users{display:flex;gap:8px;margin-top:12px}.users button{margin:0}
.error{color:#fa5151;font-weight:600}.small{font-size:12px;color:#999}
.refused{color:#fa5151;font-size:14px;margin:12px 0 0}
a{color:#576b95}`;

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">` +
    `<title>${escapeHtml(title)}</title><link rel="icon" href="/favicon.svg" type="image/svg+xml"><style>${STYLE}</style></head>` +
    `<body><main><span class="badge">WeChat emulator · local only</span>${body}</main><script>${REPLACE_SCRIPT}</script></body></html>`;
}

/** Mirrors WeChat's error page: a number and a sentence, no redirect. */
export function errorPage(code: number, text: string): string {
  return page(`Error ${code}`, `<div class="card" data-testid="emu-error"><h1>Error <span data-testid="emu-error-code">${code}</span></h1><p>${escapeHtml(text)}</p></div>`);
}

function hidden(params: AuthorizeParams): string {
  return (Object.entries(params) as [string, string | undefined][])
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value!)}">`)
    .join('');
}

/** What the picker was sent last time, shown again with why it was refused. */
export interface PickerRefusal {
  reason: string;
  name: string;
  placeholder: boolean;
  snapshot: boolean;
}

export function pickerPage(params: AuthorizeParams, appName: string, refusal?: PickerRefusal): string {
  const checked = (on: boolean | undefined) => (on ? ' checked' : '');
  const users = Object.entries(PERSONAS)
    .map(([name, persona]) => `<button type="submit" class="secondary" name="user" value="${name}" data-testid="emu-user-${name}">${escapeHtml(persona.nickname)}</button>`)
    .join('');
  return page(
    'Choose a WeChat user',
    `<div class="card"><h1>Who is using WeChat?</h1>
<p>${escapeHtml(appName)} asks for <strong>${escapeHtml(params.scope)}</strong>. Pick a simulated user; the same name always gets the same openid.</p>
<form method="post" action="/connect/oauth2/authorize/pick" data-replace>${hidden(params)}
<div class="users">${users}</div>
<input type="text" name="name" placeholder="or type any name" maxlength="32" value="${escapeHtml(refusal?.name ?? '')}" data-testid="emu-user-name">
${refusal ? `<p class="refused" role="alert" data-testid="emu-picker-error">${escapeHtml(refusal.reason)}</p>` : ''}
<label><input type="checkbox" name="placeholder" value="1"${checked(refusal?.placeholder)} data-testid="emu-profile-placeholder"> post-2021 placeholder profile ("微信用户", grey avatar)</label>
<label><input type="checkbox" name="snapshot" value="1"${checked(refusal?.snapshot)} data-testid="emu-snapshot"> Moments snapshot visitor (virtual openid, no profile; this visit only)</label>
<button type="submit" class="primary" data-testid="emu-continue">Continue</button>
</form></div>`,
  );
}

export function consentPage(params: AuthorizeParams, appName: string, userLabel: string, switchUrl: string): string {
  return page(
    'Authorize',
    `<div class="card"><h1>${escapeHtml(appName)}</h1>
<p>requests your public profile (nickname and avatar).</p>
<p class="small">Signed in as <strong data-testid="emu-current-user">${escapeHtml(userLabel)}</strong> · <a href="${escapeHtml(switchUrl)}" data-testid="emu-switch-user">switch user</a></p>
<form method="post" action="/connect/oauth2/authorize/decide" data-replace>${hidden(params)}
<button type="submit" class="primary" name="decision" value="allow" data-testid="emu-allow">Allow</button>
<button type="submit" class="danger" name="decision" value="deny" data-testid="emu-deny">Deny</button>
</form></div>`,
  );
}
