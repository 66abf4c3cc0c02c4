/**
 * The qrcode group's emulator part: tickets kept with their expiry on the core's clock, at most
 * 100,000 permanent codes per account (the same permanent scene gives back its ticket), and
 * showqrcode, which serves a real QR code image of the ticket's url (on mp.weixin.qq.com in
 * production; the emulator serves both hosts on one address). The simulated phone resolves a
 * scanned ticket to its scene through `qrcodes.resolve`.
 */
import { randomBytes } from 'node:crypto';
import QRCode from 'qrcode';
import { wxError, type Reply } from '../../emulator/core.js';
import type { Clock } from '../../clock.js';
import type { BinaryReply, EmulatorPart, EmulatorPartFactory } from '../../emulator/part.js';
import { isPermanent, isStringScene, QR_KINDS, QR_LIMITS, SHOW_QRCODE_PATH, wechat, type QrKind } from './endpoints.js';

export interface QrTicket {
  appId: string;
  ticket: string;
  action_name: QrKind;
  scene_id?: number;
  scene_str?: string;
  /** What the image encodes: https://weixin.qq.com/q/… */
  url: string;
  /** Epoch ms on the emulator's clock; absent for a permanent code. */
  expiresAt?: number;
}

/** What a scan of a ticket means: the account and scene, and whether the code has expired. */
export interface ScannedTicket {
  appId: string;
  scene_id?: number;
  scene_str?: string;
  permanent: boolean;
  expired: boolean;
  url: string;
}

/** Every account's QR tickets; readable by other code (the simulated phone's scans). */
export class QrTickets {
  private readonly byTicket = new Map<string, QrTicket>();
  private readonly byUrl = new Map<string, string>();
  /** Permanent codes per account, by scene (the same scene gives the same ticket). */
  private readonly permanent = new Map<string, Map<string, QrTicket>>();
  /** WeChat's figure; tests may lower it. */
  permanentLimit: number = QR_LIMITS.permanent;

  constructor(private readonly clock: Clock) {}

  /** A ticket, or the url a phone read from the image, resolved to its account and scene. */
  resolve(ticketOrUrl: string): ScannedTicket | undefined {
    const found = this.byTicket.get(ticketOrUrl) ?? this.byTicket.get(this.byUrl.get(ticketOrUrl) ?? '');
    if (!found) return undefined;
    return {
      appId: found.appId,
      ...(found.scene_id !== undefined && { scene_id: found.scene_id }),
      ...(found.scene_str !== undefined && { scene_str: found.scene_str }),
      permanent: found.expiresAt === undefined,
      expired: found.expiresAt !== undefined && found.expiresAt <= this.clock.now(),
      url: found.url,
    };
  }

  /** A ticket that is known and not expired. */
  live(ticket: string): QrTicket | undefined {
    const found = this.byTicket.get(ticket);
    if (!found || (found.expiresAt !== undefined && found.expiresAt <= this.clock.now())) return undefined;
    return found;
  }

  /** The account's codes that have not expired, oldest first (the phone lists them to scan). */
  liveOf(appId: string): QrTicket[] {
    return [...this.byTicket.values()].filter((one) => one.appId === appId && this.live(one.ticket));
  }

  permanentCount(appId: string): number {
    return this.permanent.get(appId)?.size ?? 0;
  }

  create(appId: string, kind: QrKind, scene: { scene_id?: number; scene_str?: string }, expireSeconds: number): QrTicket | 'full' {
    const key = scene.scene_str !== undefined ? `s:${scene.scene_str}` : `i:${scene.scene_id}`;
    const own = this.permanent.get(appId) ?? new Map<string, QrTicket>();
    if (isPermanent(kind)) {
      const known = own.get(key);
      if (known) return known;
      if (own.size >= this.permanentLimit) return 'full';
    }
    this.sweep();
    const ticket: QrTicket = {
      appId,
      // WeChat's tickets are base64 with + / and =, so they must be URL-encoded: keep that trait.
      ticket: `gQ${randomBytes(46).toString('base64')}`,
      action_name: kind,
      ...scene,
      url: `https://weixin.qq.com/q/${randomBytes(16).toString('base64url')}`,
      ...(!isPermanent(kind) && { expiresAt: this.clock.now() + expireSeconds * 1000 }),
    };
    this.byTicket.set(ticket.ticket, ticket);
    this.byUrl.set(ticket.url, ticket.ticket);
    if (isPermanent(kind)) {
      own.set(key, ticket);
      this.permanent.set(appId, own);
    }
    return ticket;
  }

