/**
 * A redis-server of the test's own on a free port, which the test may stop and start
 * again: the shared Redis on 6379 is never stopped by a test.
 */
import type { ChildProcess } from 'node:child_process';
import { spawnProcess } from './spawned.js';
import { connect } from 'node:net';
import { freePort } from './ports.js';

export interface OwnRedis {
  port: number;
  url: string;
  /** SIGKILL, as a crash would; resolves once the port refuses connections. */
  stop(): Promise<void>;
  /** Starts again on the same port, empty (no persistence). */
  start(): Promise<void>;
}

function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    const finish = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => finish(false));
    socket.once('error', () => finish(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => finish(data.toString().startsWith('+PONG')));
  });
}

async function until(condition: () => Promise<boolean>, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export async function startOwnRedis(): Promise<OwnRedis> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawnProcess('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no']).child;
    await until(() => answersPing(port), `redis-server on ${port}`);
  };
  const stop = async () => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGKILL');
    await exited;
    await until(async () => !(await answersPing(port)), `redis-server on ${port} to stop`);
  };
  await start();
  return { port, url: `redis://127.0.0.1:${port}`, start, stop };
}
