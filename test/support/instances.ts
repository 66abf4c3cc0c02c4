/**
 * Several function instances, each a separate Node process running the real server, as a
 * platform scales the function out. They share only what production instances share: the
 * environment (and through it Redis and WeChat).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SCRIPT = fileURLToPath(new URL('./instance.ts', import.meta.url));

export interface Instance {
  url: string;
  child: ChildProcess;
  output: string[];
  /** SIGKILL: the process dies mid-whatever, as on a crash or an evicted container. */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

export async function startInstance(env: Record<string, string>, timeoutMs = 20_000): Promise<Instance> {
  const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`instance did not start:\n${output.join('\n')}`)), timeoutMs);
    let partial = '';
    const onData = (chunk: Buffer) => {
      const lines = (partial + chunk.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        output.push(line);
        const match = /^LISTENING (\S+)$/.exec(line);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => output.push(chunk.toString('utf8')));
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`instance exited (${code ?? signal}) before listening:\n${output.join('\n')}`));
    });
  });
  const end = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  return { url, child, output, kill: () => end('SIGKILL'), stop: () => end('SIGTERM') };
}

export function startInstances(count: number, env: Record<string, string>): Promise<Instance[]> {
  return Promise.all(Array.from({ length: count }, () => startInstance(env)));
}
