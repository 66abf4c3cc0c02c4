/** Template-message management: the account's two industries and its private templates (§7.2). */
import * as v from 'valibot';
import { forward } from '../group.js';
import { ok, templateId } from '../subscribe/schemas.js';
import { wechat } from './endpoints.js';

/** WeChat's industry codes are strings of digits; a number is sent as one. */
const industryId = v.pipe(
  v.union([v.pipe(v.string(), v.regex(/^\d{1,3}$/)), v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(999))]),
  v.transform(String),
);
const industry = v.looseObject({ first_class: v.string(), second_class: v.string() });

export const templateRoutes = [
  forward(wechat.setIndustry, {
    path: '/template/industry_set',
    summary: "Sets the account's two industries (WeChat's industry codes); they may change once a month.",
    body: v.pipe(
      v.object({ industry_id1: industryId, industry_id2: industryId }),
      v.check((body) => body.industry_id1 !== body.industry_id2, 'industry_id2 must differ from industry_id1'),
    ),
    response: v.looseObject(ok),
  }),
  forward(wechat.getIndustry, {
    path: '/template/industry_get',
    summary: "The account's primary and secondary industries.",
    body: v.object({}),
    response: v.looseObject({ primary_industry: industry, secondary_industry: industry }),
  }),
  forward(wechat.add, {
    path: '/template/add',
    summary: "Adds a template from the library of the account's industries by its short id, with the keywords to show (at most 25 templates).",
    body: v.object({
      template_id_short: v.pipe(v.string(), v.minLength(1), v.maxLength(64)),
      keyword_name_list: v.optional(v.pipe(v.array(v.pipe(v.string(), v.minLength(1), v.maxLength(64))), v.minLength(1), v.maxLength(30))),
    }),
    response: v.looseObject({ ...ok, template_id: v.string() }),
  }),
  forward(wechat.list, {
    path: '/template/list',
    summary: "The account's templates.",
    body: v.object({}),
    response: v.looseObject({
      template_list: v.array(v.looseObject({ template_id: v.string(), title: v.string(), primary_industry: v.string(), deputy_industry: v.string(), content: v.string(), example: v.string() })),
    }),
  }),
  forward(wechat.del, {
    path: '/template/del',
    summary: 'Deletes one of the account\'s templates.',
    body: v.object({ template_id: templateId }),
    response: v.looseObject(ok),
  }),
];
