/**
 * The emulated account's followers and everything the account sent them, shared by every API
 * group that reads or writes them (users and tags, customer service, template, subscription
 * and mass messages, menus, QR codes) and by the simulated phone, which follows, talks and scans.
 *
 * A follower's openid is the one the OAuth pages give the same user name, so a person who signed
 * in on a page and then follows the account is one person in both. Time comes from the core's
 * clock; nothing here sleeps.
 */
import type { Clock } from '../clock.js';
import { openidFor } from './users.js';

/** How a user came to follow, as user/info reports it. */
export type SubscribeScene =
  | 'ADD_SCENE_SEARCH'
  | 'ADD_SCENE_QR_CODE'
  | 'ADD_SCENE_PROFILE_CARD'
  | 'ADD_SCENE_PROFILE_LINK'
  | 'ADD_SCENE_OTHERS';

/**
 * What opens a customer-service window (wechat-oa-api.md §5.1): a message allows 5 sends in
 * 48 hours; a menu click, a follow or a QR scan allows 3 in one minute.
 */
export type Interaction = 'message' | 'click' | 'follow' | 'scan';

const WINDOWS: Record<Interaction, { ms: number; sends: number }> = {
  message: { ms: 48 * 3600_000, sends: 5 },
  click: { ms: 60_000, sends: 3 },
  follow: { ms: 60_000, sends: 3 },
  scan: { ms: 60_000, sends: 3 },
};

interface KefuWindow {
  until: number;
  remaining: number;
}

export interface Follower {
  openid: string;
  /** The simulated person's name (the OAuth pages' user name). */
  name: string;
  subscribed: boolean;
  /** Unix seconds of the latest follow. */
  subscribeTime: number;
  scene: SubscribeScene;
  qrScene: number;
  qrSceneStr: string;
  remark: string;
  tagIds: number[];
  blacklisted: boolean;
  language: string;
  /** Subscription-notification templates this user accepted (one send each), by template id. */
  accepted: Map<string, number>;
  windows: KefuWindow[];
  /** When the user last sent a message or tapped something (customer-service typing needs one within 30 s). */
  lastInteractionAt?: number;
}

/** What reached a follower's chat, whichever API sent it. */
export interface SentMessage {
  id: number;
  appId: string;
  openid: string;
  /** Which door it came through. */
  via: 'passive' | 'kefu' | 'template' | 'subscribe' | 'mass' | 'preview';
  /** Epoch milliseconds on the emulator's clock. */
  at: number;
  /** WeChat's message body as the API received it (msgtype and its object, or the template data). */
  message: Record<string, unknown>;
}

export type KefuCheck = { ok: true } | { ok: false; errcode: 45015 | 45047 };

/** Every account's messages kept together, the oldest dropped past this many. */
const OUTBOX_LIMIT = 10_000;

export interface FollowOptions {
  scene?: SubscribeScene;
  qrScene?: number;
  qrSceneStr?: string;
  language?: string;
}

export class Audience {
  private readonly followers = new Map<string, Map<string, Follower>>();
  private readonly outbox: SentMessage[] = [];
  private nextId = 1;

  constructor(private readonly clock: Clock) {}

  /** The account's followers and former followers, in the order they first followed. */
  all(appId: string): Follower[] {
    return [...this.of(appId).values()];
  }

  get(appId: string, openid: string): Follower | undefined {
    return this.of(appId).get(openid);
  }

  /** The openid the account knows the user named `name` by, followed or not. */
  openidOf(appId: string, name: string): string {
    return openidFor(appId, { name, profile: 'full', snapshot: false });
  }

