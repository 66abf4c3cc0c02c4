/**
 * The subscription-notification emulator part: the public library (library.ts), each account's
 * private templates (at most 25, the 2000xx errors of §4.3) and the send, which spends one of the
 * user's acceptances (audience.accept / takeAcceptance) and reaches the user's chat.
 * Other code reads the private templates through `part.templates.list(appId)`.
 */
import { randomBytes } from 'node:crypto';
import { wxError, type Reply } from '../../emulator/core.js';
import type { EmulatorPart, EmulatorPartFactory } from '../../emulator/part.js';
import { wechat } from './endpoints.js';
import { keywordProblem } from './keywords.js';
import { CATEGORIES, TITLES, type LibraryKeyword, type LibraryTitle } from './library.js';

export const PRIVATE_TEMPLATE_LIMIT = 25;

export interface PrivateSubscribeTemplate {
  priTmplId: string;
  tid: number;
  title: string;
  type: 2 | 3;
  sceneDesc: string;
  keywords: LibraryKeyword[];
}

/** A keyword's placeholder in the template's content: its type and its id (`thing2`). */
const placeholder = (keyword: LibraryKeyword) => `${keyword.rule}${keyword.kid}`;

export class SubscribeTemplates {
  private readonly byAccount = new Map<string, Map<string, PrivateSubscribeTemplate>>();

  list(appId: string): PrivateSubscribeTemplate[] {
    return [...this.of(appId).values()];
  }

  get(appId: string, priTmplId: string): PrivateSubscribeTemplate | undefined {
    return this.of(appId).get(priTmplId);
  }

  add(appId: string, title: LibraryTitle, kids: number[], sceneDesc: string): PrivateSubscribeTemplate {
    const template: PrivateSubscribeTemplate = {
      priTmplId: randomBytes(21).toString('base64url'),
      tid: title.tid,
      title: title.title,
      type: title.type,
      sceneDesc,
      keywords: kids.map((kid) => title.keywords.find((keyword) => keyword.kid === kid)!),
    };
    this.of(appId).set(template.priTmplId, template);
    return template;
  }

  delete(appId: string, priTmplId: string): boolean {
    return this.of(appId).delete(priTmplId);
  }

  clear(): void {
    this.byAccount.clear();
  }

  private of(appId: string): Map<string, PrivateSubscribeTemplate> {
    let map = this.byAccount.get(appId);
    if (!map) this.byAccount.set(appId, (map = new Map()));
    return map;
  }
}

export interface SubscribeEmulatorPart extends EmulatorPart {
  templates: SubscribeTemplates;
}

const OK = { errcode: 0, errmsg: 'ok' };

function shown(template: PrivateSubscribeTemplate): Reply {
  const enums = template.keywords.filter((keyword) => keyword.enumValues);
  return {
    priTmplId: template.priTmplId,
    title: template.title,
    content: template.keywords.map((keyword) => `${keyword.name}:{{${placeholder(keyword)}.DATA}}`).join('\n'),
    example: template.keywords.map((keyword) => `${keyword.name}:${keyword.example}`).join('\n'),
    type: template.type,
    ...(enums.length && { keywordEnumValueList: enums.map((keyword) => ({ keywordCode: placeholder(keyword), enumValueList: keyword.enumValues })) }),
  };
}

/** 47003 naming the first value WeChat would refuse, as its errmsg does. */
export function dataProblem(keys: Array<{ key: string; enumValues?: string[] }>, data: unknown): Reply | undefined {
  const values = typeof data === 'object' && data !== null ? (data as Record<string, unknown>) : {};
  for (const { key, enumValues } of keys) {
    const entry = values[key];
    const value = typeof entry === 'object' && entry !== null ? (entry as { value?: unknown }).value : undefined;
    const text = typeof value === 'string' ? value : '';
    const problem = text.trim() === '' ? 'empty' : enumValues ? (enumValues.includes(text) ? undefined : 'not in enum') : keywordProblem(key, text);
    if (problem) return wxError(47003, `argument invalid! data.${key}.value ${problem}`);
  }
  return undefined;
}

