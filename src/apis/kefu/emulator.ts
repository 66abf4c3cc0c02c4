/**
 * The kefu group's emulator part: messages reach followers only (43004, 43019) inside the
 * customer-service window their interaction opened (45015, 45047, from the audience), each
 * delivered message recorded in the audience's outbox; the typing indicator's rules; agent
 * accounts with WeChat's 614xx errors, invitations and the online list. `kefu` is the state
 * other emulator code reads.
 */
import { wxError, type ErrorReply } from '../../emulator/core.js';
import type { EmulatorPart, EmulatorPartFactory } from '../../emulator/part.js';
import { wechat } from './endpoints.js';
import { AVATAR_TYPES, KF_PREFIX_MAX, MAX_AGENTS, MAX_TEXT_BYTES, MSG_TYPES, type MsgType } from './limits.js';
import { KefuState, type KfAccount } from './state.js';

export { KefuState, type KfAccount } from './state.js';

export interface KefuEmulatorPart extends EmulatorPart {
  kefu: KefuState;
}

const OK = { errcode: 0, errmsg: 'ok' };
/** Typing needs an interaction this recent. */
const TYPING_WINDOW_MS = 30_000;

const str = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
const record = (value: unknown): Record<string, unknown> | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;

/** The message object's own checks: what WeChat answers for an empty or oversized one. */
function checkMessage(msgtype: MsgType, object: Record<string, unknown>): ErrorReply | undefined {
  switch (msgtype) {
    case 'text': {
      const content = str(object.content);
      if (!content) return wxError(44004, 'empty content');
      if (Buffer.byteLength(content) > MAX_TEXT_BYTES) return wxError(45002, 'content size out of limit');
      return undefined;
    }
    case 'news': {
      const articles = object.articles;
      if (!Array.isArray(articles) || articles.length === 0) return wxError(44003, 'empty news data');
      if (articles.length > 1) return wxError(45008, 'article size out of limit');
      return undefined;
    }
    case 'image':
    case 'voice':
    case 'video':
    case 'mpnews':
      // Any non-empty media_id is taken: the media group's uploads are not visible here.
      return str(object.media_id) ? undefined : wxError(40007, 'invalid media_id');
    default:
      return undefined;
  }
}

/** WeChat's kf_account checks, in its order: the form `prefix@id`, then the prefix. */
function checkKfAccount(value: unknown): string | ErrorReply {
  const account = str(value);
  if (!account) return wxError(61451, 'invalid parameter');
  const at = account.indexOf('@');
  if (at <= 0 || at === account.length - 1) return wxError(61452, 'invalid kf_account');
  const prefix = account.slice(0, at);
  if (prefix.length > KF_PREFIX_MAX) return wxError(61454, 'kf_acount length exceeded');
  if (!/^[A-Za-z0-9]+$/.test(prefix)) return wxError(61455, 'kf_account contains illegal characters');
  return account;
}

