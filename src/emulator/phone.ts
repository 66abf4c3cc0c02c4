/**
 * The simulated WeChat phone: a follower who follows, talks, taps the menu and scans QR codes,
 * each action pushed to the account's server URL as WeChat pushes it (signature, safe mode when
 * the account's EncodingAESKey is known, a 5-second timeout, three tries with the same MsgId),
 * and the passive reply put in the follower's chat. The account's server configuration (URL,
 * token, key) is set per account, as on the platform.
 */
import { randomInt } from 'node:crypto';
import { MessageCipher, signature } from '../apis/callback/crypto.js';
import { buildXml, parseXml, type XmlNode, type XmlOut } from '../apis/callback/xml.js';
import type { Follower, Interaction } from './audience.js';
import type { EmulatorCore } from './core.js';

/** The platform's server configuration for one account. */
export interface ServerConfig {
  url: string;
  token: string;
  /** Set: pushes are in safe mode. */
  encodingAESKey?: string;
}

/** A button of the menu a follower sees, as the menu group keeps it. */
export interface MenuButton {
  type?: string;
  name: string;
  key?: string;
  url?: string;
  sub_button?: MenuButton[];
}

/** What a scanned QR code means, as the qrcode group resolves its ticket. */
export interface QrCode {
  ticket: string;
  sceneId?: number;
  sceneStr?: string;
  expired: boolean;
}

/**
 * Where the phone reads the account's menu and QR codes: the menu and qrcode groups' parts.
 */
export interface PhoneSources {
  /** The menu this follower sees (the default menu without an openid). */
  menu(appId: string, openid?: string): MenuButton[] | undefined;
  /** The button at [top] or [top, sub] of the menu this follower sees. */
  button(appId: string, openid: string, top: number, sub?: number): MenuButton | undefined;
  /** The account's code with this ticket; undefined when unknown or another account's. */
  qrcode(appId: string, ticket: string): QrCode | undefined;
  /** The account's codes that have not expired, for the phone page to scan. */
  qrcodes(appId: string): QrCode[];
}

/** What became of one push. */
export interface PushResult {
  openid: string;
  /** False when the account has no server configured: the action happened, nothing was pushed. */
  pushed: boolean;
  tries: number;
  /** The server's last HTTP status, or the reason no answer came. */
  status?: number;
  error?: string;
  msgId?: string;
  /** The passive reply as it reached the chat; absent for `success` or an empty answer. */
  reply?: Record<string, unknown>;
}

export class PhoneError extends Error {}

/** WeChat waits this long for an answer before trying again. */
export const PUSH_TIMEOUT_MS = 5000;
export const PUSH_TRIES = 3;

export class Phone {
  private readonly servers = new Map<string, ServerConfig>();
  private nextMsgId = BigInt(24_000_000_000_000_000) + BigInt(randomInt(1_000_000));

  constructor(
    private readonly core: EmulatorCore,
    private readonly sources: PhoneSources,
    private readonly timeoutMs = PUSH_TIMEOUT_MS,
  ) {}

  configure(appId: string, server: ServerConfig | undefined): void {
    if (server) this.servers.set(appId, server);
    else this.servers.delete(appId);
  }

  server(appId: string): ServerConfig | undefined {
    return this.servers.get(appId);
  }

  menu(appId: string, openid?: string): MenuButton[] | undefined {
    return this.sources.menu(appId, openid);
  }

  qrcodes(appId: string): QrCode[] {
    return this.sources.qrcodes(appId);
  }

  /** The user named `name` follows from a search (or a shared card). */
  follow(appId: string, name: string): Promise<PushResult> {
    this.account(appId);
    const follower = this.core.audience.follow(appId, name);
    return this.push(appId, follower, 'follow', { MsgType: 'event', Event: 'subscribe', EventKey: '' });
  }

  unfollow(appId: string, openid: string): Promise<PushResult> {
    const follower = this.follower(appId, openid);
    this.core.audience.unfollow(appId, openid);
    return this.push(appId, follower, undefined, { MsgType: 'event', Event: 'unsubscribe', EventKey: '' });
  }

