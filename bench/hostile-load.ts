/**
 * Hostile load on loopback: valid requests from many signed-in users, mixed with 10% hostile
 * ones (malformed and oversized bodies, missing, expired and forged tokens, a user stuck in a
 * loop, wrong admin keys, unknown paths, wrong methods). Asserts that every valid request
 * succeeded and that the function's memory after the run is back within 10% of its level before.
 *
 *   npm run bench:hostile            (or: node --import tsx bench/hostile-load.ts [--requests N])
 *
 * Then floods, each reported with latency, answers and memory after GC: a WeChat that hangs
 * (every answer must come by the request deadline), 60 000 distinct callers in one minute
 * (the rate-limit counters must stay bounded), unauthenticated 404s while nobody reads the
 * function's stdout (the log buffer must stay bounded), and wrong admin keys from one address.
 *
 * Three parties, as in production: this process is the WeChat side (the emulator) and the
 * clients (autocannon); the function runs in a child process started with --expose-gc, and
 * reports its memory after a full GC over IPC. Figures go to bench/hostile-load.md.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import { SignJWT } from 'jose';
import { ManualClock } from '../src/clock.js';
import { createDevSignin } from '../src/dev/signin.js';

const APP_ID = 'wx0123456789abcdef';
const APP_SECRET = 'BenchS3cretBenchS3cretBenchS3cr1';
const ADMIN_KEY = 'bench-admin-key-0123456789abcdef';
/** The request deadline the floods run with (WECHAT_TIMEOUT_MS). */
const DEADLINE_MS = 5000;
/** Hostile requests come from addresses of their own (the last X-Forwarded-For hop), as attackers would. */
const ATTACKER = { 'x-forwarded-for': '198.51.100.66' };
/** Requests per user per minute; valid users stay well under it, the looping one does not. */
const RATE_LIMIT = 200;
/** The code-exchange cache keeps up to 10 000 codes; the warm-up fills it so "before" is the steady state. */
const CODE_CACHE_ENTRIES = 10_000;
const MAX_SECONDS = 120;

interface Memory {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
}

type Message = { type: 'ready'; url: string } | { type: 'memory'; memory: Memory };

// ---- the function, in the child process --------------------------------------------------

async function runFunction(): Promise<void> {
  const { loadConfig, rulesParserFor } = await import('../src/config.js');
  const { createLogger } = await import('../src/log.js');
  const { startFunction } = await import('../src/server.js');
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('start the function child with --expose-gc');
  const config = loadConfig(process.env, { parseRules: await rulesParserFor(process.env) });
  // Logs go to the child's stdout, which the driver discards: writing them is part of the cost measured.
  const running = await startFunction({ config, logger: createLogger({ level: config.logLevel, secrets: [config.appSecret, config.adminApiKey] }) });
  process.on('message', async (message: { type: string }) => {
    if (message.type === 'memory') {
      // Several passes with pauses: finalizers and closed sockets free more on the next pass.
      for (let i = 0; i < 4; i++) {
        gc();
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const { rss, heapUsed, heapTotal, external } = process.memoryUsage();
      process.send!({ type: 'memory', memory: { rss, heapUsed, heapTotal, external } } satisfies Message);
    } else if (message.type === 'stop') {
      await running.close();
      process.exit(0);
    }
  });
  process.send!({ type: 'ready', url: running.url } satisfies Message);
}

// ---- the driver ---------------------------------------------------------------------------

interface CannonRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
  setupRequest?: (request: CannonRequest, context: Record<string, unknown>) => CannonRequest;
  onResponse?: (status: number, body: string, context: Record<string, unknown>) => void;
}

interface CannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number; max: number };
  errors: number;
  timeouts: number;
  duration: number;
  non2xx: number;
}

type Cannon = ((options: Record<string, unknown>) => Promise<CannonResult> & { stop(): void }) & { track?: unknown };
const autocannon = createRequire(import.meta.url)('autocannon') as Cannon;

class Child {
  private waiting?: (message: Message) => void;
  constructor(readonly process: ChildProcess) {
    process.on('message', (message: Message) => this.waiting?.(message));
  }

