/**
 * WeChat's value rules for template placeholders (wechat-oa-api.md §4.1). A placeholder is named
 * by its type and a number (`thing1`, `character_string3`), so a value can be checked from its key
 * alone: the routes check before calling WeChat, and the emulator refuses what WeChat would (47003).
 * Keys without a known type (`keyword1`, `first`, `remark` of older templates) have no rule.
 */

const chars = (value: string) => [...value].length;
const han = /\p{Script=Han}/u;
const TIME = String.raw`\d{1,2}:\d{2}(:\d{2})?`;
const DATE = String.raw`\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?`;
const ranged = (single: string) => new RegExp(`^${single}(\\s*~\\s*${single})?$`);
const time = ranged(`(${DATE}\\s*)?${TIME}`);
const date = ranged(`${DATE}(\\s*${TIME})?`);

/** The rule of each placeholder type, and the words a refusal uses. */
const RULES: Record<string, { ok: (value: string) => boolean; says: string }> = {
  thing: { ok: (value) => chars(value) <= 20, says: 'at most 20 characters' },
  number: { ok: (value) => /^\d+(\.\d+)?$/.test(value) && value.replace('.', '').length <= 32, says: 'a number of at most 32 digits' },
  letter: { ok: (value) => /^[A-Za-z]{1,32}$/.test(value), says: 'at most 32 letters' },
  symbol: { ok: (value) => /^[^\p{L}\p{N}\s]{1,5}$/u.test(value), says: 'at most 5 symbols' },
  character_string: { ok: (value) => /^[\x21-\x7e]{1,32}$/.test(value), says: 'at most 32 digits, letters or symbols' },
  time: { ok: (value) => time.test(value), says: 'a 24-hour time, optionally with its date (a range joined by ~)' },
  date: { ok: (value) => date.test(value), says: 'a date, optionally with a 24-hour time (a range joined by ~)' },
  amount: { ok: (value) => /^[¥￥$€£]?\d{1,10}(\.\d{1,2})?元?$/.test(value), says: 'an amount: a currency sign and at most 10 digits, optionally ending in 元' },
  phone_number: { ok: (value) => /^[\d+\-()\s]{1,17}$/.test(value), says: 'at most 17 digits and symbols' },
  car_number: { ok: (value) => /^[\p{Script=Han}A-Za-z0-9][A-Za-z0-9]*[\p{Script=Han}A-Za-z0-9]?$/u.test(value) && chars(value) <= 8, says: 'a plate number of at most 8 characters' },
  name: { ok: (value) => (han.test(value) ? chars(value) <= 10 : chars(value) <= 20), says: 'at most 10 Chinese characters or 20 letters' },
  phrase: { ok: (value) => /^\p{Script=Han}{1,5}$/u.test(value), says: 'at most 5 Chinese characters' },
};

/** The placeholder type a key names (`character_string2` → character_string), if it is one WeChat checks. */
export function keywordType(key: string): string | undefined {
  const type = /^([a-z_]+?)\d+$/.exec(key)?.[1];
  return type !== undefined && (type in RULES || type === 'enum') ? type : undefined;
}

/** What is wrong with a placeholder's value, in words for `data.<key>.value …`; undefined when WeChat takes it. */
export function keywordProblem(key: string, value: string): string | undefined {
  const type = keywordType(key);
  if (type === undefined) return undefined;
  if (value.trim() === '') return 'must not be empty';
  const rule = RULES[type];
  return rule && !rule.ok(value) ? `must be ${rule.says} (a ${type} placeholder)` : undefined;
}