export const part: EmulatorPartFactory<SubscribeEmulatorPart> = (core) => {
  const templates = new SubscribeTemplates();
  core.onReset(() => templates.clear());
  const str = (value: unknown) => (typeof value === 'string' || typeof value === 'number' ? String(value) : '');

  return {
    templates,
    endpoints: [
      {
        ...wechat.bizsend,
        token: 'global',
        answer: ({ account, body }) => {
          const appId = account!.app.appId;
          const follower = core.audience.get(appId, str(body.touser));
          if (!follower) return wxError(40003, 'invalid openid');
          const template = templates.get(appId, str(body.template_id));
          if (!template) return wxError(40037, 'invalid template_id');
          const problem = dataProblem(template.keywords.map((keyword) => ({ key: placeholder(keyword), enumValues: keyword.enumValues })), body.data);
          if (problem) return problem;
          if (!follower.subscribed || !core.audience.takeAcceptance(appId, follower.openid, template.priTmplId)) {
            return wxError(43101, 'user refuse to accept the msg');
          }
          const sent = core.audience.deliver(appId, follower.openid, 'subscribe', { template_id: template.priTmplId, title: template.title, data: body.data, page: body.page, miniprogram: body.miniprogram });
          return { ...OK, msgid: sent.id };
        },
      },
      {
        ...wechat.addTemplate,
        token: 'global',
        answer: ({ account, body }) => {
          const appId = account!.app.appId;
          const title = TITLES.find((candidate) => String(candidate.tid) === str(body.tid));
          if (!title) return wxError(200014, 'invalid tid');
          const kids = Array.isArray(body.kidList) ? body.kidList : [];
          const known = kids.every((kid) => title.keywords.some((keyword) => keyword.kid === kid));
          if (kids.length < 2 || kids.length > 5 || !known || new Set(kids).size !== kids.length) return wxError(200020, 'invalid kidList');
          const sceneDesc = body.sceneDesc === undefined ? '' : body.sceneDesc;
          if (typeof sceneDesc !== 'string' || [...sceneDesc].length > 15) return wxError(200021, 'invalid sceneDesc');
          if (templates.list(appId).length >= PRIVATE_TEMPLATE_LIMIT) return wxError(200012, 'private template count reaches limit');
          return { ...OK, priTmplId: templates.add(appId, title, kids as number[], sceneDesc).priTmplId };
        },
      },
      {
        ...wechat.delTemplate,
        token: 'global',
        answer: ({ account, body }) => (templates.delete(account!.app.appId, str(body.priTmplId)) ? OK : wxError(40037, 'invalid template_id')),
      },
      { ...wechat.category, token: 'global', answer: () => ({ ...OK, data: CATEGORIES }) },
      {
        ...wechat.titles,
        token: 'global',
        answer: ({ query }) => {
          const ids = (query.ids ?? '').split(',').filter(Boolean).map(Number);
          const start = Number(query.start);
          const limit = Number(query.limit);
          if (!ids.length || !Number.isInteger(start) || start < 0 || !Number.isInteger(limit) || limit < 1 || limit > 30) {
            return wxError(40035, 'invalid parameter');
          }
          const matching = TITLES.filter((title) => ids.includes(title.categoryId));
          return {
            ...OK,
            count: matching.length,
            data: matching.slice(start, start + limit).map(({ tid, title, type, categoryId }) => ({ tid, title, type, categoryId })),
          };
        },
      },
      {
        ...wechat.keywords,
        token: 'global',
        answer: ({ query }) => {
          const title = TITLES.find((candidate) => String(candidate.tid) === query.tid);
          if (!title) return wxError(200014, 'invalid tid');
          return { ...OK, count: title.keywords.length, data: title.keywords.map(({ kid, name, example, rule }) => ({ kid, name, example, rule })) };
        },
      },
      { ...wechat.templates, token: 'global', answer: ({ account }) => ({ ...OK, data: templates.list(account!.app.appId).map(shown) }) },
    ],
  };
};