  /** The follower named `name` follows (again); a new follow opens a customer-service window. */
  follow(appId: string, name: string, options: FollowOptions = {}): Follower {
    const openid = this.openidOf(appId, name);
    const known = this.of(appId).get(openid);
    const follower: Follower = known ?? {
      openid,
      name,
      subscribed: false,
      subscribeTime: 0,
      scene: 'ADD_SCENE_OTHERS',
      qrScene: 0,
      qrSceneStr: '',
      remark: '',
      tagIds: [],
      blacklisted: false,
      language: options.language ?? 'zh_CN',
      accepted: new Map(),
      windows: [],
    };
    follower.subscribed = true;
    follower.subscribeTime = Math.floor(this.clock.now() / 1000);
    follower.scene = options.scene ?? (options.qrScene || options.qrSceneStr ? 'ADD_SCENE_QR_CODE' : 'ADD_SCENE_SEARCH');
    follower.qrScene = options.qrScene ?? 0;
    follower.qrSceneStr = options.qrSceneStr ?? '';
    this.of(appId).set(openid, follower);
    this.interact(appId, openid, 'follow');
    return follower;
  }

  /** Unfollowing closes every window and withdraws accepted subscriptions; remark and tags stay. */
  unfollow(appId: string, openid: string): void {
    const follower = this.get(appId, openid);
    if (!follower) return;
    follower.subscribed = false;
    follower.windows = [];
    follower.accepted.clear();
  }

  /** The user did something that lets the account answer through customer service. */
  interact(appId: string, openid: string, kind: Interaction): void {
    const follower = this.get(appId, openid);
    if (!follower?.subscribed) return;
    const now = this.clock.now();
    const window = WINDOWS[kind];
    follower.windows = follower.windows.filter((open) => open.until > now);
    follower.windows.push({ until: now + window.ms, remaining: window.sends });
    follower.lastInteractionAt = now;
  }

  /** The user accepted one subscription notification of this template (a tap in the page's dialog). */
  accept(appId: string, openid: string, templateId: string): void {
    const follower = this.get(appId, openid);
    if (!follower) return;
    follower.accepted.set(templateId, (follower.accepted.get(templateId) ?? 0) + 1);
  }

  /** Uses one accepted notification; false when the user accepted none (43101). */
  takeAcceptance(appId: string, openid: string, templateId: string): boolean {
    const follower = this.get(appId, openid);
    const left = follower?.accepted.get(templateId) ?? 0;
    if (!follower || left <= 0) return false;
    if (left === 1) follower.accepted.delete(templateId);
    else follower.accepted.set(templateId, left - 1);
    return true;
  }

  /** Spends one customer-service send from the open window that closes first. */
  takeKefuSend(appId: string, openid: string): KefuCheck {
    const follower = this.get(appId, openid);
    const now = this.clock.now();
    const open = (follower?.windows ?? []).filter((window) => window.until > now).sort((a, b) => a.until - b.until);
    if (!open.length) return { ok: false, errcode: 45015 };
    const usable = open.find((window) => window.remaining > 0);
    if (!usable) return { ok: false, errcode: 45047 };
    usable.remaining -= 1;
    return { ok: true };
  }

  /** Records a message that reached a follower's chat. */
  deliver(appId: string, openid: string, via: SentMessage['via'], message: Record<string, unknown>): SentMessage {
    const sent: SentMessage = { id: this.nextId++, appId, openid, via, at: this.clock.now(), message };
    this.outbox.push(sent);
    if (this.outbox.length > OUTBOX_LIMIT) this.outbox.splice(0, this.outbox.length - OUTBOX_LIMIT);
    return sent;
  }

  /** What the account sent, to one follower or to all, oldest first; `after` for what is new since an id. */
  sent(appId: string, openid?: string, after = 0): SentMessage[] {
    return this.outbox.filter((sent) => sent.appId === appId && sent.id > after && (openid === undefined || sent.openid === openid));
  }

  reset(): void {
    this.followers.clear();
    this.outbox.length = 0;
  }

  private of(appId: string): Map<string, Follower> {
    let map = this.followers.get(appId);
    if (!map) {
      map = new Map();
      this.followers.set(appId, map);
    }
    return map;
  }
}
