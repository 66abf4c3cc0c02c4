/**
 * Followers, remarks, tags and the blacklist (wechat-oa-api.md §9). /user/info, /user/list and
 * /user/tags keep CloudBase's paths and bodies; /user/tags also takes the actions CloudBase's
 * function lacks, and /user/batchget, /user/remark and /user/blacklist are §2's suggested routes.
 * Every one acts on the whole account: admin (X-Api-Key) unless USER_ROUTES opens it.
 */
import * as v from 'valibot';
import { defineRoute } from '../../function/route.js';
import type { Services } from '../../function/services.js';
import { forward } from '../group.js';
import { LIMITS, wechat } from './endpoints.js';

const openid = v.pipe(v.string(), v.minLength(1), v.maxLength(128));
const lang = v.optional(v.picklist(['zh_CN', 'zh_TW', 'en']));
const chars = (max: number) => v.check<string, string>((text) => [...text].length <= max, `at most ${max} characters`);
const tagName = v.pipe(v.string(), v.minLength(1), chars(LIMITS.tagNameChars));
const tagId = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(2 ** 32 - 1));
const openids = (max: number) => v.pipe(v.array(openid), v.minLength(1), v.maxLength(max));
const nextOpenid = v.optional(v.pipe(v.string(), v.maxLength(128)));

const userInfo = v.object({
  subscribe: v.number(),
  openid: v.string(),
  language: v.optional(v.string()),
  subscribe_time: v.optional(v.number()),
  unionid: v.optional(v.string()),
  remark: v.optional(v.string()),
  groupid: v.optional(v.number()),
  tagid_list: v.optional(v.array(v.number())),
  subscribe_scene: v.optional(v.string()),
  qr_scene: v.optional(v.number()),
  qr_scene_str: v.optional(v.string()),
});
const openidPage = v.object({
  total: v.optional(v.number()),
  count: v.number(),
  data: v.optional(v.object({ openid: v.array(v.string()) })),
  next_openid: v.string(),
});

const tagsBody = v.variant('action', [
  v.object({ action: v.literal('create'), name: tagName }),
  v.object({ action: v.literal('list') }),
  v.object({ action: v.literal('update'), id: tagId, name: tagName }),
  v.object({ action: v.literal('delete'), id: tagId }),
  v.object({ action: v.literal('users'), id: tagId, next_openid: nextOpenid }),
  v.object({ action: v.literal('tag'), id: tagId, openid_list: openids(LIMITS.tagging) }),
  v.object({ action: v.literal('untag'), id: tagId, openid_list: openids(LIMITS.tagging) }),
  v.object({ action: v.literal('of_user'), openid }),
]);

type TagsBody = v.InferOutput<typeof tagsBody>;

/** One action of /user/tags as WeChat's call and body. */
function tagsCall(body: TagsBody, account: Services['account'], signal: AbortSignal): Promise<unknown> {
  const post = (endpoint: { path: string }, payload: unknown) => account.post(endpoint.path, payload, { signal });
  switch (body.action) {
    case 'create':
      return post(wechat.tagCreate, { tag: { name: body.name } });
    case 'list':
      return account.get(wechat.tagList.path, { signal });
    case 'update':
      return post(wechat.tagUpdate, { tag: { id: body.id, name: body.name } });
    case 'delete':
      return post(wechat.tagDelete, { tag: { id: body.id } });
    case 'users':
      return post(wechat.tagUsers, { tagid: body.id, next_openid: body.next_openid ?? '' });
    case 'tag':
      return post(wechat.tagMembers, { openid_list: body.openid_list, tagid: body.id });
    case 'untag':
      return post(wechat.untagMembers, { openid_list: body.openid_list, tagid: body.id });
    case 'of_user':
      return post(wechat.tagsOfUser, { openid: body.openid });
  }
}

const blacklistBody = v.variant('action', [
  v.object({ action: v.literal('list'), begin_openid: nextOpenid }),
  v.object({ action: v.literal('add'), openid_list: openids(LIMITS.blacklisting) }),
  v.object({ action: v.literal('remove'), openid_list: openids(LIMITS.blacklisting) }),
]);

export const userRoutes = [
  forward(wechat.info, {
    path: '/user/info',
    summary: "A follower's info (subscribe, language, subscribe_time, remark, tagid_list, subscribe_scene, qr_scene...). Someone who does not follow comes back with subscribe 0 and openid only.",
    body: v.object({ openid, lang }),
    response: userInfo,
  }),
  forward(wechat.list, {
    path: '/user/list',
    summary: "The account's followers, 10,000 openids a page: pass the answer's next_openid to get the next page, until count is 0.",
    body: v.object({ next_openid: nextOpenid }),
    response: openidPage,
  }),
  forward(wechat.batchget, {
    path: '/user/batchget',
    summary: 'The info of up to 100 users at once: user_list [{openid, lang?}].',
    body: v.object({ user_list: v.pipe(v.array(v.object({ openid, lang })), v.minLength(1), v.maxLength(LIMITS.batchget)) }),
    response: v.object({ user_info_list: v.array(userInfo) }),
  }),
  forward(wechat.remark, {
    path: '/user/remark',
    summary: "Sets the operator's remark on a follower (at most 30 characters; an empty remark clears it).",
    body: v.object({ openid, remark: v.pipe(v.string(), chars(LIMITS.remarkChars)) }),
  }),
  defineRoute({
    path: '/user/tags',
    access: 'admin',
    summary:
      "The account's follower tags by action: create {name}, list, update {id, name}, delete {id} (CloudBase's three), users {id, next_openid?} (a tag's followers), tag and untag {id, openid_list (1 to 50)}, of_user {openid} (a follower's tag ids). At most 100 tags, names up to 30 characters, tags 0 to 2 are the system's.",
    body: tagsBody,
    calls: [wechat.tagCreate, wechat.tagList, wechat.tagUpdate, wechat.tagDelete, wechat.tagUsers, wechat.tagMembers, wechat.untagMembers, wechat.tagsOfUser],
    handler: (body, { services, signal }) => tagsCall(body, services.account, signal),
  }),
  defineRoute({
    path: '/user/blacklist',
    access: 'admin',
    summary:
      "The account's blacklist by action: list {begin_openid?} (10,000 a page), add and remove {openid_list (1 to 20)}. A blacklisted user receives nothing from the account.",
    body: blacklistBody,
    calls: [wechat.blacklist, wechat.blacklistAdd, wechat.blacklistRemove],
    handler: (body, { services, signal }) => {
      const post = (endpoint: { path: string }, payload: unknown) => services.account.post(endpoint.path, payload, { signal });
      if (body.action === 'list') return post(wechat.blacklist, { begin_openid: body.begin_openid ?? '' });
      return post(body.action === 'add' ? wechat.blacklistAdd : wechat.blacklistRemove, { openid_list: body.openid_list });
    },
  }),
];