  /** Scans a QR code: a follow with `qrscene_` when not following, SCAN when following. */
  scan(appId: string, name: string, ticket: string): Promise<PushResult> {
    this.account(appId);
    const code = this.sources.qrcode(appId, ticket);
    if (!code || code.expired) throw new PhoneError('this QR code is unknown or has expired');
    const scene = code.sceneStr ?? String(code.sceneId ?? '');
    const known = this.core.audience.get(appId, this.core.audience.openidOf(appId, name));
    if (known?.subscribed) return this.push(appId, known, 'scan', { MsgType: 'event', Event: 'SCAN', EventKey: scene, Ticket: ticket });
    const follower = this.core.audience.follow(appId, name, code.sceneStr !== undefined ? { qrSceneStr: code.sceneStr } : { qrScene: code.sceneId });
    return this.push(appId, follower, 'follow', { MsgType: 'event', Event: 'subscribe', EventKey: `qrscene_${scene}`, Ticket: ticket });
  }

  text(appId: string, openid: string, content: string): Promise<PushResult> {
    return this.message(appId, openid, { MsgType: 'text', Content: content });
  }

  /** An image the user sent, by the media id it was stored under. */
  image(appId: string, openid: string, mediaId: string): Promise<PushResult> {
    return this.message(appId, openid, { MsgType: 'image', PicUrl: `http://mmbiz.qpic.cn/emulator/${encodeURIComponent(mediaId)}`, MediaId: mediaId });
  }

  location(appId: string, openid: string, at: { x: number; y: number; scale?: number; label?: string }): Promise<PushResult> {
    return this.message(appId, openid, { MsgType: 'location', Location_X: at.x, Location_Y: at.y, Scale: at.scale ?? 15, Label: at.label ?? '' });
  }

  /** Taps the button at [top] or [top, sub] of the menu this follower sees: CLICK with its key, VIEW with its URL. */
  tap(appId: string, openid: string, top: number, sub?: number): Promise<PushResult> {
    const follower = this.follower(appId, openid, true);
    const found = this.sources.button(appId, openid, top, sub);
    if (!found) throw new PhoneError("the menu this follower sees has no button there");
    if (found.type === 'click') return this.push(appId, follower, 'click', { MsgType: 'event', Event: 'CLICK', EventKey: found.key ?? '' });
    if (found.type === 'view') return this.push(appId, follower, 'click', { MsgType: 'event', Event: 'VIEW', EventKey: found.url ?? '' });
    throw new PhoneError(found.sub_button ? 'that button opens a sub-menu: tap one of its items' : `the phone taps click and view buttons; a ${found.type} button is not simulated`);
  }

  private message(appId: string, openid: string, fields: Record<string, XmlOut>): Promise<PushResult> {
    const follower = this.follower(appId, openid, true);
    this.nextMsgId += 1n;
    return this.push(appId, follower, 'message', { ...fields, MsgId: this.nextMsgId.toString() });
  }

  private account(appId: string): void {
    if (!this.core.hasApp(appId)) throw new PhoneError('appid is not a known account');
  }

  private follower(appId: string, openid: string, mustFollow = false): Follower {
    const follower = this.core.audience.get(appId, openid);
    if (!follower) throw new PhoneError('no such follower');
    if (mustFollow && !follower.subscribed) throw new PhoneError('only a follower can message the account: follow it first');
    return follower;
  }

  /** One action as WeChat pushes it; the customer-service window opens for the kinds that open one. */
  private async push(appId: string, follower: Follower, interaction: Interaction | undefined, fields: Record<string, XmlOut>): Promise<PushResult> {
    if (interaction && interaction !== 'follow') this.core.audience.interact(appId, follower.openid, interaction);
    const msgId = typeof fields.MsgId === 'string' ? fields.MsgId : undefined;
    const server = this.servers.get(appId);
    if (!server) return { openid: follower.openid, pushed: false, tries: 0, msgId };
    const createTime = Math.floor(this.core.clock.now() / 1000);
    const xml = buildXml('xml', { ToUserName: originalId(appId), FromUserName: follower.openid, CreateTime: createTime, ...fields });
    const result: PushResult = { openid: follower.openid, pushed: true, tries: 0, msgId };
    const cipher = server.encodingAESKey ? new MessageCipher(server.encodingAESKey, appId) : undefined;
    // Each try is signed afresh; the message inside, MsgId and CreateTime included, stays the same.
    while (result.tries < PUSH_TRIES) {
      result.tries += 1;
      const answer = await this.send(server, cipher, follower.openid, xml);
      result.status = answer.status;
      result.error = answer.error;
      if (answer.body === undefined) continue;
      const reply = answer.body.trim() === '' || answer.body.trim() === 'success' ? undefined : this.read(answer.body, cipher);
      if (reply === null) {
        result.error = 'the answer was neither success nor a reply WeChat can read';
        return result;
      }
      if (reply) result.reply = this.core.audience.deliver(appId, follower.openid, 'passive', reply).message;
      return result;
    }
    return result;
  }

