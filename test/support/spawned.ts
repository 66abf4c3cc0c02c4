/**
 * Child processes for tests: the one way a test spawns a program (the function, the CLI, the
 * emulator on its own), keeps every stdout and stderr line, waits for a line, and stops it.
 */
import { spawn, type ChildProcess } from 'node:child_process';

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface SpawnOptions {
  cwd?: string;
  /** The child's whole environment, besides PATH: nothing from the test runner's leaks in. */
  env?: Record<string, string>;
  /** How long `waitFor` waits by default. */
  timeoutMs?: number;
}

export interface Spawned {
  child: ChildProcess;
  stdout: string[];
  stderr: string[];
  exited: Promise<Exit>;
  /** The first line (of stdout unless told) that matches; rejects if the process exits first or after timeoutMs. A test function's match is the line itself. */
  waitFor(pattern: RegExp | ((line: string) => boolean), options?: { stream?: 'stdout' | 'stderr'; timeoutMs?: number }): Promise<RegExpMatchArray>;
  /** Sends the signal (SIGTERM unless told) if it still runs, and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<Exit>;
}

export function spawnProcess(command: string, args: string[], options: SpawnOptions = {}): Spawned {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout: string[] = [];
  const stderr: string[] = [];
  let done = false;
  const collect = (into: string[]) => {
    let partial = '';
    return (chunk: Buffer) => {
      const text = partial + chunk.toString('utf8');
      const lines = text.split('\n');
      partial = lines.pop() ?? '';
      into.push(...lines.filter(Boolean));
      child.emit('line');
    };
  };
  child.stdout!.on('data', collect(stdout));
  child.stderr!.on('data', collect(stderr));
  // Registered before any waiter's listener, so a waiter woken by 'close' already sees it.
  const exited = new Promise<Exit>((resolve) =>
    child.once('close', (code, signal) => {
      done = true;
      resolve({ code, signal });
    }),
  );

  const waitFor: Spawned['waitFor'] = (pattern, { stream = 'stdout', timeoutMs = options.timeoutMs ?? 20_000 } = {}) =>
    new Promise((resolve, reject) => {
      const lines = stream === 'stdout' ? stdout : stderr;
      const output = () => `\nstdout:\n${stdout.join('\n')}\nstderr:\n${stderr.join('\n')}`;
      const matchOf = (line: string): RegExpMatchArray | null =>
        typeof pattern === 'function' ? (pattern(line) ? (Object.assign([line], { index: 0, input: line }) as unknown as RegExpMatchArray) : null) : pattern.exec(line);
      const check = () => {
        for (const line of lines) {
          const match = matchOf(line);
          if (match) {
            cleanup();
            return resolve(match);
          }
        }
        if (done) {
          cleanup();
          reject(new Error(`process exited before a line matching ${pattern}${output()}`));
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`no line matching ${pattern} within ${timeoutMs} ms${output()}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        child.off('line', check);
        child.off('close', check);
      };
      child.on('line', check);
      child.on('close', check);
      check();
    });

  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (!done && child.exitCode === null && child.signalCode === null) child.kill(signal);
    return exited;
  };
  return { child, stdout, stderr, exited, waitFor, stop };
}

/** A TypeScript entry of this repository (src/cli.ts, src/emulator/main.ts…) run through tsx. */
export const spawnTsx = (script: string, args: string[], options: SpawnOptions = {}): Spawned =>
  spawnProcess(process.execPath, ['--import', 'tsx', script, ...args], options);

export interface SpawnedFunction extends Spawned {
  url: string;
  port: number;
  /** Resolves when a stdout line satisfies the test. */
  waitForLine(test: (line: string) => boolean, timeoutMs?: number): Promise<string>;
  kill(): void;
}

/** Runs the function as its own process, as a platform would, and waits for its "listening" log line to learn the port. */
export async function spawnFunction(command: string, args: string[], options: SpawnOptions): Promise<SpawnedFunction> {
  const spawned = spawnProcess(command, args, { timeoutMs: 15_000, ...options });
  const waitForLine = async (test: (line: string) => boolean, timeoutMs?: number) =>
    (await spawned.waitFor(test, { timeoutMs }))[0];
  const listening = JSON.parse(await waitForLine((line) => line.includes('"offiaccount-common listening"')));
  const port = Number(listening.port);
  return {
    ...spawned,
    port,
    url: `http://127.0.0.1:${port}`,
    waitForLine,
    kill: () => void spawned.stop('SIGKILL'),
  };
}
