/**
 * The operator's reply rules (MESSAGE_RULES): checked once at start, with errors that name the
 * rule, then matched against each message. Regular expressions run on user input, so a
 * pattern that can backtrack without bound is refused and long texts are not tested at all.
 */
import ret, { types, type Root, type Token } from 'ret';
import * as v from 'valibot';
import { isEvent, type InboundMessage } from './messages.js';
import { ReplySchema, type Reply } from './replies.js';
import { RulesError } from './rules-error.js';

const KeywordSchema = v.strictObject({
  match: v.optional(v.pipe(v.string(), v.minLength(1))),
  regex: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(256))),
  ignoreCase: v.optional(v.boolean()),
  reply: ReplySchema,
});

const RulesSchema = v.strictObject({
  subscribe: v.optional(ReplySchema),
  keywords: v.optional(v.array(KeywordSchema)),
  click: v.optional(v.record(v.string(), ReplySchema)),
  scan: v.optional(v.record(v.string(), ReplySchema)),
  default: v.optional(ReplySchema),
});

type RulesInput = v.InferOutput<typeof RulesSchema>;

/** Texts longer than this are matched by exact keywords only. */
export const MAX_REGEX_INPUT = 1024;

export { RulesError };

export interface RuleMatch {
  /** Which rule answered, as written in the rules: `keywords[1]`, `click.MENU_NEWS`, `default`. */
  rule: string;
  reply: Reply;
}

interface Keyword {
  name: string;
  test: (content: string) => boolean;
  reply: Reply;
}

export interface Rules {
  /** The reply to this message, or undefined when no rule answers it. */
  match(message: InboundMessage): RuleMatch | undefined;
}

/** Parses and checks rules given as JSON text; throws RulesError naming the rule at fault. */
export function parseRules(json: string): Rules {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    throw new RulesError('rules', 'are not valid JSON');
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new RulesError('rules', 'must be a JSON object');
  const result = v.safeParse(RulesSchema, raw);
  if (!result.success) {
    const issue = result.issues[0];
    throw new RulesError(pathOf(issue), describe(issue));
  }
  return compile(result.output);
}

function compile(input: RulesInput): Rules {
  const keywords: Keyword[] = (input.keywords ?? []).map((keyword, index) => {
    const name = `keywords[${index}]`;
    if ((keyword.match === undefined) === (keyword.regex === undefined)) {
      throw new RulesError(name, 'must have either "match" or "regex"');
    }
    if (keyword.match !== undefined) {
      const expected = keyword.ignoreCase ? keyword.match.trim().toLowerCase() : keyword.match.trim();
      return { name, reply: keyword.reply, test: (content) => (keyword.ignoreCase ? content.toLowerCase() : content) === expected };
    }
    const source = keyword.regex!;
    const unsafe = unsafeRegex(source);
    if (unsafe) throw new RulesError(`${name}.regex`, unsafe);
    const pattern = new RegExp(source, keyword.ignoreCase ? 'iu' : 'u');
    return { name, reply: keyword.reply, test: (content) => content.length <= MAX_REGEX_INPUT && pattern.test(content) };
  });
  const click = new Map(Object.entries(input.click ?? {}));
  const scan = new Map(Object.entries(input.scan ?? {}));
  const found = (rule: string, reply: Reply | undefined) => (reply ? { rule, reply } : undefined);

  return {
    match(message) {
      if (isEvent(message)) {
        const eventKey = (message as { EventKey?: unknown }).EventKey;
        const key = typeof eventKey === 'string' ? eventKey : '';
        switch (message.Event) {
          case 'subscribe': {
            // A follow through a QR code with a scene is welcomed by that scene's rule, if any.
            const scene = key.startsWith('qrscene_') ? key.slice('qrscene_'.length) : undefined;
            return (scene !== undefined && found(`scan.${scene}`, scan.get(scene))) || found('subscribe', input.subscribe);
          }
          case 'SCAN':
            return found(`scan.${key}`, scan.get(key));
          case 'CLICK':
            return found(`click.${key}`, click.get(key)) ?? found('default', input.default);
          default:
            return undefined;
        }
      }
      if (message.MsgType === 'text' && typeof message.Content === 'string') {
        const content = message.Content.trim();
        const keyword = keywords.find((k) => k.test(content));
        if (keyword) return { rule: keyword.name, reply: keyword.reply };
      }
      return found('default', input.default);
    },
  };
}

/**
 * Why a pattern could take time exponential in its input, or undefined. Refused: a repetition
 * inside a repetition (`(a+)+`), a repeated group with alternatives (`(a|a)*`), back-references.
 */
export function unsafeRegex(pattern: string): string | undefined {
  try {
    new RegExp(pattern, 'u');
  } catch {
    return 'is not a valid regular expression';
  }
  // The tokenizer reads `\k<name>` as plain characters.
  if (/\\k</.test(pattern)) return BACK_REFERENCE;
  let root: Root;
  try {
    // The package's CommonJS export is the tokenizer itself.
    root = (ret as unknown as (source: string) => Root)(pattern);
  } catch {
    return 'is not a valid regular expression';
  }
  return walk({ type: types.GROUP, remember: false, stack: root.stack, options: root.options }, false);
}

const BACK_REFERENCE = 'uses a back-reference, which can take exponential time; rewrite it';

function walk(token: Token, repeated: boolean): string | undefined {
  switch (token.type) {
    case types.REPETITION: {
      if (repeated && token.max > 1) return 'repeats a repetition (like (a+)+), which can take exponential time; rewrite it';
      return walk(token.value, repeated || token.max > 1);
    }
    case types.REFERENCE:
      return BACK_REFERENCE;
    case types.GROUP: {
      const group = token;
      if (repeated && group.options && group.options.length > 1) {
        return 'repeats a group with alternatives (like (a|b)*), which can take exponential time; use a character class';
      }
      for (const branch of group.options ?? [group.stack ?? []]) {
        for (const child of branch) {
          const problem = walk(child, repeated);
          if (problem) return problem;
        }
      }
      return undefined;
    }
    default:
      return undefined;
  }
}

type Issue = v.BaseIssue<unknown>;

function pathOf(issue: Issue): string {
  let name = 'rules';
  for (const item of issue.path ?? []) {
    name = typeof item.key === 'number' ? `${name}[${item.key}]` : name === 'rules' ? String(item.key) : `${name}.${String(item.key)}`;
  }
  return name;
}

function describe(issue: Issue): string {
  if (issue.type === 'strict_object' && issue.expected === 'never') return 'is not a known field';
  if (issue.input === undefined) return 'is required';
  switch (issue.type) {
    case 'variant':
      return 'must have a type: text, image, voice, video, music, news or transfer_customer_service';
    case 'strict_object':
    case 'record':
      return 'must be an object';
    case 'min_length':
      return typeof issue.input === 'string' ? 'must not be empty' : `must have at least ${issue.requirement} item`;
    case 'max_length':
      return typeof issue.input === 'string' ? `must be at most ${issue.requirement} characters` : `must have at most ${issue.requirement} items`;
    default:
      return `must be ${issue.expected ?? 'valid'}`;
  }
}
