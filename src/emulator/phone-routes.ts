/**
 * The phone's HTTP side: the account's server configuration, each phone action and the phone page.
 */
import type { Context, Hono } from 'hono';
import { ENCODING_AES_KEY_PATTERN } from '../apis/callback/crypto.js';
import type { EmulatorCore } from './core.js';
import { phonePage } from './phone-page.js';
import { PhoneError, type Phone, type PushResult } from './phone.js';
import { normalizeUserName } from './users.js';

type Body = Record<string, unknown>;
const str = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
const index = (value: unknown): number | undefined => (Number.isSafeInteger(value) && (value as number) >= 0 ? (value as number) : undefined);
const num = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)) ? Number(value) : undefined);

export function mountPhone(app: Hono, core: EmulatorCore, phone: Phone): void {
  const read = async (c: Context): Promise<Body> => {
    const body: unknown = await c.req.json().catch(() => ({}));
    return typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Body) : {};
  };
  const bad = (c: Context, error: string) => c.json({ error }, 400);

  /** An action on the phone: its push result, or 400 with what was wrong. */
  const act = (name: string, run: (body: Body, appId: string) => Promise<PushResult> | string) =>
    app.post(`/__emulator/phone/${name}`, async (c) => {
      const body = await read(c);
      const appId = str(body.appid);
      if (!appId || !core.hasApp(appId)) return bad(c, 'need {appid} of a known account');
      try {
        const result = await run(body, appId);
        return typeof result === 'string' ? bad(c, result) : c.json(result);
      } catch (error) {
        if (error instanceof PhoneError) return bad(c, error.message);
        throw error;
      }
    });

  app.post('/__emulator/server', async (c) => {
    const body = await read(c);
    const appId = str(body.appid);
    if (!appId || !core.hasApp(appId)) return bad(c, 'need {appid} of a known account');
    if (body.url === null) {
      phone.configure(appId, undefined);
      return c.json({ ok: true, server: null });
    }
    const url = str(body.url);
    const token = str(body.token);
    const key = str(body.encodingAESKey);
    if (!url || !/^https?:\/\//.test(url) || !token) return bad(c, 'need {appid, url (http or https), token, encodingAESKey?}');
    if (key && !ENCODING_AES_KEY_PATTERN.test(key)) return bad(c, 'encodingAESKey must be 43 letters and digits');
    phone.configure(appId, { url, token, encodingAESKey: key });
    return c.json({ ok: true, server: { url, safeMode: Boolean(key) } });
  });

  app.get('/__emulator/phone/state', (c) => {
    const appId = c.req.query('appid') ?? '';
    const openid = c.req.query('openid') || undefined;
    const server = phone.server(appId);
    return c.json({
      appid: appId,
      server: server ? { url: server.url, safeMode: Boolean(server.encodingAESKey) } : null,
      followers: core.audience.all(appId).map(({ openid, name, subscribed }) => ({ openid, name, subscribed })),
      menu: phone.menu(appId, openid) ?? null,
      qrcodes: phone.qrcodes(appId),
    });
  });

  act('follow', (body, appId) => {
    const name = normalizeUserName(str(body.user));
    return name ? phone.follow(appId, name) : 'need {appid, user}: a name of letters, digits, spaces, "_", "." or "-"';
  });
  act('unfollow', (body, appId) => (str(body.openid) ? phone.unfollow(appId, str(body.openid)!) : 'need {appid, openid}'));
  act('scan', (body, appId) => {
    const name = normalizeUserName(str(body.user));
    const ticket = str(body.ticket);
    return name && ticket ? phone.scan(appId, name, ticket) : 'need {appid, user, ticket}';
  });
  act('text', (body, appId) => {
    const openid = str(body.openid);
    const content = str(body.content);
    return openid && content ? phone.text(appId, openid, content.slice(0, 2048)) : 'need {appid, openid, content}';
  });
  act('image', (body, appId) => {
    const openid = str(body.openid);
    const mediaId = str(body.mediaId);
    return openid && mediaId ? phone.image(appId, openid, mediaId.slice(0, 256)) : 'need {appid, openid, mediaId}';
  });
  act('location', (body, appId) => {
    const openid = str(body.openid);
    const [x, y] = [num(body.x), num(body.y)];
    if (!openid || x === undefined || y === undefined || Math.abs(x) > 90 || Math.abs(y) > 180) return 'need {appid, openid, x (latitude), y (longitude), scale?, label?}';
    return phone.location(appId, openid, { x, y, scale: num(body.scale), label: str(body.label)?.slice(0, 256) });
  });
  act('tap', (body, appId) => {
    const openid = str(body.openid);
    const [top, sub] = [index(body.top), index(body.sub)];
    if (!openid || top === undefined || (body.sub !== undefined && sub === undefined)) return 'need {appid, openid, top, sub?}: the button\'s place, counted from 0';
    return phone.tap(appId, openid, top, sub);
  });

  app.get('/__emulator/phone', (c) => c.html(phonePage()));
}
