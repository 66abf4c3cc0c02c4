/**
 * Parameterised QR codes (wechat-oa-api.md §11). /qrcode/create takes CloudBase's flat body
 * `{action_name, scene_id | scene_str, expire_seconds?}` or WeChat's own
 * `{action_name, action_info: {scene: {...}}, expire_seconds?}`, checks it against WeChat's
 * limits, and answers WeChat's `{ticket, expire_seconds, url}` plus `qrcode_url`, the image's
 * address, as CloudBase's function does. /qrcode/show only builds that address: the image
 * needs no token, so the address is safe to hand to a browser.
 */
import * as v from 'valibot';
import { AppError } from '../../errors.js';
import { defineRoute } from '../../function/route.js';
import type { AccountClient } from '../../wechat/account-client.js';
import { isPermanent, isStringScene, QR_KINDS, QR_LIMITS, SHOW_QRCODE_PATH, wechat, type QrKind } from './endpoints.js';

const sceneId = v.pipe(v.number(), v.integer());
const sceneStr = v.string();
const scene = v.object({ scene_id: v.optional(sceneId), scene_str: v.optional(sceneStr) });

const createBody = v.object({
  action_name: v.picklist(QR_KINDS),
  expire_seconds: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(QR_LIMITS.maxExpireSeconds))),
  scene_id: v.optional(sceneId),
  scene_str: v.optional(sceneStr),
  action_info: v.optional(v.object({ scene })),
});

const bad = (message: string) => new AppError('bad_request', `Invalid request body: ${message}`);

/** WeChat's body for either shape, or a 400 naming the field, before any call. */
export function qrcodeRequest(body: v.InferOutput<typeof createBody>): Record<string, unknown> {
  const kind: QrKind = body.action_name;
  const native = body.action_info !== undefined;
  const given = native ? body.action_info!.scene : { scene_id: body.scene_id, scene_str: body.scene_str };
  const where = (field: string) => (native ? `action_info.scene.${field}` : field);
  let chosen: { scene_id: number } | { scene_str: string };
  if (isStringScene(kind)) {
    const text = given.scene_str;
    if (text === undefined) throw bad(`${where('scene_str')} is required for ${kind}`);
    const length = [...text].length;
    if (length < 1 || length > QR_LIMITS.sceneStrChars) throw bad(`${where('scene_str')} must be 1 to ${QR_LIMITS.sceneStrChars} characters`);
    chosen = { scene_str: text };
  } else {
    const id = given.scene_id;
    if (id === undefined) throw bad(`${where('scene_id')} is required for ${kind}`);
    const max = isPermanent(kind) ? QR_LIMITS.permanent : QR_LIMITS.maxTemporarySceneId;
    if (id < 1 || id > max) throw bad(`${where('scene_id')} must be 1 to ${max} for ${kind}`);
    chosen = { scene_id: id };
  }
  return {
    // WeChat ignores expire_seconds on a permanent code; CloudBase's function drops it too.
    ...(!isPermanent(kind) && body.expire_seconds !== undefined && { expire_seconds: body.expire_seconds }),
    action_name: kind,
    action_info: { scene: chosen },
  };
}

/** The image's address on the mp host; it carries the ticket only, never a token. */
const imageUrl = (account: AccountClient, ticket: string) => account.mpUrl(SHOW_QRCODE_PATH, { ticket });

interface Ticket {
  ticket: string;
  expire_seconds?: number;
  url: string;
}

export const qrcodeRoutes = [
  defineRoute({
    path: '/qrcode/create',
    access: 'admin',
    summary:
      "A parameterised QR code. action_name QR_SCENE or QR_STR_SCENE (temporary: expire_seconds up to 2592000) or QR_LIMIT_SCENE or QR_LIMIT_STR_SCENE (permanent, at most 100,000); scene_id (1 to 100000 for permanent codes, a 32-bit integer for temporary ones) or scene_str (1 to 64 characters), flat as CloudBase's function takes them or inside action_info.scene as WeChat does. Answers WeChat's ticket, expire_seconds and url, and qrcode_url, the image's address.",
    body: createBody,
    response: v.object({ ticket: v.string(), expire_seconds: v.optional(v.number()), url: v.string(), qrcode_url: v.string() }),
    calls: [wechat.create],
    handler: async (body, { services, signal }) => {
      const request = qrcodeRequest(body);
      const answer = await services.account.post<Ticket>(wechat.create.path, request, { signal });
      return { ...answer, qrcode_url: imageUrl(services.account, answer.ticket) };
    },
  }),
  defineRoute({
    path: '/qrcode/show',
    access: 'admin',
    summary: "The address of a ticket's QR code image (mp.weixin.qq.com/cgi-bin/showqrcode). Calls nothing; the address holds no token and can go to a browser.",
    body: v.object({ ticket: v.pipe(v.string(), v.minLength(1), v.maxLength(512)) }),
    response: v.object({ ticket: v.string(), qrcode_url: v.string() }),
    handler: async ({ ticket }, { services }) => ({ ticket, qrcode_url: imageUrl(services.account, ticket) }),
  }),
];