  reset(): void {
    this.byTicket.clear();
    this.byUrl.clear();
    this.permanent.clear();
    this.permanentLimit = QR_LIMITS.permanent;
  }

  /** Temporary tickets a day past expiry are forgotten (a scan of one still reads as expired until then). */
  private sweep(): void {
    const before = this.clock.now() - 86_400_000;
    for (const [key, ticket] of this.byTicket) {
      if (ticket.expiresAt !== undefined && ticket.expiresAt < before) {
        this.byTicket.delete(key);
        this.byUrl.delete(ticket.url);
      }
    }
  }
}

export interface QrcodeEmulatorPart extends EmulatorPart {
  qrcodes: QrTickets;
}

const invalidAction = () => wxError(40053, 'invalid action info, please check document');

/** The scene WeChat would accept for this kind, or undefined (40053). */
function sceneOf(kind: QrKind, scene: unknown): { scene_id?: number; scene_str?: string } | undefined {
  if (!scene || typeof scene !== 'object') return undefined;
  const { scene_id, scene_str } = scene as Record<string, unknown>;
  if (isStringScene(kind)) {
    return typeof scene_str === 'string' && scene_str.length >= 1 && [...scene_str].length <= QR_LIMITS.sceneStrChars ? { scene_str } : undefined;
  }
  const max = isPermanent(kind) ? QR_LIMITS.permanent : QR_LIMITS.maxTemporarySceneId;
  return typeof scene_id === 'number' && Number.isInteger(scene_id) && scene_id >= 1 && scene_id <= max ? { scene_id } : undefined;
}

export const part: EmulatorPartFactory<QrcodeEmulatorPart> = (core) => {
  const qrcodes = new QrTickets(core.clock);
  core.onReset(() => qrcodes.reset());
  return {
    qrcodes,
    endpoints: [
      {
        ...wechat.create,
        token: 'global',
        dailyQuota: 100_000,
        answer: ({ body, account }): Reply => {
          const kind = body.action_name as QrKind;
          if (!QR_KINDS.includes(kind)) return invalidAction();
          const scene = sceneOf(kind, (body.action_info as { scene?: unknown } | undefined)?.scene);
          if (!scene) return invalidAction();
          let expire: number = QR_LIMITS.defaultExpireSeconds;
          if (!isPermanent(kind) && body.expire_seconds !== undefined) {
            const asked = Number(body.expire_seconds);
            if (!Number.isInteger(asked) || asked < 1) return invalidAction();
            // WeChat caps a longer lifetime at 30 days rather than refusing it.
            expire = Math.min(asked, QR_LIMITS.maxExpireSeconds);
          }
          const ticket = qrcodes.create(account!.app.appId, kind, scene, expire);
          if (ticket === 'full') return wxError(45029, 'qrcode count out of limit');
          return {
            ticket: ticket.ticket,
            ...(ticket.expiresAt !== undefined && { expire_seconds: expire }),
            url: ticket.url,
          };
        },
      },
      {
        method: 'GET',
        path: SHOW_QRCODE_PATH,
        answer: async ({ query }): Promise<BinaryReply> => {
          const ticket = qrcodes.live(query.ticket ?? '');
          if (!ticket) return { binary: Buffer.from('ticket is invalid or expired'), contentType: 'text/plain; charset=utf-8', status: 404 };
          return { binary: await QRCode.toBuffer(ticket.url, { type: 'png', margin: 2, scale: 8 }), contentType: 'image/png' };
        },
      },
    ],
  };
};
