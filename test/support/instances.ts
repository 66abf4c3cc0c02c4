/**
 * Several function instances, each a separate Node process running the real server, as a
 * platform scales the function out. They share only what production instances share: the
 * environment (and through it Redis and WeChat).
 */
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { spawnTsx } from './spawned.js';

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
  const spawned = spawnTsx(SCRIPT, [], { cwd: ROOT, env, timeoutMs });
  const url = (await spawned.waitFor(/^LISTENING (\S+)$/).catch(async (error: Error) => {
    await spawned.stop('SIGKILL');
    throw new Error(`instance did not start: ${error.message}`);
  }))[1];
  return {
    url,
    child: spawned.child,
    output: spawned.stdout,
    kill: async () => void (await spawned.stop('SIGKILL')),
    stop: async () => void (await spawned.stop('SIGTERM')),
  };
}

export function startInstances(count: number, env: Record<string, string>): Promise<Instance[]> {
  return Promise.all(Array.from({ length: count }, () => startInstance(env)));
}
