/**
 * CloudBase's /subscribe/* routes, with its bodies: the send forwards WeChat's body; the library
 * reads take their query fields as a JSON body (`ids` as "2,616" or [2, 616]; start 0 and limit
 * 30 by default, as CloudBase's function).
 */
import * as v from 'valibot';
import { defineRoute } from '../../function/route.js';
import { forward } from '../group.js';
import { wechat } from './endpoints.js';
import { miniprogram, ok, openid, templateData, templateId } from './schemas.js';

const categoryId = v.pipe(v.number(), v.integer(), v.minValue(0));
const tid = v.union([v.pipe(v.string(), v.regex(/^\d{1,12}$/)), v.pipe(v.number(), v.integer(), v.minValue(0))]);

const titlesBody = v.object({
  ids: v.union([v.pipe(v.string(), v.regex(/^\d{1,12}(,\d{1,12}){0,49}$/)), v.pipe(v.array(categoryId), v.minLength(1), v.maxLength(50))]),
  start: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))),
  limit: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(30))),
});

export const subscribeRoutes = [
  forward(wechat.bizsend, {
    path: '/subscribe/bizsend',
    summary:
      'Sends a subscription notification to a user who accepted it (each acceptance of a one-time template allows one send). data values follow their placeholder type (thing ≤ 20 characters, …).',
    body: v.looseObject({ touser: openid, template_id: templateId, data: templateData(false), page: v.optional(v.pipe(v.string(), v.maxLength(1024))), miniprogram: v.optional(miniprogram) }),
    response: v.looseObject({ ...ok, msgid: v.optional(v.number()) }),
  }),
  forward(wechat.addTemplate, {
    path: '/subscribe/addtemplate',
    summary: 'Adds a private template from a public title (tid) with 2 to 5 of its keywords; at most 25 private templates.',
    body: v.object({
      tid: v.pipe(tid, v.transform(String)),
      kidList: v.pipe(v.array(v.pipe(v.number(), v.integer(), v.minValue(0))), v.minLength(2), v.maxLength(5)),
      sceneDesc: v.optional(v.pipe(v.string(), v.maxLength(15))),
    }),
    response: v.looseObject({ ...ok, priTmplId: v.string() }),
  }),
  forward(wechat.delTemplate, {
    path: '/subscribe/deltemplate',
    summary: 'Deletes a private template.',
    body: v.object({ priTmplId: templateId }),
    response: v.looseObject(ok),
  }),
  forward(wechat.category, {
    path: '/subscribe/getcategory',
    summary: "The account's categories.",
    body: v.object({}),
    response: v.looseObject({ ...ok, data: v.array(v.looseObject({ id: v.number(), name: v.string() })) }),
  }),
  defineRoute({
    path: '/subscribe/getpubtemplatetitles',
    access: 'admin',
    summary: 'Public titles in the given categories (ids: "2,616" or [2, 616]); start from 0, limit at most 30.',
    body: titlesBody,
    response: v.looseObject({ ...ok, count: v.number(), data: v.array(v.looseObject({ tid: v.number(), title: v.string(), type: v.number(), categoryId: v.number() })) }),
    calls: [wechat.titles],
    handler: ({ ids, start, limit }, { services, signal }) =>
      services.account.get(wechat.titles.path, { query: { ids: Array.isArray(ids) ? ids.join(',') : ids, start: start ?? 0, limit: limit ?? 30 }, signal }),
  }),
  forward(wechat.keywords, {
    path: '/subscribe/getpubtemplatekeywords',
    summary: "A public title's keywords (kid, name, example, rule).",
    body: v.object({ tid }),
    response: v.looseObject({ ...ok, data: v.array(v.looseObject({ kid: v.number(), name: v.string(), example: v.string(), rule: v.string() })) }),
  }),
  forward(wechat.templates, {
    path: '/subscribe/list',
    summary: "The account's private templates.",
    body: v.object({}),
    response: v.looseObject({ ...ok, data: v.array(v.looseObject({ priTmplId: v.string(), title: v.string(), content: v.string(), example: v.string(), type: v.number() })) }),
  }),
];
