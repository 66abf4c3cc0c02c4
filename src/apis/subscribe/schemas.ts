/** Body parts the subscription and template-message sends share: the placeholder data and the mini-program link. */
import * as v from 'valibot';
import { keywordProblem } from './keywords.js';

export const openid = v.pipe(v.string(), v.minLength(1), v.maxLength(128));
export const templateId = v.pipe(v.string(), v.minLength(1), v.maxLength(128));

export const miniprogram = v.object({
  appid: v.pipe(v.string(), v.minLength(1), v.maxLength(64)),
  pagepath: v.optional(v.pipe(v.string(), v.maxLength(1024))),
});

const color = v.pipe(v.string(), v.regex(/^#[0-9a-fA-F]{6}$/));

/**
 * `{"thing1": {"value": "…"}, …}`: keys are the template's placeholders; each typed key's value
 * follows its type's rule (keywords.ts). Template messages may also carry a colour per value.
 */
export function templateData(withColor: boolean) {
  const entry = withColor
    ? v.object({ value: v.pipe(v.string(), v.maxLength(4096)), color: v.optional(color) })
    : v.object({ value: v.pipe(v.string(), v.maxLength(4096)) });
  return v.pipe(
    v.record(v.pipe(v.string(), v.regex(/^[A-Za-z_][\w]{0,63}$/)), entry),
    v.check((data) => Object.keys(data).length > 0 && Object.keys(data).length <= 50, 'must have between 1 and 50 placeholders'),
    v.rawCheck(({ dataset, addIssue }) => {
      if (!dataset.typed) return;
      for (const [key, { value }] of Object.entries(dataset.value)) {
        const problem = keywordProblem(key, value);
        if (problem) {
          const item = dataset.value[key];
          addIssue({
            message: problem,
            path: [
              { type: 'object', origin: 'value', input: dataset.value, key, value: item },
              { type: 'object', origin: 'value', input: item, key: 'value', value },
            ],
          });
        }
      }
    }),
  );
}

/** WeChat's success fields, present on most answers. */
export const ok = { errcode: v.optional(v.number()), errmsg: v.optional(v.string()) };