export const part: EmulatorPartFactory<KefuEmulatorPart> = (core) => {
  const kefu = new KefuState(core.clock);
  core.onReset(() => kefu.reset());
  const audience = core.audience;

  /** The follower a message or the indicator may reach, or WeChat's refusal. */
  const recipient = (appId: string, touser: unknown) => {
    const openid = str(touser);
    const follower = openid ? audience.get(appId, openid) : undefined;
    if (!follower) return wxError(40003, 'invalid openid');
    if (!follower.subscribed) return wxError(43004, 'require subscribe');
    if (follower.blacklisted) return wxError(43019, 'user in blacklist');
    return follower;
  };

  const agent = (appId: string, value: unknown): KfAccount | ErrorReply => {
    const name = checkKfAccount(value);
    if (typeof name !== 'string') return name;
    return kefu.get(appId, name) ?? wxError(61452, 'invalid kf_account');
  };

  return {
    kefu,
    endpoints: [
      {
        ...wechat.send,
        token: 'global',
        dailyQuota: 500_000,
        answer: ({ account, body }) => {
          const appId = account!.app.appId;
          const msgtype = body.msgtype as MsgType;
          if (!MSG_TYPES.includes(msgtype)) return wxError(40008, 'invalid message type');
          const object = record(body[msgtype]);
          if (!object) return wxError(40008, 'invalid message type');
          const follower = recipient(appId, body.touser);
          if ('errcode' in follower) return follower;
          const refused = checkMessage(msgtype, object);
          if (refused) return refused;
          const window = audience.takeKefuSend(appId, follower.openid);
          if (!window.ok) {
            return window.errcode === 45015
              ? wxError(45015, 'response out of time limit or subscription is canceled')
              : wxError(45047, 'out of response count limit');
          }
          // A message replaces the typing indicator.
          kefu.setTyping(appId, follower.openid, false);
          const message: Record<string, unknown> = { msgtype, [msgtype]: object };
          if (record(body.customservice)) message.customservice = body.customservice;
          audience.deliver(appId, follower.openid, 'kefu', message);
          return OK;
        },
      },
      {
        ...wechat.typing,
        token: 'global',
        answer: ({ account, body }) => {
          const appId = account!.app.appId;
          const follower = recipient(appId, body.touser);
          if ('errcode' in follower) return follower;
          if (body.command !== 'Typing' && body.command !== 'CancelTyping') return wxError(45072, 'command invalid');
          const last = follower.lastInteractionAt;
          if (last === undefined || core.clock.now() - last > TYPING_WINDOW_MS) return wxError(45080, 'has not sent message to user in 30s');
          if (body.command === 'Typing' && kefu.isTyping(appId, follower.openid)) return wxError(45081, 'already typing');
          kefu.setTyping(appId, follower.openid, body.command === 'Typing');
          return OK;
        },
      },
      {
        ...wechat.add,
        token: 'global',
        answer: ({ account, body }) => {
          const appId = account!.app.appId;
          const name = checkKfAccount(body.kf_account);
          if (typeof name !== 'string') return name;
          const nickname = str(body.nickname);
          if (!nickname) return wxError(61451, 'invalid parameter');
          if (kefu.get(appId, name)) return wxError(61453, 'kf_account exsited');
          if (kefu.accounts(appId).length >= MAX_AGENTS) return wxError(61456, 'kf_account count exceeded');
          kefu.add(appId, name, nickname);
          return OK;
        },
      },
      {
        ...wechat.update,
        token: 'global',
        answer: ({ account, body }) => {
          const found = agent(account!.app.appId, body.kf_account);
          if ('errcode' in found) return found;
          const nickname = str(body.nickname);
          if (!nickname) return wxError(61451, 'invalid parameter');
          found.kf_nick = nickname;
          return OK;
        },
      },
      {
        ...wechat.del,
        token: 'global',
        answer: ({ account, body, query }) => {
          // Older clients put kf_account in the query.
          const found = agent(account!.app.appId, body.kf_account ?? query.kf_account);
          if ('errcode' in found) return found;
          kefu.remove(account!.app.appId, found.kf_account);
          return OK;
        },
      },
      {
        ...wechat.list,
        token: 'global',
        answer: ({ account }) => ({ kf_list: kefu.accounts(account!.app.appId).map((one) => ({ ...one })) }),
      },
      {
        ...wechat.listOnline,
        token: 'global',
        answer: ({ account }) => ({
          kf_online_list: kefu.online(account!.app.appId).map((one) => ({ kf_account: one.kf_account, status: 1, kf_id: one.kf_id, accepted_case: 0 })),
        }),
      },
      {
        ...wechat.invite,
        token: 'global',
        answer: ({ account, body }) => {
          const found = agent(account!.app.appId, body.kf_account);
          if ('errcode' in found) return found;
          const inviteWx = str(body.invite_wx);
          if (!inviteWx) return wxError(61451, 'invalid parameter');
          kefu.invite(found, inviteWx);
          return OK;
        },
      },
      {
        ...wechat.uploadHeadimg,
        token: 'global',
        body: 'multipart',
        answer: ({ account, query, files, origin }) => {
          const found = agent(account!.app.appId, query.kf_account);
          if ('errcode' in found) return found;
          const media = files.media;
          if (!media || media.size === 0) return wxError(41005, 'media data missing');
          if (!(AVATAR_TYPES as readonly string[]).includes(media.type.toLowerCase())) return wxError(61457, 'invalid file type');
          // The emulator draws an avatar rather than keep the upload.
          found.kf_headimgurl = `${origin}/__emulator/avatar/kf-${found.kf_id}-${Math.floor(core.clock.now() / 1000)}/0`;
          return OK;
        },
      },
    ],
  };
};
