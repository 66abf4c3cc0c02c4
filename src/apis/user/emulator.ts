/**
 * The user group's emulator part: follower info, lists and remarks read from the shared
 * audience; tags kept here per account, each follower's tag ids and blacklist flag on the
 * follower itself (other groups read `blacklisted` for 43019). WeChat's limits and codes from
 * wechat-oa-api.md §9.
 */
import { wxError, type Account, type Reply } from '../../emulator/core.js';
import type { Audience, Follower } from '../../emulator/audience.js';
import type { EmulatorPart, EmulatorPartFactory } from '../../emulator/part.js';
import { unionidFor } from '../../emulator/users.js';
import { LIMITS, wechat } from './endpoints.js';

export interface Tag {
  id: number;
  name: string;
}

/** Tags 0, 1 and 2 belong to WeChat (no group, the blacklist, starred); tags/get lists 2. */
const SYSTEM_TAGS: readonly Tag[] = [{ id: 2, name: '星标组' }];
const FIRST_TAG_ID = 100;

/** Every account's own tags, readable by other parts (a mass send by tag). */
export class TagStore {
  private readonly byApp = new Map<string, { next: number; tags: Map<number, Tag> }>();

  /** The account's tags, the system's first. */
  list(appId: string): Tag[] {
    return [...SYSTEM_TAGS, ...this.of(appId).tags.values()];
  }

  get(appId: string, id: number): Tag | undefined {
    return SYSTEM_TAGS.find((tag) => tag.id === id) ?? this.of(appId).tags.get(id);
  }

  isSystem = (id: number) => id <= 2;

  own(appId: string): Map<number, Tag> {
    return this.of(appId).tags;
  }

  create(appId: string, name: string): Tag {
    const state = this.of(appId);
    const tag = { id: state.next++, name };
    state.tags.set(tag.id, tag);
    return tag;
  }

  reset(): void {
    this.byApp.clear();
  }

  private of(appId: string) {
    let state = this.byApp.get(appId);
    if (!state) {
      state = { next: FIRST_TAG_ID, tags: new Map() };
      this.byApp.set(appId, state);
    }
    return state;
  }
}

export interface UserEmulatorPart extends EmulatorPart {
  tags: TagStore;
}

const invalidOpenid = () => wxError(40003, 'invalid openid');
const str = (value: unknown) => (typeof value === 'string' ? value : undefined);

/** A page of openids after `next` (exclusive); an unknown `next` is WeChat's 40003. */
function page(list: Follower[], next: string | undefined): Reply {
  let start = 0;
  if (next) {
    const at = list.findIndex((follower) => follower.openid === next);
    if (at === -1) return invalidOpenid();
    start = at + 1;
  }
  const openids = list.slice(start, start + LIMITS.page).map((follower) => follower.openid);
  return {
    total: list.length,
    count: openids.length,
    ...(openids.length && { data: { openid: openids } }),
    next_openid: openids.at(-1) ?? '',
  };
}