  next<T extends Message['type']>(type: T): Promise<Extract<Message, { type: T }>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the function did not send ${type}`)), 30_000);
      this.waiting = (message) => {
        if (message.type !== type) return;
        clearTimeout(timer);
        this.waiting = undefined;
        resolve(message as Extract<Message, { type: T }>);
      };
    });
  }

  async memory(): Promise<Memory> {
    const reply = this.next('memory');
    this.process.send({ type: 'memory' });
    return (await reply).memory;
  }
}

interface Tally {
  validSent: number;
  validOk: number;
  validFailures: Map<string, number>;
  hostileSent: number;
  hostileStatuses: Map<string, number>;
}

const bump = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);

async function drive(): Promise<void> {
  const { values } = parseArgs({ options: { requests: { type: 'string', default: '30000' }, connections: { type: 'string', default: '32' }, users: { type: 'string', default: '400' } } });
  const total = Number(values.requests);
  const connections = Number(values.connections);
  const userCount = Number(values.users);

  const { startEmulator } = await import('../src/emulator/index.js');
  const emulator = await startEmulator({ port: 0, host: '127.0.0.1', apps: [{ appId: APP_ID, appSecret: APP_SECRET }], acceptBenchCodes: true });
  const signin = createDevSignin({ ttlSeconds: 3600 });

  const child = new Child(
    fork(new URL(import.meta.url).pathname, ['--function'], {
      execArgv: ['--expose-gc', '--import', 'tsx'],
      env: {
        PATH: process.env.PATH ?? '',
        appId: APP_ID,
        appSecret: APP_SECRET,
        WECHAT_API_BASE_URL: emulator.url,
        WECHAT_OPEN_BASE_URL: emulator.url,
        PORT: '0',
        HOST: '127.0.0.1',
        ADMIN_API_KEY: ADMIN_KEY,
        RATE_LIMIT_PER_MINUTE: String(RATE_LIMIT),
        LOG_LEVEL: 'info',
        WECHAT_TIMEOUT_MS: String(DEADLINE_MS),
        ...signin.env,
      },
      // stdout is read (and discarded) here, so a flood can stop reading it, as a stalled log collector would.
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    }),
  );
  const childStdout = child.process.stdout!;
  childStdout.resume();
  const { url } = await child.next('ready');

  // Credentials for the valid users, the looping one and the forgers.
  const users = await Promise.all(Array.from({ length: userCount }, (_, i) => signin.issue(`bench-user-${i}`).then((t) => `Bearer ${t.access_token}`)));
  const looper = `Bearer ${(await signin.issue('looping-page')).access_token}`;
  const past = new ManualClock(Date.now() - 2 * 3600_000);
  const expired = `Bearer ${(await createDevSignin({ clock: past }).issue('bench-user-0')).access_token}`;
  const { privateKey: otherKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const forged = `Bearer ${await new SignJWT({})
    .setProtectedHeader({ alg: 'ES256', kid: 'forged' })
    .setSubject('bench-user-1')
    .setIssuer(signin.issuer)
    .setAudience(signin.audience)
    .setExpirationTime('1h')
    .sign(otherKey)}`;

  let codeCounter = 0;
  let userCounter = 0;
  let hostileCounter = 0;
  const json = { 'content-type': 'application/json' };
  const nextUser = () => users[userCounter++ % users.length];

  /** One valid request kind: how to build it, and what a success looks like. */
  const valid = (tally: Tally, build: () => CannonRequest): CannonRequest => ({
    setupRequest: (request) => {
      tally.validSent++;
      return { ...request, ...build() };
    },
    onResponse: (status, body) => {
      let ok = status === 200;
      if (ok) {
        try {
          ok = JSON.parse(body).code === 0;
        } catch {
          ok = false;
        }
      }
      if (ok) tally.validOk++;
      else bump(tally.validFailures, `${status} ${body.slice(0, 160)}`);
    },
  });

  const hostileKinds: Array<[string, () => CannonRequest]> = [
    ['malformed JSON', () => ({ method: 'POST', path: '/oauth/token', headers: { ...json, authorization: nextUser() }, body: '{"code": ' })],
    ['70 KiB body', () => ({ method: 'POST', path: '/oauth/token', headers: { ...json, authorization: nextUser() }, body: JSON.stringify({ code: 'x'.repeat(70 * 1024) }) })],
    ['no token', () => ({ method: 'POST', path: '/oauth/config', headers: json, body: '{}' })],
    ['expired token', () => ({ method: 'POST', path: '/oauth/config', headers: { ...json, authorization: expired }, body: '{}' })],
    ['forged token', () => ({ method: 'POST', path: '/jssdk/config', headers: { ...json, authorization: forged }, body: '{"url":"https://a.example/"}' })],
    ['garbage token', () => ({ method: 'POST', path: '/oauth/config', headers: { ...json, authorization: `Bearer ${'A'.repeat(4000)}` }, body: '{}' })],
    ['looping page', () => ({ method: 'POST', path: '/oauth/config', headers: { ...json, authorization: looper }, body: '{}' })],
    ['looping page', () => ({ method: 'POST', path: '/oauth/config', headers: { ...json, authorization: looper }, body: '{}' })],
    ['wrong admin key', () => ({ method: 'POST', path: '/token/get', headers: { ...json, ...ATTACKER, 'x-api-key': 'guess-guess-guess-guess' }, body: '{}' })],
    ['user token on admin route', () => ({ method: 'POST', path: '/token/get', headers: { ...json, ...ATTACKER, authorization: nextUser() }, body: '{}' })],
    ['unknown path', () => ({ method: 'POST', path: `/../../etc/passwd/${hostileCounter}`, headers: json, body: '{}' })],
    ['wrong method', () => ({ method: 'PUT', path: '/oauth/token', headers: json, body: '{}' })],
    ['form body', () => ({ method: 'POST', path: '/oauth/token', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: nextUser() }, body: 'code=abc' })],
    ['prototype pollution', () => ({ method: 'POST', path: '/oauth/token', headers: { ...json, authorization: nextUser() }, body: '{"__proto__":{"admin":true},"constructor":{"prototype":{"admin":true}}}' })],
    ['deep nesting', () => ({ method: 'POST', path: '/oauth/token', headers: { ...json, authorization: nextUser() }, body: `${'['.repeat(5000)}${']'.repeat(5000)}` })],
    ['injection in code', () => ({ method: 'POST', path: '/oauth/token', headers: { ...json, authorization: nextUser() }, body: JSON.stringify({ code: 'x&appid=evil&secret=' }) })],
  ];

  const hostile = (tally: Tally): CannonRequest => ({
    setupRequest: (request, context) => {
      tally.hostileSent++;
      const [name, build] = hostileKinds[hostileCounter++ % hostileKinds.length];
      context.kind = name;
      return { ...request, ...build() };
    },
    onResponse: (status, _body, context) => bump(tally.hostileStatuses, `${context.kind}: ${status}`),
  });

  /** Nine valid requests, then one hostile: 10% hostile on every connection. */
  const mix = (tally: Tally): CannonRequest[] => [
    valid(tally, () => ({ method: 'POST', path: '/oauth/token', headers: { ...json, authorization: nextUser() }, body: JSON.stringify({ code: `bench-${process.pid}-${codeCounter++}` }) })),
    valid(tally, () => ({ method: 'POST', path: '/oauth/config', headers: { ...json, authorization: nextUser() }, body: '{}' })),
    valid(tally, () => ({ method: 'POST', path: '/v1/functions/oa/jssdk/config?webfn=true', headers: { ...json, authorization: nextUser() }, body: JSON.stringify({ url: `https://shop.example/p/${codeCounter}?a=1#x` }) })),
    valid(tally, () => ({ method: 'POST', path: '/oauth/token', headers: { ...json, authorization: nextUser() }, body: JSON.stringify({ code: `bench-${process.pid}-${codeCounter++}` }) })),
    valid(tally, () => ({ method: 'GET', path: '/', headers: {}, body: undefined })),
    valid(tally, () => ({ method: 'POST', path: '/token/get', headers: { ...json, 'x-api-key': ADMIN_KEY }, body: '{}' })),
    valid(tally, () => ({ method: 'POST', path: '/oauth/config', headers: { ...json, authorization: nextUser() }, body: '{}' })),
    valid(tally, () => ({ method: 'POST', path: '/offiaccount/oauth/token', headers: { ...json, authorization: nextUser() }, body: JSON.stringify({ code: `bench-${process.pid}-${codeCounter++}` }) })),
    valid(tally, () => ({ method: 'POST', path: '/jssdk/config', headers: { ...json, authorization: nextUser() }, body: JSON.stringify({ url: 'https://shop.example/cart' }) })),
    hostile(tally),
  ];

  const newTally = (): Tally => ({ validSent: 0, validOk: 0, validFailures: new Map(), hostileSent: 0, hostileStatuses: new Map() });

  // Whole cycles of the mix on every connection, so exactly one request in ten is hostile.
  const whole = (amount: number) => Math.ceil(amount / (connections * 10)) * connections * 10;
  const run = async (amount: number, requests: CannonRequest[]) => {
    const instance = autocannon({ url, connections, amount: whole(amount), timeout: 10, requests });
    const cap = setTimeout(() => instance.stop(), MAX_SECONDS * 1000);
    try {
      return await instance;
    } finally {
      clearTimeout(cap);
    }
  };

  const started = Date.now();
  const memoryStart = await child.memory();
  // Warm-up: the same mix, sized so the bounded code-exchange cache is full before the baseline.
  const warmTally = newTally();
  const warmAmount = whole(Math.ceil((CODE_CACHE_ENTRIES * 10) / 3) + 2_000);
  await run(warmAmount, mix(warmTally));
  const before = await child.memory();

  const tally = newTally();
  const result = await run(total, mix(tally));
  const afterRun = await child.memory();

  // ---- floods ----
  interface Flood {
    name: string;
    result: CannonResult;
    statuses: Map<string, number>;
    memory: Memory;
  }
  const floods: Flood[] = [];
  const flood = async (name: string, options: { amount: number; connections: number; requests: CannonRequest[] }) => {
    const statuses = new Map<string, number>();
    const requests = options.requests.map((request) => ({ ...request, onResponse: (status: number) => bump(statuses, String(status)) }));
    const instance = autocannon({ url, connections: options.connections, amount: options.amount, timeout: 30, requests });
    const cap = setTimeout(() => instance.stop(), MAX_SECONDS * 1000);
    let floodResult: CannonResult;
    try {
      floodResult = await instance;
    } finally {
      clearTimeout(cap);
    }
    floods.push({ name, result: floodResult, statuses, memory: await child.memory() });
  };

  // WeChat hangs on the refresh: 1 000 concurrent callers, more than the 128 pooled connections.
  emulator.emulator.setDelay('/sns/oauth2/refresh_token', 30_000);
  await flood(`WeChat hangs: /oauth/refresh from 1000 connections (deadline ${DEADLINE_MS} ms)`, {
    amount: 3000,
    connections: 1000,
    requests: [{ method: 'POST', path: '/oauth/refresh', setupRequest: (request) => ({ ...request, headers: { ...json, authorization: nextUser() }, body: '{"refresh_token":"r"}' }) }],
  });
  emulator.emulator.setDelay('/sns/oauth2/refresh_token', 0);

  // 60 000 distinct signed-in callers within a minute, one call each: 60 000 rate-limit counters asked for.
  const callers: string[] = [];
  for (let i = 0; i < 60_000; i++) callers.push(`Bearer ${(await signin.issue(`flood-caller-${i}`)).access_token}`);
  let callerIndex = 0;
  await flood('60 000 distinct callers, one /oauth/config each', {
    amount: callers.length,
    connections,
    requests: [{ method: 'POST', path: '/oauth/config', setupRequest: (request) => ({ ...request, headers: { ...json, authorization: callers[callerIndex++ % callers.length] }, body: '{}' }) }],
  });
  callers.length = 0;

  // Unauthenticated 404s while nobody reads the function's stdout.
  childStdout.pause();
  let pathIndex = 0;
  await flood('unauthenticated 404s, stdout not read', {
    amount: 40_000,
    connections,
    requests: [{ method: 'POST', setupRequest: (request) => ({ ...request, path: `/no/such/route/${pathIndex++}`, headers: json, body: '{}' }) }],
  });
  childStdout.resume();

  await flood('wrong admin keys from one address', {
    amount: 5000,
    connections,
    requests: [{ method: 'POST', path: '/token/get', headers: { ...json, 'x-forwarded-for': '203.0.113.99', 'x-api-key': 'guess-guess-guess-guess-guess-guess' }, body: '{}' }],
  });

  child.process.send({ type: 'stop' });
  await new Promise((resolve) => child.process.once('exit', resolve));
  await emulator.close();

  const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
  const change = (a: number, b: number) => ((b - a) / a) * 100;
  const heapChange = change(before.heapUsed, afterRun.heapUsed);
  const rssChange = change(before.rss, afterRun.rss);
  const hostileTotal = [...tally.hostileStatuses.values()].reduce((a, b) => a + b, 0);
  const byKind = new Map<string, string[]>();
  for (const [key, count] of [...tally.hostileStatuses.entries()].sort()) {
    const [kind, status] = key.split(': ');
    byKind.set(kind, [...(byKind.get(kind) ?? []), `${status} × ${count}`]);
  }
  const checks = {
    everyValidSucceeded: tally.validOk === tally.validSent && tally.validFailures.size === 0 && result.timeouts === 0,
    heapWithin10: Math.abs(heapChange) <= 10,
    rssWithin10: Math.abs(rssChange) <= 10,
    hostileShare: tally.hostileSent * 10 === tally.validSent + tally.hostileSent,
    looperLimited: (byKind.get('looping page') ?? []).some((s) => s.startsWith('429')),
    // Each answer by the deadline, give or take a scheduling tick.
    hangingAnsweredByDeadline: floods[0].result.latency.max <= DEADLINE_MS + 500 && floods[0].result.timeouts === 0,
    wrongKeysLimited: (floods[3].statuses.get('429') ?? 0) > 0 && (floods[3].statuses.get('403') ?? 0) <= 10,
  };

  const report = [
    '# Hostile load on loopback',
    '',
    'Produced by `npm run bench:hostile` (`bench/hostile-load.ts`). The function runs in its own process',
    '(started with `--expose-gc`, reporting `process.memoryUsage()` after full GCs over IPC); the driver process',
    'runs the WeChat emulator and autocannon. End-user routes run in `AUTH_MODE=jwt` (ES256 tokens verified on',
    `every request), the rate limit is ${RATE_LIMIT}/min per user, logging is on at \`info\`.`,
    '',
    `- machine: Node ${process.version}, ${process.platform}/${process.arch}; ${connections} connections, ${userCount} signed-in users`,
    `- warm-up: ${warmAmount} requests of the same mix (fills the 10 000-entry code-exchange cache, so the baseline is the steady state)`,
    `- measured run: ${result.requests.total} requests in ${(result.duration).toFixed(1)} s, ${Math.round(result.requests.average)} req/s;` +
      ` latency p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, max ${result.latency.max} ms`,
    `- valid: ${tally.validOk} of ${tally.validSent} succeeded (\`code: 0\`, HTTP 200); timeouts ${result.timeouts}, socket errors ${result.errors}`,
    `- hostile: ${tally.hostileSent} sent (${((tally.hostileSent / (tally.validSent + tally.hostileSent)) * 100).toFixed(1)}%), ${hostileTotal} answered`,
    '',
    '| hostile request | answers (status × count) |',
    '|---|---|',
    ...[...byKind.entries()].map(([kind, statuses]) => `| ${kind} | ${statuses.join(', ')} |`),
    '',
    '| memory after full GC | at start | before (after warm-up) | after the run | change |',
    '|---|---|---|---|---|',
    `| heapUsed | ${mb(memoryStart.heapUsed)} MiB | ${mb(before.heapUsed)} MiB | ${mb(afterRun.heapUsed)} MiB | ${heapChange.toFixed(1)}% |`,
    `| rss | ${mb(memoryStart.rss)} MiB | ${mb(before.rss)} MiB | ${mb(afterRun.rss)} MiB | ${rssChange.toFixed(1)}% |`,
    `| external | ${mb(memoryStart.external)} MiB | ${mb(before.external)} MiB | ${mb(afterRun.external)} MiB | ${change(before.external, afterRun.external).toFixed(1)}% |`,
    '',
    '## Floods',
    '',
    'After the measured run, against the same function. Latency from autocannon; memory after full GCs once the flood is over.',
    '',
    '| flood | requests | req/s | latency p50 / p99 / max | answers | heapUsed after | rss after |',
    '|---|---|---|---|---|---|---|',
    ...floods.map(
      (f) =>
        `| ${f.name} | ${f.result.requests.total} | ${Math.round(f.result.requests.average)} | ${f.result.latency.p50} / ${f.result.latency.p99} / ${f.result.latency.max} ms | ` +
        `${[...f.statuses.entries()].sort().map(([status, count]) => `${status} × ${count}`).join(', ')}${f.result.timeouts ? `, timeouts ${f.result.timeouts}` : ''} | ${mb(f.memory.heapUsed)} MiB | ${mb(f.memory.rss)} MiB |`,
    ),
    '',
    'Checks: ' + Object.entries(checks).map(([name, ok]) => `${name} ${ok ? 'pass' : 'FAIL'}`).join(', '),
    '',
    `Whole bench: ${((Date.now() - started) / 1000).toFixed(0)} s.`,
    '',
  ].join('\n');
  writeFileSync(new URL('./hostile-load.md', import.meta.url), report);
  process.stdout.write(report);
  if (tally.validFailures.size) process.stdout.write(`\nvalid failures:\n${[...tally.validFailures].map(([k, n]) => `  ${n} × ${k}`).join('\n')}\n`);
  const failed = Object.entries(checks).filter(([, ok]) => !ok);
  if (failed.length) {
    process.stderr.write(`hostile-load: FAILED ${failed.map(([name]) => name).join(', ')}\n`);
    process.exit(1);
  }
}

if (process.argv.includes('--function')) {
  runFunction().catch((error) => {
    process.stderr.write(`function child: ${(error as Error).stack ?? error}\n`);
    process.exit(1);
  });
} else {
  drive().catch((error) => {
    process.stderr.write(`hostile-load: ${(error as Error).stack ?? error}\n`);
    process.exit(1);
  });
}
