/**
 * The simulated WeChat users: stable openids per (app, user), profiles, avatars.
 */
import { createHash } from 'node:crypto';

export type ProfileKind = 'full' | 'placeholder';

export interface SimulatedUser {
  /** The name a tester picked or typed; it decides the openid. */
  name: string;
  profile: ProfileKind;
  /** A "Moments snapshot page" visitor: virtual openid, base scope only. */
  snapshot: boolean;
}

interface Persona {
  nickname: string;
  sex: 0 | 1 | 2;
  province: string;
  city: string;
  country: string;
}

/** The users the authorize page offers; any other name gets a plain profile. */
export const PERSONAS: Record<string, Persona> = {
  alice: { nickname: 'Alice 李', sex: 2, province: 'Guangdong', city: 'Shenzhen', country: 'CN' },
  bob: { nickname: 'Bob 王', sex: 1, province: 'Shanghai', city: 'Shanghai', country: 'CN' },
  carol: { nickname: 'Carol 陈', sex: 2, province: 'Zhejiang', city: 'Hangzhou', country: 'CN' },
};

/** Names are free text from a form; keep them short and printable. */
export function normalizeUserName(raw: string | undefined): string | undefined {
  const name = (raw ?? '').trim().slice(0, 32);
  return name && /^[\p{L}\p{N} _.-]+$/u.test(name) ? name : undefined;
}

function digest(text: string): string {
  return createHash('sha256').update(text).digest('base64url');
}

/** 28 characters starting with "o", like WeChat's; the same user gets the same openid from the same app. */
export function openidFor(appId: string, user: SimulatedUser): string {
  const seed = user.snapshot ? `snapshot:${appId}:${user.name}` : `${appId}:${user.name}`;
  return 'o' + digest(seed).slice(0, 27);
}

/** One unionid per user across every app bound to the same Open Platform account. */
export function unionidFor(user: SimulatedUser): string {
  return 'o' + digest(`union:${user.name}`).slice(0, 27);
}

export interface Profile {
  openid: string;
  nickname: string;
  sex: number;
  province: string;
  city: string;
  country: string;
  headimgurl: string;
  privilege: string[];
  unionid?: string;
}

/**
 * The profile sns/userinfo returns. Since late 2021 many users come back as the placeholder
 * "微信用户" with a grey avatar and no location: that is a success, not an error.
 */
export function profileFor(user: SimulatedUser, openid: string, avatarBase: string, unionid?: string): Profile {
  const persona = PERSONAS[user.name.toLowerCase()];
  const base = user.profile === 'placeholder' || !persona
    ? { nickname: user.profile === 'placeholder' ? '微信用户' : user.name, sex: 0, province: '', city: '', country: '' }
    : persona;
  const avatarSeed = user.profile === 'placeholder' ? 'placeholder' : encodeURIComponent(user.name);
  return {
    openid,
    nickname: base.nickname,
    sex: base.sex,
    province: base.province,
    city: base.city,
    country: base.country,
    headimgurl: `${avatarBase}/__emulator/avatar/${avatarSeed}/132`,
    privilege: [],
    ...(unionid && { unionid }),
  };
}

/** A small SVG avatar, so the demo page shows a picture without reaching the internet. */
export function avatarSvg(seed: string, size: number): string {
  const placeholder = seed === 'placeholder';
  const hue = parseInt(createHash('sha256').update(seed).digest('hex').slice(0, 4), 16) % 360;
  const fill = placeholder ? '#c8c8c8' : `hsl(${hue} 55% 55%)`;
  const letter = placeholder ? '' : escapeXml(decodeURIComponent(seed).slice(0, 1).toUpperCase());
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="0 0 100 100">` +
    `<rect width="100" height="100" fill="${fill}"/>` +
    (placeholder
      ? '<circle cx="50" cy="38" r="18" fill="#f2f2f2"/><ellipse cx="50" cy="88" rx="32" ry="24" fill="#f2f2f2"/>'
      : `<text x="50" y="66" font-size="48" text-anchor="middle" fill="#fff" font-family="sans-serif">${letter}</text>`) +
    '</svg>'
  );
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}