export const part: EmulatorPartFactory<UserEmulatorPart> = (core) => {
  const audience: Audience = core.audience;
  const tags = new TagStore();
  core.onReset(() => tags.reset());

  const infoOf = (account: Account, follower: Follower): Reply => {
    const unionid = account.app.openPlatform ? { unionid: unionidFor({ name: follower.name, profile: 'full', snapshot: false }) } : {};
    if (!follower.subscribed) return { subscribe: 0, openid: follower.openid, ...unionid };
    return {
      subscribe: 1,
      openid: follower.openid,
      language: follower.language,
      subscribe_time: follower.subscribeTime,
      ...unionid,
      remark: follower.remark,
      groupid: 0,
      tagid_list: [...follower.tagIds],
      subscribe_scene: follower.scene,
      qr_scene: follower.qrScene,
      qr_scene_str: follower.qrSceneStr,
    };
  };

  /** The followers an openid list names, or the error for the first bad one. */
  const followersOf = (account: Account, list: unknown, max: number): Follower[] | Reply => {
    if (!Array.isArray(list) || list.length === 0 || list.length > max) return wxError(40032, 'invalid openid list size');
    const found: Follower[] = [];
    for (const openid of list) {
      const follower = typeof openid === 'string' ? audience.get(account.app.appId, openid) : undefined;
      if (!follower) return invalidOpenid();
      found.push(follower);
    }
    return found;
  };

  /** 45157 / 45158 for a name WeChat refuses; a duplicate of another tag's name is 45157 too. */
  const nameProblem = (appId: string, name: unknown, except?: number): Reply | undefined => {
    if (typeof name !== 'string' || !name.trim()) return wxError(45157, 'invalid tag name');
    if ([...name].length > LIMITS.tagNameChars) return wxError(45158, 'tag name too long');
    if (tags.list(appId).some((tag) => tag.name === name && tag.id !== except)) return wxError(45157, 'invalid tag name');
    return undefined;
  };

  const tagOf = (body: Record<string, unknown>) => (body.tag && typeof body.tag === 'object' ? (body.tag as Record<string, unknown>) : {});

  /** The own (non-system) tag a body names, or WeChat's error. */
  const ownTag = (appId: string, id: unknown): Tag | Reply => {
    if (typeof id !== 'number' || !Number.isInteger(id)) return wxError(45159, 'invalid tag id');
    if (tags.isSystem(id)) return wxError(45058, "can't modify sys tag");
    return tags.own(appId).get(id) ?? wxError(45159, 'invalid tag id');
  };

  const isReply = (value: unknown): value is Reply => typeof value === 'object' && value !== null && 'errcode' in value;

  return {
    tags,
    endpoints: [
      {
        ...wechat.info,
        token: 'global',
        dailyQuota: 5_000_000,
        answer: ({ query, account }) => {
          const follower = audience.get(account!.app.appId, query.openid ?? '');
          return follower ? infoOf(account!, follower) : invalidOpenid();
        },
      },
      {
        ...wechat.list,
        token: 'global',
        dailyQuota: 500,
        answer: ({ query, account }) =>
          page(
            audience.all(account!.app.appId).filter((follower) => follower.subscribed),
            query.next_openid,
          ),
      },
      {
        ...wechat.batchget,
        token: 'global',
        answer: ({ body, account }) => {
          const list = Array.isArray(body.user_list) ? body.user_list : undefined;
          if (!list || !list.length || list.length > LIMITS.batchget) return wxError(40032, 'invalid openid list size');
          const found = followersOf(account!, list.map((entry) => (entry as { openid?: unknown })?.openid), LIMITS.batchget);
          if (isReply(found)) return found;
          return { user_info_list: found.map((follower) => infoOf(account!, follower)) };
        },
      },
      {
        ...wechat.remark,
        token: 'global',
        dailyQuota: 10_000,
        answer: ({ body, account }) => {
          const follower = audience.get(account!.app.appId, str(body.openid) ?? '');
          if (!follower) return invalidOpenid();
          const remark = str(body.remark) ?? '';
          if ([...remark].length > LIMITS.remarkChars) return wxError(40035, 'invalid parameter: remark longer than 30 characters');
          follower.remark = remark;
          return { errcode: 0, errmsg: 'ok' };
        },
      },
      {
        ...wechat.tagCreate,
        token: 'global',
        answer: ({ body, account }) => {
          const appId = account!.app.appId;
          const name = tagOf(body).name;
          const problem = nameProblem(appId, name);
          if (problem) return problem;
          if (tags.own(appId).size >= LIMITS.tags) return wxError(45056, 'too many tag now, no need to add new');
          return { tag: tags.create(appId, name as string) };
        },
      },
      {
        ...wechat.tagList,
        token: 'global',
        answer: ({ account }) => {
          const appId = account!.app.appId;
          const followers = audience.all(appId).filter((follower) => follower.subscribed);
          return { tags: tags.list(appId).map((tag) => ({ ...tag, count: followers.filter((follower) => follower.tagIds.includes(tag.id)).length })) };
        },
      },
      {
        ...wechat.tagUpdate,
        token: 'global',
        answer: ({ body, account }) => {
          const appId = account!.app.appId;
          const tag = ownTag(appId, tagOf(body).id);
          if (isReply(tag)) return tag;
          const problem = nameProblem(appId, tagOf(body).name, tag.id);
          if (problem) return problem;
          tag.name = tagOf(body).name as string;
          return { errcode: 0, errmsg: 'ok' };
        },
      },
      {
        ...wechat.tagDelete,
        token: 'global',
        answer: ({ body, account }) => {
          const appId = account!.app.appId;
          const tag = ownTag(appId, tagOf(body).id);
          if (isReply(tag)) return tag;
          const members = audience.all(appId).filter((follower) => follower.tagIds.includes(tag.id));
          if (members.length > LIMITS.deletableFans) return wxError(45057, "can't delete the tag that has too many fans");
          for (const follower of members) follower.tagIds = follower.tagIds.filter((id) => id !== tag.id);
          tags.own(appId).delete(tag.id);
          return { errcode: 0, errmsg: 'ok' };
        },
      },
      {
        ...wechat.tagUsers,
        token: 'global',
        answer: ({ body, account }) => {
          const appId = account!.app.appId;
          if (typeof body.tagid !== 'number' || !tags.get(appId, body.tagid)) return wxError(45159, 'invalid tag id');
          const members = audience.all(appId).filter((follower) => follower.subscribed && follower.tagIds.includes(body.tagid as number));
          const { total: _, ...answer } = page(members, str(body.next_openid));
          return answer;
        },
      },
      ...(['tag', 'untag'] as const).map((kind) => ({
        ...(kind === 'tag' ? wechat.tagMembers : wechat.untagMembers),
        token: 'global' as const,
        answer: ({ body, account }: { body: Record<string, unknown>; account?: Account }) => {
          const appId = account!.app.appId;
          const id = body.tagid;
          if (typeof id !== 'number' || !tags.get(appId, id)) return wxError(45159, 'invalid tag id');
          if (id !== 2 && tags.isSystem(id)) return wxError(45058, "can't modify sys tag");
          const found = followersOf(account!, body.openid_list, LIMITS.tagging);
          if (isReply(found)) return found;
          if (kind === 'tag') {
            // All or nothing: one follower over the limit fails the whole call.
            if (found.some((follower) => !follower.tagIds.includes(id) && follower.tagIds.length >= LIMITS.tagsPerUser)) {
              return wxError(45059, 'can not tagging one user too much');
            }
            for (const follower of found) if (!follower.tagIds.includes(id)) follower.tagIds.push(id);
          } else {
            for (const follower of found) follower.tagIds = follower.tagIds.filter((tagId) => tagId !== id);
          }
          return { errcode: 0, errmsg: 'ok' };
        },
      })),
      {
        ...wechat.tagsOfUser,
        token: 'global',
        answer: ({ body, account }) => {
          const follower = audience.get(account!.app.appId, str(body.openid) ?? '');
          return follower ? { tagid_list: [...follower.tagIds] } : invalidOpenid();
        },
      },
      {
        ...wechat.blacklist,
        token: 'global',
        answer: ({ body, account }) =>
          page(
            audience.all(account!.app.appId).filter((follower) => follower.blacklisted),
            str(body.begin_openid),
          ),
      },
      ...(['add', 'remove'] as const).map((kind) => ({
        ...(kind === 'add' ? wechat.blacklistAdd : wechat.blacklistRemove),
        token: 'global' as const,
        answer: ({ body, account }: { body: Record<string, unknown>; account?: Account }) => {
          const found = followersOf(account!, body.openid_list, LIMITS.blacklisting);
          if (isReply(found)) return found;
          for (const follower of found) follower.blacklisted = kind === 'add';
          return { errcode: 0, errmsg: 'ok' };
        },
      })),
    ],
  };
};
