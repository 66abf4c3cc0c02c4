/**
 * The README's table of routes, written from the list of API groups so it cannot drift from
 * what the function serves. `npm run docs:routes` rewrites the block between the markers in
 * README.md; test/readme-routes.test.ts fails when the README's block is not what this writes.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { GenericSchema } from 'valibot';
import type { ApiGroup } from '../src/apis/group.js';
import { groups } from '../src/apis/index.js';
import { methodsOf, type RouteDef } from '../src/function/route.js';

export const START = '<!-- routes:start (written by npm run docs:routes) -->';
export const END = '<!-- routes:end -->';

type Schema = GenericSchema & { type: string; entries?: Record<string, Schema>; wrapped?: Schema; options?: Schema[] };

/** The body's top-level fields, `?` marking the optional ones; the shapes a union accepts joined by "or". */
function fields(schema: Schema): string {
  if (schema.type === 'object' || schema.type === 'loose_object' || schema.type === 'strict_object') {
    const names = Object.entries(schema.entries ?? {}).map(([name, entry]) => (['optional', 'nullish', 'exact_optional'].includes(entry.type) ? `${name}?` : name));
    return names.length ? `\`{${names.join(', ')}}\`` : 'none';
  }
  // A body chosen by one field (an `action`): every field once, those not in every shape optional.
  if (schema.type === 'variant' && schema.options?.every((option) => option.entries)) return fields(mergedVariant(schema.options));
  if ((schema.type === 'union' || schema.type === 'variant') && schema.options) return schema.options.map(fields).join(' or ');
  if (schema.wrapped) return fields(schema.wrapped);
  return 'see /openapi.json';
}

/** The shapes of a variant as one object schema: a field missing from some shape is optional. */
function mergedVariant(options: Schema[]): Schema {
  const entries: Record<string, Schema> = {};
  for (const option of options) {
    for (const [name, entry] of Object.entries(option.entries!)) {
      const everywhere = options.every((other) => other.entries![name] && other.entries![name].type !== 'optional');
      entries[name] ??= everywhere ? entry : ({ type: 'optional' } as Schema);
    }
  }
  return { type: 'object', entries } as Schema;
}

/** The summary's first sentence: the table is an index, /openapi.json has the rest. */
function firstSentence(text: string): string {
  const end = text.search(/\.(\s|$)/);
  return (end === -1 ? text : text.slice(0, end + 1)).replace(/\|/g, '\\|');
}

const ACCESS: Record<RouteDef['access'], string> = { public: 'anyone', user: 'signed-in user', admin: 'admin key' };

function input(route: RouteDef): string {
  if (route.input === 'multipart') return `multipart form: ${fields(route.body as Schema)}`;
  if (route.input === 'xml') return 'WeChat\'s XML';
  return fields(route.body as Schema);
}

export function routeTable(list: readonly ApiGroup[] = groups): string {
  const rows = ['| group | route | method | access | body | what it does |', '|---|---|---|---|---|---|'];
  for (const group of list) {
    for (const route of group.routes) {
      rows.push(`| ${group.name} | \`${route.path}\` | ${methodsOf(route).join(', ')} | ${ACCESS[route.access]} | ${input(route)} | ${firstSentence(route.summary)} |`);
    }
  }
  return rows.join('\n');
}

/** README.md with its route block replaced by `table`. */
export function withTable(readme: string, table: string): string {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start === -1 || end < start) throw new Error(`README.md has no ${START} … ${END} block`);
  return `${readme.slice(0, start + START.length)}\n${table}\n${readme.slice(end)}`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const file = join(dirname(fileURLToPath(import.meta.url)), '..', 'README.md');
  writeFileSync(file, withTable(readFileSync(file, 'utf8'), routeTable()));
  console.log(`README.md: ${groups.reduce((n, group) => n + group.routes.length, 0)} routes in ${groups.length} groups`);
}
