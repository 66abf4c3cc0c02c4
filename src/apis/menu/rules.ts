/**
 * WeChat's checks on a menu body that reaches the emulator directly (40016–40027 and the
 * fields each type needs, wechat-oa-api.md §1.5, §6.1), in the order WeChat reports them.
 */
import { wxError, type ErrorReply } from '../../emulator/core.js';
import {
  BUTTON_FIELDS,
  BUTTON_TYPES,
  byteLength,
  MAX_BUTTONS,
  MAX_KEY_BYTES,
  MAX_NAME_BYTES,
  MAX_SUB_BUTTONS,
  MAX_SUB_NAME_BYTES,
  MAX_URL_BYTES,
  REQUIRED_FIELDS,
  type ButtonType,
} from './limits.js';

export interface MenuButton {
  name: string;
  type?: ButtonType;
  key?: string;
  url?: string;
  media_id?: string;
  article_id?: string;
  appid?: string;
  pagepath?: string;
  sub_button?: MenuButton[];
}

/** The errcodes of one check, for a top-level button and for a sub-button. */
const CODES = {
  type: [40017, 40024, 'invalid button type', 'invalid sub button type'],
  name: [40018, 40025, 'invalid button name size', 'invalid sub button name size'],
  key: [40019, 40026, 'invalid button key size', 'invalid sub button key size'],
  url: [40020, 40027, 'invalid button url size', 'invalid sub button url size'],
} as const;

const fail = (check: keyof typeof CODES, sub: boolean) => {
  const [top, nested, topText, nestedText] = CODES[check];
  return wxError(sub ? nested : top, sub ? nestedText : topText);
};

const sized = (value: unknown, max: number) => typeof value === 'string' && value.length > 0 && byteLength(value) <= max;

/** The menu's buttons, checked and reduced to WeChat's fields; or WeChat's error. */
export function checkButtons(input: unknown): MenuButton[] | ErrorReply {
  if (!Array.isArray(input) || input.length === 0 || input.length > MAX_BUTTONS) return wxError(40016, 'invalid button size');
  const out: MenuButton[] = [];
  for (const raw of input) {
    const button = asRecord(raw);
    if (!sized(button.name, MAX_NAME_BYTES)) return fail('name', false);
    const subs = button.sub_button;
    if (Array.isArray(subs) && subs.length > 0) {
      if (subs.length > MAX_SUB_BUTTONS) return wxError(40023, 'invalid sub button size');
      const children: MenuButton[] = [];
      for (const rawSub of subs) {
        const sub = asRecord(rawSub);
        if (!sized(sub.name, MAX_SUB_NAME_BYTES)) return fail('name', true);
        const leaf = checkLeaf(sub, true);
        if ('errcode' in leaf) return leaf;
        children.push(leaf);
      }
      out.push({ name: button.name as string, sub_button: children });
    } else {
      const leaf = checkLeaf(button, false);
      if ('errcode' in leaf) return leaf;
      out.push(leaf);
    }
  }
  return out;
}

function checkLeaf(button: Record<string, unknown>, sub: boolean): MenuButton | ErrorReply {
  const type = button.type as ButtonType;
  if (!BUTTON_TYPES.includes(type)) return fail('type', sub);
  const needs: readonly string[] = REQUIRED_FIELDS[type];
  if ((needs.includes('key') || button.key !== undefined) && !sized(button.key, MAX_KEY_BYTES)) return fail('key', sub);
  if ((needs.includes('url') || button.url !== undefined) && !sized(button.url, MAX_URL_BYTES)) return fail('url', sub);
  if (needs.includes('media_id') && !sized(button.media_id, 256)) return wxError(40007, 'invalid media_id');
  if (needs.includes('article_id') && !sized(button.article_id, 256)) return wxError(40007, 'invalid media_id');
  if (needs.includes('appid') && !sized(button.appid, 256)) return wxError(40166, 'invalid weapp appid');
  if (needs.includes('pagepath') && !sized(button.pagepath, 1024)) return wxError(40165, 'invalid weapp pagepath');
  const leaf: Record<string, unknown> = {};
  for (const field of BUTTON_FIELDS) if (typeof button[field] === 'string') leaf[field] = button[field];
  return leaf as unknown as MenuButton;
}

const asRecord = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
