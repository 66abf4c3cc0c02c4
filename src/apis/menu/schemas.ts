/**
 * The menu bodies with WeChat's own limits (wechat-oa-api.md §6.1, §6.4), so a menu WeChat
 * would refuse gets a 400 naming the field before any call.
 */
import * as v from 'valibot';
import { BUTTON_TYPES, MAX_BUTTONS, MAX_KEY_BYTES, MAX_NAME_BYTES, MAX_SUB_BUTTONS, MAX_SUB_NAME_BYTES, MAX_URL_BYTES, REQUIRED_FIELDS, type ButtonType } from './limits.js';

const text = (maxBytes: number) => v.pipe(v.string(), v.minLength(1), v.maxBytes(maxBytes));
const id = v.pipe(v.string(), v.minLength(1), v.maxLength(256));

const leafFields = {
  type: v.optional(v.picklist(BUTTON_TYPES)),
  key: v.optional(text(MAX_KEY_BYTES)),
  url: v.optional(text(MAX_URL_BYTES)),
  media_id: v.optional(id),
  article_id: v.optional(id),
  appid: v.optional(id),
  pagepath: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(1024))),
};

type Leaf = { name: string; type?: ButtonType; sub_button?: unknown[] };

/** A leaf needs its type and the fields that type uses; a parent (with sub-buttons) needs neither. */
const actionable = <T extends Leaf>() =>
  v.rawCheck<T>(({ dataset, addIssue }) => {
  if (!dataset.typed) return;
  const button = dataset.value;
  if (button.sub_button?.length) return;
  if (!button.type) {
    addIssue({ message: 'is required (or sub_button)', path: [pathItem(button, 'type')] });
    return;
  }
  for (const field of REQUIRED_FIELDS[button.type]) {
    if ((button as Record<string, unknown>)[field] === undefined) addIssue({ message: `is required for type ${button.type}`, path: [pathItem(button, field)] });
  }
});

function pathItem(input: object, key: string): v.ObjectPathItem {
  return { type: 'object', origin: 'value', input: input as Record<string, unknown>, key, value: (input as Record<string, unknown>)[key] };
}

export const subButton = v.pipe(v.object({ name: text(MAX_SUB_NAME_BYTES), ...leafFields }), actionable());

export const button = v.pipe(
  v.object({
    name: text(MAX_NAME_BYTES),
    ...leafFields,
    // An empty list is a leaf: menu/get shows every leaf with `sub_button: []`.
    sub_button: v.optional(v.pipe(v.array(subButton), v.maxLength(MAX_SUB_BUTTONS))),
  }),
  actionable(),
);

export const buttons = v.pipe(v.array(button), v.minLength(1), v.maxLength(MAX_BUTTONS));

const ruleValue = v.union([v.pipe(v.string(), v.maxLength(64)), v.number()]);

export const matchrule = v.pipe(
  v.object({
    tag_id: v.optional(ruleValue),
    sex: v.optional(ruleValue),
    country: v.optional(ruleValue),
    province: v.optional(ruleValue),
    city: v.optional(ruleValue),
    client_platform_type: v.optional(ruleValue),
    language: v.optional(ruleValue),
  }),
  v.rawCheck(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    const rule = dataset.value as Record<string, unknown>;
    if (!Object.values(rule).some((value) => value !== undefined && value !== '')) addIssue({ message: 'must set at least one of tag_id, sex, country, province, city, client_platform_type, language' });
    else if (rule.province && !rule.country) addIssue({ message: 'is required with province', path: [pathItem(rule, 'country')] });
    else if (rule.city && !rule.province) addIssue({ message: 'is required with city', path: [pathItem(rule, 'province')] });
  }),
);

export const menuId = v.union([v.pipe(v.string(), v.regex(/^\d{1,20}$/)), v.pipe(v.number(), v.integer(), v.minValue(0))]);
