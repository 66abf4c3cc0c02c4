/**
 * The mass-send emulator part (§8.1): sends to 2 to 10,000 openids or by tag or to everyone,
 * followers only, each user at most 4 a calendar month (the rest skipped, as WeChat's job does);
 * clientmsgid idempotence (45065, 45066 within a minute); jobs for mass/get and delete; the speed;
 * previews (by WeChat ID 100 a day). Every message that reaches a chat goes to the audience's
 * outbox. Other code reads the jobs through `part.mass.jobs(appId)`.
 * Template sends are answered by the template group's part, which holds the templates.
 */
import type { Clock } from '../../clock.js';
import { wxError, type Reply } from '../../emulator/core.js';
import type { Follower } from '../../emulator/audience.js';
import type { EmulatorPart, EmulatorPartFactory } from '../../emulator/part.js';
import { wechat } from './endpoints.js';

export const MONTHLY_PER_USER = 4;
export const PREVIEW_BY_NAME_DAILY = 100;
const CLIENTMSGID_RETRY_MS = 60_000;
/** realspeed (ten-thousands a minute) of each speed setting. */
const REALSPEED = [80, 60, 45, 30, 10];

export interface MassJob {
  msg_id: number;
  msg_data_id?: number;
  msgtype: string;
  status: 'SEND_SUCCESS' | 'SENDING' | 'SEND_FAIL' | 'DELETE';
  /** The openids it reached; the others were not following, blacklisted or past their monthly 4. */
  delivered: string[];
  skipped: string[];
  clientmsgid?: string;
  at: number;
}

interface AccountMass {
  jobs: Map<number, MassJob>;
  clientIds: Map<string, MassJob>;
  /** openid → broadcasts received, for the current month key. */
  monthly: Map<string, number>;
  monthKey: string;
  speed: number;
  previewsByName: Map<string, number>;
}

export class MassState {
  private readonly byAccount = new Map<string, AccountMass>();
  private nextId = 1_000_001;

  constructor(private readonly clock: Clock) {}

  jobs(appId: string): MassJob[] {
    return [...this.of(appId).jobs.values()];
  }

  job(appId: string, msgId: number): MassJob | undefined {
    return this.of(appId).jobs.get(msgId);
  }

  /** How many broadcasts a user received this month. */
  receivedThisMonth(appId: string, openid: string): number {
    return this.month(appId).get(openid) ?? 0;
  }

  speed(appId: string): number {
    return this.of(appId).speed;
  }

  setSpeed(appId: string, speed: number): void {
    this.of(appId).speed = speed;
  }

  byClientId(appId: string, clientmsgid: string): MassJob | undefined {
    return this.of(appId).clientIds.get(clientmsgid);
  }

  /** Counts one preview by WeChat ID today; false past the day's 100. */
  takePreviewByName(appId: string): boolean {
    const day = String(Math.floor((this.clock.now() + 8 * 3600_000) / 86_400_000));
    const counts = this.of(appId).previewsByName;
    const used = counts.get(day) ?? 0;
    if (used >= PREVIEW_BY_NAME_DAILY) return false;
    counts.clear();
    counts.set(day, used + 1);
    return true;
  }

  /** Sends to those of `followers` who may still receive one this month. */
  run(appId: string, followers: Follower[], msgtype: string, clientmsgid: string | undefined, deliver: (openid: string) => void): MassJob {
    const month = this.month(appId);
    const delivered: string[] = [];
    const skipped: string[] = [];
    for (const follower of followers) {
      const received = month.get(follower.openid) ?? 0;
      if (!follower.subscribed || follower.blacklisted || received >= MONTHLY_PER_USER) {
        skipped.push(follower.openid);
        continue;
      }
      month.set(follower.openid, received + 1);
      deliver(follower.openid);
      delivered.push(follower.openid);
    }
    const id = this.nextId++;
    const job: MassJob = {
      msg_id: id,
      ...(msgtype === 'mpnews' && { msg_data_id: 2_000_000_000 + id }),
      msgtype,
      status: 'SEND_SUCCESS',
      delivered,
      skipped,
      clientmsgid,
      at: this.clock.now(),
    };
    const account = this.of(appId);
    account.jobs.set(id, job);
    if (clientmsgid !== undefined) account.clientIds.set(clientmsgid, job);
    return job;
  }

  clear(): void {
    this.byAccount.clear();
  }

  /** The month's counts (UTC+8 calendar month), started afresh when the month turns. */
  private month(appId: string): Map<string, number> {
    const account = this.of(appId);
    const key = new Date(this.clock.now() + 8 * 3600_000).toISOString().slice(0, 7);
    if (account.monthKey !== key) {
      account.monthKey = key;
      account.monthly.clear();
    }
    return account.monthly;
  }

  private of(appId: string): AccountMass {
    let account = this.byAccount.get(appId);
    if (!account) {
      account = { jobs: new Map(), clientIds: new Map(), monthly: new Map(), monthKey: '', speed: 0, previewsByName: new Map() };
      this.byAccount.set(appId, account);
    }
    return account;
  }
}

export interface MessageEmulatorPart extends EmulatorPart {
  mass: MassState;
}

const OK = { errcode: 0, errmsg: 'ok' };
const MSGTYPES = new Set(['mpnews', 'text', 'voice', 'image', 'mpvideo', 'wxcard']);

/** The message as it reaches a chat: msgtype and its object. */
function messageOf(body: Record<string, unknown>): Record<string, unknown> {
  const msgtype = String(body.msgtype);
  const object = body[msgtype] ?? (msgtype === 'image' ? body.images : undefined);
  return { msgtype, [msgtype]: object };
}

