/**
 * Runs the function as its own process, as a platform would, and waits for its
 * "listening" log line to learn the port. Every stdout and stderr line is kept for assertions.
 */
import { spawn, type ChildProcess } from 'node:child_process';

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface SpawnedFunction {
  child: ChildProcess;
  url: string;
  port: number;
  /** stdout lines (the JSON log). */
  stdout: string[];
  stderr: string[];
  exited: Promise<Exit>;
  /** Resolves when a stdout line satisfies the test; rejects after timeoutMs. */
  waitForLine(test: (line: string) => boolean, timeoutMs?: number): Promise<string>;
  kill(): void;
}

export interface SpawnOptions {
  cwd: string;
  env: Record<string, string>;
  timeoutMs?: number;
}

/** Starts the process and waits for it to listen; if it exits first, resolves with its exit instead. */
export function spawnProcess(command: string, args: string[], options: SpawnOptions): { child: ChildProcess; stdout: string[]; stderr: string[]; exited: Promise<Exit> } {
  const child = spawn(command, args, {
    cwd: options.cwd,
    // Only what the test passes, plus PATH to find node: nothing from the test runner's environment leaks in.
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout: string[] = [];
  const stderr: string[] = [];
  const collect = (into: string[]) => {
    let partial = '';
    return (chunk: Buffer) => {
      const text = partial + chunk.toString('utf8');
      const lines = text.split('\n');
      partial = lines.pop() ?? '';
      into.push(...lines.filter(Boolean));
      child.emit('line', into);
    };
  };
  child.stdout!.on('data', collect(stdout));
  child.stderr!.on('data', collect(stderr));
  const exited = new Promise<Exit>((resolve) => child.once('close', (code, signal) => resolve({ code, signal })));
  return { child, stdout, stderr, exited };
}

export async function spawnFunction(command: string, args: string[], options: SpawnOptions): Promise<SpawnedFunction> {
  const { child, stdout, stderr, exited } = spawnProcess(command, args, options);
  let done = false;
  // Registered before any waiter's listener, so a waiter woken by 'close' already sees it.
  child.once('close', () => {
    done = true;
  });

  const waitForLine = (test: (line: string) => boolean, timeoutMs = options.timeoutMs ?? 15_000) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        const found = stdout.find(test);
        if (found !== undefined) {
          cleanup();
          resolve(found);
        } else if (done) {
          cleanup();
          reject(new Error(`process exited before the expected line\nstdout:\n${stdout.join('\n')}\nstderr:\n${stderr.join('\n')}`));
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`no expected line within ${timeoutMs} ms\nstdout:\n${stdout.join('\n')}\nstderr:\n${stderr.join('\n')}`));
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

  const listening = JSON.parse(await waitForLine((line) => line.includes('"offiaccount-common listening"')));
  const port = Number(listening.port);
  return {
    child,
    port,
    url: `http://127.0.0.1:${port}`,
    stdout,
    stderr,
    exited,
    waitForLine,
    kill: () => {
      if (!done) child.kill('SIGKILL');
    },
  };
}
