/**
 * The connection drainer behind a graceful stop: it knows which answers are still owed, forgets
 * a request once its response closes, however it ended, and once draining turns keep-alive off
 * for answers not yet sent and closes connections as they fall idle.
 */
import assert from 'node:assert/strict';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { connectionDrainer } from '../src/lifecycle.js';

const drainer = connectionDrainer();
const ANSWER_AFTER_MS = 150;
let server: Server;
let port: number;

before(async () => {
  // Answers after a pause, as a code exchange waits on WeChat, and also to a caller that has left.
  server = createServer((req, res) => {
    req.resume();
    setTimeout(() => res.end('{"code":0}'), ANSWER_AFTER_MS);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

after(() => {
  server.closeAllConnections();
  server.close();
});

/** A POST on a keep-alive connection; resolves with the status and the Connection header. */
function post(agent: import('node:http').Agent | false = false) {
  return new Promise<{ status: number; connection?: string }>((resolve, reject) => {
    const req = request({ port, host: '127.0.0.1', method: 'POST', agent }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection }));
    });
    req.on('error', reject);
    req.end('{}');
  });
}

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let waited = 0; !condition(); waited += 10) {
    if (waited > 5000) assert.fail(`timed out waiting until ${what}`);
    await sleep(10);
  }
}

test('forgets answered requests and requests whose caller left before the answer', async () => {
  const abandoned = Array.from({ length: 20 }, () => {
    const req = request({ port, host: '127.0.0.1', method: 'POST', agent: false });
    req.on('error', () => {});
    req.end('{}');
    setTimeout(() => req.destroy(), 20);
    return req;
  });
  const answered = await Promise.all([post(), post(), post()]);
  assert.deepEqual(
    answered.map((answer) => answer.status),
    [200, 200, 200],
  );
  assert.equal(abandoned.length, 20);
  // Every one of the 23 responses closes within the answer delay: none stays counted.
  await until(() => drainer.inFlight === 0, 'no request is in flight');
  assert.equal(drainer.inFlight, 0);
});

test('once draining, the answer in flight says Connection: close and its connection is closed', async () => {
  const { Agent } = await import('node:http');
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const warm = await post(agent);
  assert.equal(warm.connection, 'keep-alive', 'before draining, connections are kept');
  const pending = post(agent);
  await until(() => drainer.inFlight === 1, 'the request has reached the server');
  drainer.drain();
  const answer = await pending;
  assert.equal(answer.status, 200);
  assert.equal(answer.connection, 'close');
  await until(() => agent.freeSockets && Object.keys(agent.freeSockets).length === 0, 'the client holds no idle connection');
  const connections = await new Promise<number>((resolve, reject) => server.getConnections((error, count) => (error ? reject(error) : resolve(count))));
  assert.equal(connections, 0, 'the server closed the connection once it fell idle');
  agent.destroy();
});