/** 40008 / -1 as WeChat answers a message it cannot read; undefined when it can. */
function messageProblem(body: Record<string, unknown>): Reply | undefined {
  if (!MSGTYPES.has(String(body.msgtype))) return wxError(40008, 'invalid message type');
  if (messageOf(body)[String(body.msgtype)] === undefined) return wxError(-1, 'system error');
  return undefined;
}

export const part: EmulatorPartFactory<MessageEmulatorPart> = (core) => {
  const mass = new MassState(core.clock);
  core.onReset(() => mass.clear());

  /** 45065 / 45066 for a clientmsgid already used, or the job. */
  const send = (appId: string, body: Record<string, unknown>, followers: Follower[]): Reply => {
    const clientmsgid = typeof body.clientmsgid === 'string' ? body.clientmsgid : undefined;
    if (clientmsgid !== undefined) {
      if (Buffer.byteLength(clientmsgid) > 64) return wxError(45067, 'clientmsgid size out of limit');
      const earlier = mass.byClientId(appId, clientmsgid);
      if (earlier && core.clock.now() - earlier.at < CLIENTMSGID_RETRY_MS) return wxError(45066, 'clientmsgid retry too fast');
      if (earlier) return { ...wxError(45065, 'clientmsgid exist'), msg_id: earlier.msg_id };
    }
    const message = messageOf(body);
    const job = mass.run(appId, followers, String(body.msgtype), clientmsgid, (openid) => core.audience.deliver(appId, openid, 'mass', message));
    return { errcode: 0, errmsg: 'send job submission success', msg_id: job.msg_id, ...(job.msg_data_id && { msg_data_id: job.msg_data_id }) };
  };

  return {
    mass,
    endpoints: [
      {
        ...wechat.massSend,
        token: 'global',
        dailyQuota: 100,
        answer: ({ account, body }) => {
          const appId = account!.app.appId;
          const touser = Array.isArray(body.touser) ? body.touser.map(String) : [];
          if (touser.length < 2) return wxError(40130, 'invalid openid list size, at least two openid');
          if (touser.length > 10_000) return wxError(40032, 'invalid openid list size');
          const problem = messageProblem(body);
          if (problem) return problem;
          const followers = [...new Set(touser)].map((openid) => core.audience.get(appId, openid)).filter((follower) => follower !== undefined);
          return send(appId, body, followers);
        },
      },
      {
        ...wechat.massSendAll,
        token: 'global',
        dailyQuota: 100,
        answer: ({ account, body }) => {
          const appId = account!.app.appId;
          const filter = (typeof body.filter === 'object' && body.filter !== null ? body.filter : {}) as { is_to_all?: unknown; tag_id?: unknown };
          if (filter.is_to_all !== true && typeof filter.tag_id !== 'number') return wxError(40035, 'invalid parameter');
          const problem = messageProblem(body);
          if (problem) return problem;
          const everyone = core.audience.all(appId);
          return send(appId, body, filter.is_to_all === true ? everyone : everyone.filter((follower) => follower.tagIds.includes(filter.tag_id as number)));
        },
      },
      {
        ...wechat.massPreview,
        token: 'global',
        answer: ({ account, body }) => {
          const appId = account!.app.appId;
          const byName = typeof body.towxname === 'string';
          const follower = byName
            ? core.audience.all(appId).find((candidate) => candidate.name === body.towxname)
            : core.audience.get(appId, String(body.touser));
          if (!follower) return wxError(40003, 'invalid openid');
          if (!follower.subscribed) return wxError(43004, 'require subscribe');
          const problem = messageProblem(body);
          if (problem) return problem;
          if (byName && !mass.takePreviewByName(appId)) return wxError(45009, 'reach max api daily quota limit');
          const sent = core.audience.deliver(appId, follower.openid, 'preview', messageOf(body));
          return { ...OK, msg_id: sent.id };
        },
      },
      {
        ...wechat.massGet,
        token: 'global',
        answer: ({ account, body }) => {
          const job = mass.job(account!.app.appId, Number(body.msg_id));
          return job ? { msg_id: job.msg_id, msg_status: job.status } : wxError(40035, 'invalid parameter');
        },
      },
      {
        ...wechat.massDelete,
        token: 'global',
        dailyQuota: 10,
        answer: ({ account, body }) => {
          const job = mass.job(account!.app.appId, Number(body.msg_id));
          if (!job || job.status === 'DELETE') return wxError(40035, 'invalid parameter');
          const index = body.article_idx ?? 0;
          if (!Number.isInteger(index) || (index as number) < 0 || (index as number) > 8) return wxError(40060, 'invalid article_idx');
          // Only article and video broadcasts can be withdrawn.
          if (job.msgtype !== 'mpnews' && job.msgtype !== 'mpvideo') return wxError(40035, 'invalid parameter');
          if (index === 0) job.status = 'DELETE';
          return OK;
        },
      },
      {
        ...wechat.speedGet,
        token: 'global',
        answer: ({ account }) => {
          const speed = mass.speed(account!.app.appId);
          return { speed, realspeed: REALSPEED[speed] };
        },
      },
      {
        ...wechat.speedSet,
        token: 'global',
        answer: ({ account, body }) => {
          if (body.speed === undefined) return wxError(45084, 'No speed message');
          if (!Number.isInteger(body.speed) || (body.speed as number) < 0 || (body.speed as number) > 4) return wxError(45083, 'the speed out of range');
          mass.setSpeed(account!.app.appId, body.speed as number);
          return OK;
        },
      },
    ],
  };
};
