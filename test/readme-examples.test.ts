/**
 * The README's shell examples, run as a reader would paste them against `npm start` (the local run:
 * the function, the emulator, the sign-in stand-in), with only the ports changed to free ones.
 * Each printed answer must match the answer the README shows under it (its code and errcode).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { freePort } from './support/ports.js';
import { spawnFunction, type SpawnedFunction } from './support/spawned.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
/** The ```sh blocks that call the local run. */
const examples = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((match) => match[1]).filter((block) => block.includes('curl '));

interface Expected {
  code: number;
  errcode?: number;
}

/** The `# {…}` answers a block shows, in order (an answer may go on over `#  ` lines). */
function expectedAnswers(block: string): Expected[] {
  const answers: string[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith('# {')) answers.push(line.slice(2));
    else if (line.startsWith('#  ') && answers.length) answers[answers.length - 1] += line.slice(3);
  }
  return answers.map((text) => {
    const code = /"code":(-?\d+)/.exec(text);
    assert.ok(code, `an answer in the README without a code: ${text}`);
    const errcode = /"errcode":(\d+)/.exec(text);
    return { code: Number(code[1]), ...(errcode && { errcode: Number(errcode[1]) }) };
  });
}

let fn: SpawnedFunction;
let emulatorPort: number;

before(async () => {
  emulatorPort = await freePort();
  const port = await freePort();
  fn = await spawnFunction(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'dev'], {
    cwd: root,
    env: { PORT: String(port), EMULATOR_PORT: String(emulatorPort), LOG_LEVEL: 'info' },
  });
});

after(async () => {
  fn?.child.kill('SIGTERM');
  await fn?.exited;
});

describe("the README's shell examples", () => {
  it('are there', () => {
    assert.ok(examples.length >= 1);
  });

  for (const [index, block] of examples.entries()) {
    it(`example ${index + 1} answers as the README shows`, async () => {
      const script = block.replaceAll('localhost:9000', `localhost:${fn.port}`).replaceAll('localhost:9100', `localhost:${emulatorPort}`);
      // Each answer on a line of its own (curl -s prints none after the JSON).
      const prelude = 'set -euo pipefail\ncurl() { command curl --max-time 10 "$@"; echo; }\n';
      const { stdout } = await promisify(execFile)('bash', ['-c', prelude + script], { cwd: root });
      const printed = stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line));
      const expected = expectedAnswers(block);
      assert.equal(printed.length, expected.length, stdout);
      for (const [at, want] of expected.entries()) {
        assert.equal(printed[at].code, want.code, JSON.stringify(printed[at]));
        if (want.errcode !== undefined) assert.equal(printed[at].errcode, want.errcode, JSON.stringify(printed[at]));
      }
    });
  }
});