  private async send(server: ServerConfig, cipher: MessageCipher | undefined, openid: string, xml: string): Promise<{ status?: number; body?: string; error?: string }> {
    const timestamp = String(Math.floor(this.core.clock.now() / 1000));
    const nonce = String(randomInt(100_000_000, 1_000_000_000));
    const query = new URLSearchParams({ signature: signature(server.token, timestamp, nonce), timestamp, nonce, openid });
    let body = xml;
    if (cipher) {
      const encrypt = cipher.encrypt(xml);
      query.set('encrypt_type', 'aes');
      query.set('msg_signature', signature(server.token, timestamp, nonce, encrypt));
      body = buildXml('xml', { ToUserName: /<ToUserName><!\[CDATA\[([^\]]*)/.exec(xml)?.[1] ?? '', Encrypt: encrypt });
    }
    const target = new URL(server.url);
    for (const [key, value] of query) target.searchParams.set(key, value);
    try {
      const response = await fetch(target, { method: 'POST', headers: { 'content-type': 'text/xml' }, body, signal: AbortSignal.timeout(this.timeoutMs) });
      const text = await response.text();
      // WeChat treats anything but a 200 as no answer and tries again.
      return response.status === 200 ? { status: 200, body: text } : { status: response.status, error: `HTTP ${response.status}` };
    } catch (error) {
      return { error: (error as Error).name === 'TimeoutError' ? `no answer within ${this.timeoutMs} ms` : 'the server could not be reached' };
    }
  }

  /** A passive reply as the chat shows it (the customer-service message shape); null when unreadable. */
  private read(body: string, cipher: MessageCipher | undefined): Record<string, unknown> | null | undefined {
    let root: XmlNode;
    try {
      root = parseXml(body);
      if (typeof root.Encrypt === 'string') {
        if (!cipher) return null;
        root = parseXml(cipher.decrypt(root.Encrypt));
      }
    } catch {
      return null;
    }
    return passiveMessage(root);
  }
}

/** The account's original id (gh_…) as WeChat puts it in ToUserName. */
export const originalId = (appId: string): string => `gh_${appId.replace(/^wx/, '').slice(0, 12)}`;

const field = (node: XmlNode | undefined, name: string): string | undefined => (node && typeof node[name] === 'string' ? (node[name] as string) : undefined);
const child = (node: XmlNode, name: string): XmlNode | undefined => (typeof node[name] === 'object' && !Array.isArray(node[name]) ? (node[name] as XmlNode) : undefined);

function passiveMessage(root: XmlNode): Record<string, unknown> | null | undefined {
  switch (field(root, 'MsgType')) {
    case 'text':
      return { msgtype: 'text', text: { content: field(root, 'Content') ?? '' } };
    case 'image':
      return { msgtype: 'image', image: { media_id: field(child(root, 'Image'), 'MediaId') } };
    case 'voice':
      return { msgtype: 'voice', voice: { media_id: field(child(root, 'Voice'), 'MediaId') } };
    case 'video': {
      const video = child(root, 'Video');
      return { msgtype: 'video', video: { media_id: field(video, 'MediaId'), title: field(video, 'Title'), description: field(video, 'Description') } };
    }
    case 'music': {
      const music = child(root, 'Music');
      return {
        msgtype: 'music',
        music: { title: field(music, 'Title'), description: field(music, 'Description'), musicurl: field(music, 'MusicUrl'), hqmusicurl: field(music, 'HQMusicUrl'), thumb_media_id: field(music, 'ThumbMediaId') },
      };
    }
    case 'news': {
      const items = child(root, 'Articles')?.item;
      const list = (Array.isArray(items) ? items : items ? [items] : []) as XmlNode[];
      return { msgtype: 'news', news: { articles: list.map((a) => ({ title: field(a, 'Title'), description: field(a, 'Description'), url: field(a, 'Url'), picurl: field(a, 'PicUrl') })) } };
    }
    case 'transfer_customer_service':
      // Handed to a customer-service agent: nothing reaches the chat yet.
      return undefined;
    default:
      return null;
  }
}
