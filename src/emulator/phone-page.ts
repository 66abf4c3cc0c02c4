/**
 * The simulated phone's page: one follower at a time, the account's menu and QR codes, and the
 * chat of everything the account sent that follower. It drives the /__emulator/phone/* controls
 * and polls /__emulator/sent, so replies from any API (customer service, templates) appear too.
 */
export function phonePage(): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>WeChat phone (emulator)</title><link rel="icon" href="/favicon.svg">
<style>
body{font:14px system-ui,sans-serif;margin:0;background:#ededed;display:flex;justify-content:center}
main{width:380px;min-height:100vh;background:#f7f7f7;display:flex;flex-direction:column;border-inline:1px solid #ccc}
header{background:#2e2e2e;color:#fff;padding:10px 12px}
header small{color:#bbb;display:block}
section{padding:8px 12px;border-bottom:1px solid #ddd}
label{display:block;margin:4px 0}
input,select{font:inherit;padding:4px;max-width:100%}
button{font:inherit;padding:4px 10px;margin:2px 2px 2px 0;cursor:pointer}
#chat{flex:1;overflow:auto;padding:10px 12px;min-height:240px}
.msg{max-width:80%;padding:6px 10px;border-radius:6px;margin:6px 0;white-space:pre-wrap;word-break:break-word}
.in{background:#fff}
.out{background:#95ec69;margin-left:auto}
.via{font-size:11px;color:#888;display:block}
#menu{display:flex;border-top:1px solid #ccc;background:#fff}
#menu .top{flex:1;position:relative;text-align:center}
#menu .top>button{width:100%;border:0;background:none;padding:10px 0}
#menu .sub{display:none;position:absolute;bottom:100%;left:0;right:0;background:#fff;border:1px solid #ccc}
#menu .top.open .sub{display:block}
#menu .sub button{display:block;width:100%;border:0;background:none;padding:8px 0}
#status{font-size:12px;color:#555;min-height:1.2em}
.hint{color:#888}
</style></head>
<body><main>
<header><strong id="account">Official Account</strong><small id="server"></small></header>
<section>
  <label>Follower <select id="who" data-testid="who"><option value="">new…</option></select></label>
  <label>Name <input id="name" data-testid="name" placeholder="alice" maxlength="32"></label>
  <button id="follow" data-testid="follow">Follow</button><button id="unfollow" data-testid="unfollow">Unfollow</button>
  <div id="qrcodes"></div>
</section>
<div id="chat" data-testid="chat" aria-live="polite"></div>
<section>
  <input id="text" data-testid="text" placeholder="Message" maxlength="2048"> <button id="send" data-testid="send">Send</button><br>
  <input id="media" placeholder="media_id of an image" size="18"> <button id="image">Send image</button><br>
  <input id="lat" placeholder="latitude" size="8" value="23.134521"> <input id="lng" placeholder="longitude" size="8" value="113.358803">
  <input id="label" placeholder="place" size="10"> <button id="location">Send location</button>
  <div id="status" data-testid="status"></div>
</section>
<nav id="menu" data-testid="menu"></nav>
</main>
<script type="module">
const params = new URLSearchParams(location.search);
const appid = params.get('appid') || 'wx0123456789abcdef';
const $ = (id) => document.getElementById(id);
let state = { followers: [], menu: null, qrcodes: [] };
let openid = params.get('openid') || '';
let lastId = 0;
const mine = [];
const shown = new Set();

const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
const status = (text) => { $('status').textContent = text; };

async function call(action, body) {
  const res = await fetch('/__emulator/phone/' + action, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ appid, ...body }) });
  const out = await res.json();
  if (!res.ok) { status(out.error); return undefined; }
  if (out.openid && out.openid !== openid) switchTo(out.openid);
  status(!out.pushed ? 'Done; the account has no server URL configured, so nothing was pushed'
    : out.reply ? 'Pushed (' + out.tries + (out.tries > 1 ? ' tries' : ' try') + '); the account replied'
    : out.error ? 'Pushed ' + out.tries + ' times: ' + out.error : 'Pushed; the server answered success');
  await refresh();
  return out;
}

function bubble(html, cls, via) {
  const div = document.createElement('div');
  div.className = 'msg ' + cls;
  div.innerHTML = (via ? '<span class="via">' + esc(via) + '</span>' : '') + html;
  $('chat').appendChild(div);
  $('chat').scrollTop = $('chat').scrollHeight;
}

function render(message) {
  const m = message.message || {};
  const type = m.msgtype || (m.template_id ? 'template' : 'message');
  const body = m[type] || {};
  if (type === 'text') return esc(body.content);
  if (type === 'news') return (body.articles || []).map((a) => '<b>' + esc(a.title) + '</b><br>' + esc(a.description)).join('<hr>');
  if (type === 'template') return '<b>Template ' + esc(m.template_id) + '</b><br>' + esc(Object.entries(m.data || {}).map(([k, v]) => k + ': ' + (v && v.value)).join('\\n'));
  if (body.media_id) return '[' + esc(type) + '] ' + esc(body.media_id);
  return '[' + esc(type) + '] ' + esc(JSON.stringify(body));
}

async function poll() {
  if (!openid) return;
  const res = await fetch('/__emulator/sent?appid=' + encodeURIComponent(appid) + '&openid=' + encodeURIComponent(openid) + '&after=' + lastId);
  const { sent } = await res.json();
  for (const message of sent) {
    lastId = Math.max(lastId, message.id);
    if (shown.has(message.id)) continue;
    shown.add(message.id);
    bubble(render(message), 'in', message.via);
  }
}

function renderMenu() {
  const nav = $('menu');
  nav.innerHTML = '';
  if (!state.menu || !state.menu.length) { nav.innerHTML = '<span class="hint" style="padding:10px">no menu</span>'; return; }
  for (const [i, top] of state.menu.entries()) {
    const cell = document.createElement('div');
    cell.className = 'top';
    const button = document.createElement('button');
    button.textContent = top.name;
    cell.appendChild(button);
    if (top.sub_button && top.sub_button.length) {
      const sub = document.createElement('div');
      sub.className = 'sub';
      for (const [j, item] of top.sub_button.entries()) {
        const b = document.createElement('button');
        b.textContent = item.name;
        b.onclick = () => { cell.classList.remove('open'); tap(item, i, j); };
        sub.appendChild(b);
      }
      cell.appendChild(sub);
      button.onclick = () => cell.classList.toggle('open');
    } else button.onclick = () => tap(top, i);
    nav.appendChild(cell);
  }
}

async function tap(button, top, sub) {
  if (!openid) return status('Follow the account first');
  bubble('[tapped ' + esc(button.name) + ']', 'out');
  await call('tap', { openid, top, sub });
  await poll();
}

async function refresh() {
  // The menu shown is the one this follower sees (a conditional menu when its rule matches).
  state = await (await fetch('/__emulator/phone/state?appid=' + encodeURIComponent(appid) + (openid ? '&openid=' + encodeURIComponent(openid) : ''))).json();
  $('account').textContent = 'Official Account ' + appid;
  $('server').textContent = state.server ? 'server URL ' + state.server.url + (state.server.safeMode ? ' (safe mode)' : ' (plaintext)') : 'no server URL configured: actions are not pushed';
  const who = $('who');
  who.innerHTML = '<option value="">new…</option>' + state.followers.map((f) => '<option value="' + esc(f.openid) + '"' + (f.openid === openid ? ' selected' : '') + '>' + esc(f.name) + (f.subscribed ? '' : ' (not following)') + '</option>').join('');
  const current = state.followers.find((f) => f.openid === openid);
  if (current) $('name').value = current.name;
  $('qrcodes').innerHTML = state.qrcodes.length
    ? 'QR codes: ' + state.qrcodes.map((q) => '<button data-ticket="' + esc(q.ticket) + '" data-testid="scan">Scan “' + esc(q.sceneStr ?? q.sceneId) + '”</button>').join('')
    : '<span class="hint">no QR codes (make one with /qrcode/create)</span>';
  for (const b of $('qrcodes').querySelectorAll('button')) b.onclick = () => scan(b.dataset.ticket);
  renderMenu();
}

async function scan(ticket) {
  const user = $('name').value.trim();
  if (!user) return status('Type a name first');
  bubble('[scanned a QR code]', 'out');
  await call('scan', { user, ticket });
  await poll();
}

/** The follower shown; kept in the address so a reload shows the same chat. */
function switchTo(id) {
  openid = id;
  const url = new URL(location.href);
  if (id) url.searchParams.set('openid', id); else url.searchParams.delete('openid');
  history.replaceState(null, '', url);
  lastId = 0;
  shown.clear();
  $('chat').innerHTML = '';
}

$('who').onchange = () => { switchTo($('who').value); if (!openid) $('name').value = ''; refresh().then(poll); };
$('follow').onclick = async () => {
  const user = $('name').value.trim();
  if (!user) return status('Type a name first');
  await call('follow', { user });
  await poll();
};
$('unfollow').onclick = () => openid ? call('unfollow', { openid }) : status('Pick a follower');
const send = async (action, body, shownAs) => {
  if (!openid) return status('Follow the account first');
  bubble(shownAs, 'out');
  await call(action, { openid, ...body });
  await poll();
};
$('send').onclick = () => { const content = $('text').value; if (content) { $('text').value = ''; send('text', { content }, esc(content)); } };
$('text').onkeydown = (e) => { if (e.key === 'Enter') $('send').click(); };
$('image').onclick = () => { const mediaId = $('media').value.trim(); if (mediaId) send('image', { mediaId }, '[image] ' + esc(mediaId)); };
$('location').onclick = () => send('location', { x: Number($('lat').value), y: Number($('lng').value), label: $('label').value }, '[location] ' + esc($('label').value || $('lat').value + ', ' + $('lng').value));

await refresh();
await poll();
setInterval(poll, 1000);
</script>
</body></html>`;
}
