/**
 * The connection drainer behind a graceful stop: once draining, answers not yet written say
 * `Connection: close`, idle keep-alive connections close at once, and a connection whose answer
 * had already promised keep-alive closes as soon as that answer ends.
 */
import assert from 'node:assert/strict';
import { Agent, createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { connectionDrainer } from '../src/drain.js';

const drainer = connectionDrainer();
const ANSWER_AFTER_MS = 200;
let server: Server;
let port: number;
let received = 0;

before(async () => {
  // /slow answers after a pause, as a code exchange waits on WeChat; /stream sends its head at
  // once (promising keep-alive) and its end after the pause.
  server = createServer({ ServerResponse: drainer.ServerResponse }, (req, res) => {
    received++;
    req.resume();
    if (req.url === '/stream') res.writeHead(200).write('{');
    setTimeout(() => res.end(req.url === '/stream' ? '}' : '{"code":0}'), req.url === '/now' ? 0 : ANSWER_AFTER_MS);
  });
  // Far beyond the test's waits: a connection that closes did so because of the drain.
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

after(() => {
  server.closeAllConnections();
  server.close();
});

/** Resolves with the response once its head has arrived. */
function send(path: string, agent: Agent | false): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = request({ port, host: '127.0.0.1', method: 'POST', path, agent }, resolve);
    req.on('error', reject);
    req.end('{}');
  });
}

/** The whole answer: status and Connection header. */
async function answer(path: string, agent: Agent | false) {
  const res = await send(path, agent);
  res.resume();
  await new Promise((resolve) => res.on('end', resolve));
  return { status: res.statusCode, connection: res.headers.connection };
}

const connections = () => new Promise<number>((resolve, reject) => server.getConnections((error, count) => (error ? reject(error) : resolve(count))));

async function until(condition: () => boolean | Promise<boolean>, what: string, limitMs = 2000): Promise<void> {
  for (let waited = 0; !(await condition()); waited += 10) {
    if (waited > limitMs) assert.fail(`timed out waiting until ${what}`);
    await sleep(10);
  }
}

test('once draining, answers say Connection: close and every connection closes as soon as it is idle', async () => {
  const busy = new Agent({ keepAlive: true, maxSockets: 1 });
  const idle = new Agent({ keepAlive: true, maxSockets: 1 });
  const streaming = new Agent({ keepAlive: true, maxSockets: 1 });
  assert.deepEqual(await answer('/now', false), { status: 200, connection: 'close' }, 'a caller that asks for close is answered so, as ever');
  assert.deepEqual(await answer('/now', busy), { status: 200, connection: 'keep-alive' }, 'before draining, connections are kept');
  assert.deepEqual(await answer('/now', idle), { status: 200, connection: 'keep-alive' });
  const stream = await send('/stream', streaming);
  assert.equal(stream.headers.connection, 'keep-alive', 'this head went out before the drain');
  const before = received;
  const pending = answer('/slow', busy);
  await until(() => received === before + 1, 'the request has reached the server');
  assert.equal(await connections(), 3);

  drainer.drain(server);
  await until(async () => (await connections()) === 2, 'the idle connection is closed');
  assert.deepEqual(await pending, { status: 200, connection: 'close' }, 'the answer still owed says close');
  stream.resume();
  await new Promise((resolve) => stream.on('end', resolve));
  await until(async () => (await connections()) === 0, 'the streamed answer’s connection is closed once it ended');

  assert.deepEqual(await answer('/now', false), { status: 200, connection: 'close' }, 'a caller arriving while draining is told too');
  for (const agent of [busy, idle, streaming]) agent.destroy();
});
