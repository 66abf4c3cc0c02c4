/**
 * The template-message emulator part: each account's two industries (changed at most once in 30
 * days: 43100), its private templates from the library of those industries (25 at most: 45026;
 * another industry's: 45027), and the send, which reaches followers only (43004, 43019 on the
 * blacklist, 40037, 47003) and lands in the user's chat. Other code reads the state through
 * `part.templates.industries(appId)` and `part.templates.list(appId)`.
 */
import { randomBytes } from 'node:crypto';
import type { Clock } from '../../clock.js';
import { wxError, type Reply } from '../../emulator/core.js';
import type { EmulatorPart, EmulatorPartFactory } from '../../emulator/part.js';
import { dataProblem } from '../subscribe/emulator.js';
import { wechat } from './endpoints.js';
import { INDUSTRIES, LIBRARY, type LibraryTemplate } from './library.js';

export const TEMPLATE_LIMIT = 25;
export const INDUSTRY_CHANGE_GAP_MS = 30 * 86_400_000;

export interface PrivateTemplate {
  template_id: string;
  short: LibraryTemplate;
  keywords: LibraryTemplate['keywords'];
}

interface AccountTemplates {
  industries?: [string, string];
  industriesSetAt?: number;
  templates: Map<string, PrivateTemplate>;
}

const placeholder = (rule: string, index: number) => `${rule}${index + 1}`;

export class TemplateState {
  private readonly byAccount = new Map<string, AccountTemplates>();

  constructor(private readonly clock: Clock) {}

  industries(appId: string): [string, string] | undefined {
    return this.of(appId).industries;
  }

  /** false when the industries changed less than 30 days ago (43100). */
  setIndustries(appId: string, ids: [string, string]): boolean {
    const account = this.of(appId);
    const now = this.clock.now();
    if (account.industriesSetAt !== undefined && now - account.industriesSetAt < INDUSTRY_CHANGE_GAP_MS) return false;
    account.industries = ids;
    account.industriesSetAt = now;
    return true;
  }

  list(appId: string): PrivateTemplate[] {
    return [...this.of(appId).templates.values()];
  }

  get(appId: string, templateId: string): PrivateTemplate | undefined {
    return this.of(appId).templates.get(templateId);
  }

  add(appId: string, short: LibraryTemplate, keywords: LibraryTemplate['keywords']): PrivateTemplate {
    const template = { template_id: randomBytes(32).toString('base64url'), short, keywords };
    this.of(appId).templates.set(template.template_id, template);
    return template;
  }

  delete(appId: string, templateId: string): boolean {
    return this.of(appId).templates.delete(templateId);
  }

  clear(): void {
    this.byAccount.clear();
  }

  private of(appId: string): AccountTemplates {
    let account = this.byAccount.get(appId);
    if (!account) this.byAccount.set(appId, (account = { templates: new Map() }));
    return account;
  }
}

export interface TemplateEmulatorPart extends EmulatorPart {
  templates: TemplateState;
}

const OK = { errcode: 0, errmsg: 'ok' };

function shown(template: PrivateTemplate): Reply {
  const industry = INDUSTRIES[template.short.industry];
  return {
    template_id: template.template_id,
    title: template.short.title,
    primary_industry: industry.first_class,
    deputy_industry: industry.second_class,
    content: template.keywords.map((keyword, index) => `${keyword.name}:{{${placeholder(keyword.rule, index)}.DATA}}`).join('\n'),
    example: template.keywords.map((keyword) => `${keyword.name}:${keyword.example}`).join('\n'),
  };
}

export const part: EmulatorPartFactory<TemplateEmulatorPart> = (core) => {
  const templates = new TemplateState(core.clock);
  core.onReset(() => templates.clear());
  const str = (value: unknown) => (typeof value === 'string' || typeof value === 'number' ? String(value) : '');

  return {
    templates,
    endpoints: [
      {
        ...wechat.setIndustry,
        token: 'global',
        answer: ({ account, body }) => {
          const ids: [string, string] = [str(body.industry_id1), str(body.industry_id2)];
          if (!INDUSTRIES[ids[0]] || !INDUSTRIES[ids[1]] || ids[0] === ids[1]) return wxError(40102, 'invalid industry id');
          return templates.setIndustries(account!.app.appId, ids) ? OK : wxError(43100, 'change template too frequently');
        },
      },
      {
        ...wechat.getIndustry,
        token: 'global',
        answer: ({ account }) => {
          const ids = templates.industries(account!.app.appId);
          const none = { first_class: '', second_class: '' };
          return { primary_industry: ids ? INDUSTRIES[ids[0]] : none, secondary_industry: ids ? INDUSTRIES[ids[1]] : none };
        },
      },
      {
        ...wechat.add,
        token: 'global',
        answer: ({ account, body }) => {
          const appId = account!.app.appId;
          const short = LIBRARY.find((candidate) => candidate.id === str(body.template_id_short));
          if (!short) return wxError(40037, 'invalid template_id');
          if (!templates.industries(appId)?.includes(short.industry)) return wxError(45027, 'template conflict with industry');
          const names = Array.isArray(body.keyword_name_list) ? body.keyword_name_list : undefined;
          const keywords = names ? names.map((name) => short.keywords.find((keyword) => keyword.name === name)) : short.keywords;
          if (keywords.some((keyword) => !keyword)) return wxError(47003, 'argument invalid! keyword_name_list');
          if (templates.list(appId).length >= TEMPLATE_LIMIT) return wxError(45026, 'template num exceeds limit');
          return { ...OK, template_id: templates.add(appId, short, keywords as LibraryTemplate['keywords']).template_id };
        },
      },
      { ...wechat.list, token: 'global', answer: ({ account }) => ({ template_list: templates.list(account!.app.appId).map(shown) }) },
      {
        ...wechat.del,
        token: 'global',
        answer: ({ account, body }) => (templates.delete(account!.app.appId, str(body.template_id)) ? OK : wxError(40037, 'invalid template_id')),
      },
      {
        ...wechat.send,
        token: 'global',
        dailyQuota: 100_000,
        answer: ({ account, body }) => {
          const appId = account!.app.appId;
          const follower = core.audience.get(appId, str(body.touser));
          if (!follower) return wxError(40003, 'invalid openid');
          const template = templates.get(appId, str(body.template_id));
          if (!template) return wxError(40037, 'invalid template_id');
          const problem = dataProblem(template.keywords.map((keyword, index) => ({ key: placeholder(keyword.rule, index) })), body.data);
          if (problem) return problem;
          if (!follower.subscribed) return wxError(43004, 'require subscribe');
          if (follower.blacklisted) return wxError(43019, 'the user is in the blacklist');
          const sent = core.audience.deliver(appId, follower.openid, 'template', {
            template_id: template.template_id,
            title: template.short.title,
            data: body.data,
            url: body.url,
            miniprogram: body.miniprogram,
          });
          return { ...OK, msgid: sent.id };
        },
      },
    ],
  };
};
