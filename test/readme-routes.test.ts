/**
 * The README's route table is the groups list written out: a route added, renamed or given
 * another access level without `npm run docs:routes` fails here.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { END, routeTable, START } from '../scripts/route-table.js';
import { groups } from '../src/apis/index.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe("the README's route table", () => {
  it('is what npm run docs:routes writes from the groups list', () => {
    const block = readme.slice(readme.indexOf(START) + START.length, readme.indexOf(END)).trim();
    assert.equal(block, routeTable(), 'run npm run docs:routes');
  });

  it('lists every route of every group with its access level', () => {
    for (const group of groups) {
      for (const route of group.routes) {
        assert.match(readme, new RegExp(`\\| ${group.name} \\| \`${route.path.replace(/[/]/g, '\\/')}\` \\|[^\\n]*\\| (anyone|signed-in user|admin key) \\|`), route.path);
      }
    }
  });
});
