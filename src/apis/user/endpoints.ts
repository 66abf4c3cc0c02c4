/** The WeChat endpoints of followers, remarks, tags and the blacklist (wechat-oa-api.md §9). */
import type { WeChatEndpoint } from '../../function/route.js';

export const wechat = {
  info: { method: 'GET', path: '/cgi-bin/user/info' },
  list: { method: 'GET', path: '/cgi-bin/user/get' },
  batchget: { method: 'POST', path: '/cgi-bin/user/info/batchget' },
  remark: { method: 'POST', path: '/cgi-bin/user/info/updateremark' },
  tagCreate: { method: 'POST', path: '/cgi-bin/tags/create' },
  tagList: { method: 'GET', path: '/cgi-bin/tags/get' },
  tagUpdate: { method: 'POST', path: '/cgi-bin/tags/update' },
  tagDelete: { method: 'POST', path: '/cgi-bin/tags/delete' },
  tagUsers: { method: 'POST', path: '/cgi-bin/user/tag/get' },
  tagMembers: { method: 'POST', path: '/cgi-bin/tags/members/batchtagging' },
  untagMembers: { method: 'POST', path: '/cgi-bin/tags/members/batchuntagging' },
  tagsOfUser: { method: 'POST', path: '/cgi-bin/tags/getidlist' },
  blacklist: { method: 'POST', path: '/cgi-bin/tags/members/getblacklist' },
  blacklistAdd: { method: 'POST', path: '/cgi-bin/tags/members/batchblacklist' },
  blacklistRemove: { method: 'POST', path: '/cgi-bin/tags/members/batchunblacklist' },
} as const satisfies Record<string, WeChatEndpoint>;

/** WeChat's limits on these APIs (§9), shared by the route schemas and the emulator. */
export const LIMITS = {
  /** openids per user/get, user/tag/get and getblacklist page. */
  page: 10_000,
  batchget: 100,
  remarkChars: 30,
  tags: 100,
  tagNameChars: 30,
  tagsPerUser: 20,
  tagging: 50,
  blacklisting: 20,
  /** A tag with more followers than this cannot be deleted (45057). */
  deletableFans: 100_000,
} as const;
