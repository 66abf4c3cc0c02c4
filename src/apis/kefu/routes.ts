/**
 * Customer-service messages and agent accounts (wechat-oa-api.md §5): CloudBase's /kefu/send,
 * /kefu/typing, /kefu/add, /kefu/update, /kefu/del and /kefu/list with their bodies, plus the
 * online agents, invitations and avatars. They message followers or change the account's
 * agents: admin only.
 */
import * as v from 'valibot';
import { defineRoute } from '../../function/route.js';
import { forward } from '../group.js';
import { wechat } from './endpoints.js';
import { AVATAR_TYPES, MAX_AVATAR_BYTES } from './limits.js';
import { accountBody, isFile, kfAccount, sendBody, typingBody } from './schemas.js';

export const kefuRoutes = [
  forward(wechat.send, {
    path: '/kefu/send',
    summary:
      'Sends a customer-service message to a follower inside the window their last interaction opened (cgi-bin/message/custom/send): `msgtype` and the object of that name; news carries exactly 1 article.',
    body: sendBody,
  }),
  forward(wechat.typing, {
    path: '/kefu/typing',
    summary: 'Shows or hides "typing…" in a follower\'s chat (command Typing or CancelTyping); needs an interaction in the last 30 s.',
    body: typingBody,
  }),
  forward(wechat.add, { path: '/kefu/add', summary: 'Adds an agent account `prefix@wechatid` (prefix: 1–10 letters or digits).', body: accountBody }),
  forward(wechat.update, { path: '/kefu/update', summary: "Changes an agent account's nickname.", body: accountBody }),
  forward(wechat.del, { path: '/kefu/del', summary: 'Deletes an agent account.', body: v.object({ kf_account: kfAccount }) }),
  forward(wechat.list, { path: '/kefu/list', summary: 'The agent accounts (cgi-bin/customservice/getkflist).', body: v.object({}) }),
  forward(wechat.listOnline, { path: '/kefu/list_online', summary: 'The agents online now (cgi-bin/customservice/getonlinekflist).', body: v.object({}) }),
  forward(wechat.invite, {
    path: '/kefu/invite',
    summary: "Invites a WeChat user (invite_wx: their WeChat ID) to bind to an agent account; they accept in WeChat.",
    body: v.object({ kf_account: kfAccount, invite_wx: v.pipe(v.string(), v.minLength(1), v.maxLength(64)) }),
  }),
  defineRoute({
    path: '/kefu/upload_headimg',
    access: 'admin',
    input: 'multipart',
    // Room for the form around the largest avatar.
    bodyLimit: MAX_AVATAR_BYTES + 1024 * 1024,
    summary: "Sets an agent's avatar: a multipart form with `kf_account` and the image in `media` (JPEG or PNG, up to 5 MiB).",
    body: v.object({
      kf_account: kfAccount,
      media: v.pipe(
        v.custom<{ filename: string; contentType: string; bytes: Uint8Array }>(isFile, 'a file'),
        v.rawCheck(({ dataset, addIssue }) => {
          if (!dataset.typed) return;
          const file = dataset.value;
          if (!(AVATAR_TYPES as readonly string[]).includes(file.contentType.toLowerCase())) addIssue({ message: 'must be a JPEG or PNG image' });
          else if (file.bytes.length === 0) addIssue({ message: 'must not be empty' });
          else if (file.bytes.length > MAX_AVATAR_BYTES) addIssue({ message: 'must be at most 5 MiB' });
        }),
      ),
    }),
    calls: [wechat.uploadHeadimg],
    handler: ({ kf_account, media }, { services, signal }) =>
      services.account.upload(
        wechat.uploadHeadimg.path,
        { field: 'media', filename: media.filename || 'headimg.jpg', contentType: media.contentType, bytes: media.bytes },
        {},
        { query: { kf_account }, signal },
      ),
  }),
];
