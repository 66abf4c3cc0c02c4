/**
 * /message/template_send and the mass (broadcast) routes. CloudBase's two keep its bodies:
 * template_send forwards WeChat's body; mass_send picks mass/send for a `touser` list and
 * mass/sendall for a `filter`, as CloudBase's function does. /message/mass_speed reads the speed
 * with an empty body and sets it with `{speed}`.
 */
import * as v from 'valibot';
import { defineRoute } from '../../function/route.js';
import { forward } from '../group.js';
import { miniprogram, ok, openid, templateData, templateId } from '../subscribe/schemas.js';
import { wechat } from './endpoints.js';

const mediaId = v.pipe(v.string(), v.minLength(1), v.maxLength(256));
const MSGTYPES = ['mpnews', 'text', 'voice', 'image', 'mpvideo', 'wxcard'] as const;
const msgId = v.pipe(
  v.union([v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(Number.MAX_SAFE_INTEGER)), v.pipe(v.string(), v.regex(/^\d{1,15}$/))]),
  v.transform(Number),
);

/** The message of a mass send or preview (§8.2): msgtype and its object. */
const message = {
  msgtype: v.picklist(MSGTYPES),
  mpnews: v.optional(v.looseObject({ media_id: mediaId })),
  text: v.optional(v.looseObject({ content: v.pipe(v.string(), v.minLength(1), v.maxLength(20_000)) })),
  voice: v.optional(v.looseObject({ media_id: mediaId })),
  images: v.optional(v.looseObject({ media_ids: v.pipe(v.array(mediaId), v.minLength(1), v.maxLength(20)) })),
  image: v.optional(v.looseObject({ media_id: mediaId })),
  mpvideo: v.optional(v.looseObject({ media_id: mediaId })),
  wxcard: v.optional(v.looseObject({ card_id: v.pipe(v.string(), v.minLength(1), v.maxLength(128)) })),
  send_ignore_reprint: v.optional(v.picklist([0, 1])),
  clientmsgid: v.optional(v.pipe(v.string(), v.minLength(1), v.maxBytes(64))),
};

type Message = { msgtype: (typeof MSGTYPES)[number] } & Record<string, unknown>;

/** The object msgtype names must be there (`image` also takes the older single `image`). */
const carriesItsObject = v.check(
  (body: Message) => body[body.msgtype] !== undefined || (body.msgtype === 'image' && body.image !== undefined),
  'must come with its object (text: {"text": {"content": "…"}}, image: {"images": {"media_ids": […]}}, mpnews: {"mpnews": {"media_id": "…"}}, …)',
);

const byOpenids = v.pipe(v.array(openid), v.minLength(2), v.maxLength(10_000));
const filter = v.pipe(
  v.looseObject({ is_to_all: v.boolean(), tag_id: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))) }),
  v.check((value) => value.is_to_all || value.tag_id !== undefined, 'needs tag_id unless is_to_all is true'),
);

const massSendBody = v.pipe(
  v.looseObject({ ...message, touser: v.optional(byOpenids), filter: v.optional(filter) }),
  v.check((body) => (body.touser === undefined) !== (body.filter === undefined), 'needs either touser (a list of 2 to 10,000 openids) or filter, not both'),
  carriesItsObject,
);

const previewBody = v.pipe(
  v.looseObject({ ...message, touser: v.optional(openid), towxname: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(64))) }),
  v.check((body) => (body.touser === undefined) !== (body.towxname === undefined), 'needs either touser (an openid) or towxname (a WeChat ID)'),
  carriesItsObject,
);

const jobAnswer = v.looseObject({ ...ok, msg_id: v.number(), msg_data_id: v.optional(v.number()) });
const speed = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(4));

export const messageRoutes = [
  forward(wechat.templateSend, {
    path: '/message/template_send',
    summary:
      'Sends a template message to a follower. data values follow their placeholder type (thing ≤ 20 characters, …); miniprogram wins over url when both are set.',
    body: v.looseObject({
      touser: openid,
      template_id: templateId,
      data: templateData(true),
      url: v.optional(v.pipe(v.string(), v.maxLength(1024))),
      miniprogram: v.optional(miniprogram),
      client_msg_id: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(64))),
    }),
    response: v.looseObject({ ...ok, msgid: v.number() }),
  }),
  defineRoute({
    path: '/message/mass_send',
    access: 'admin',
    summary:
      'A mass send: to a list of 2 to 10,000 openids (touser, mass/send) or by tag or to everyone (filter, mass/sendall). Each user receives at most 4 a month; clientmsgid (≤ 64 bytes) makes it idempotent.',
    bodyLimit: 1024 * 1024,
    body: massSendBody,
    response: jobAnswer,
    calls: [wechat.massSend, wechat.massSendAll],
    handler: (body, { services, signal }) => services.account.post((body.touser ? wechat.massSend : wechat.massSendAll).path, body, { signal }),
  }),
  forward(wechat.massPreview, {
    path: '/message/mass_preview',
    summary: 'Previews a mass message to one follower, by openid (touser) or WeChat ID (towxname, 100 a day).',
    body: previewBody,
    response: v.looseObject({ ...ok, msg_id: v.optional(v.number()) }),
  }),
  forward(wechat.massGet, {
    path: '/message/mass_get',
    summary: 'The status of a mass send: SEND_SUCCESS, SENDING, SEND_FAIL or DELETE.',
    body: v.object({ msg_id: msgId }),
    response: v.looseObject({ msg_id: v.number(), msg_status: v.string() }),
  }),
  forward(wechat.massDelete, {
    path: '/message/mass_delete',
    summary: 'Deletes an article or video mass send (article_idx: 1-based article, 0 or absent for all); 10 a day.',
    body: v.object({ msg_id: msgId, article_idx: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(8))), url: v.optional(v.pipe(v.string(), v.maxLength(1024))) }),
    response: v.looseObject(ok),
  }),
  defineRoute({
    path: '/message/mass_speed',
    access: 'admin',
    summary: 'The mass-send speed: {} reads it ({speed, realspeed}); {"speed": 0..4} sets it (0 fastest).',
    body: v.object({ speed: v.optional(speed) }),
    response: v.looseObject({ ...ok, speed: v.optional(v.number()), realspeed: v.optional(v.number()) }),
    calls: [wechat.speedGet, wechat.speedSet],
    handler: ({ speed: wanted }, { services, signal }) =>
      wanted === undefined ? services.account.post(wechat.speedGet.path, {}, { signal }) : services.account.post(wechat.speedSet.path, { speed: wanted }, { signal }),
  }),
];
