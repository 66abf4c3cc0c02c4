/**
 * `npm run bench`: the function, started from its deploy bundle, against the floor
 * (bench/floor.ts, bundled the same way), both calling the WeChat emulator on loopback, with
 * the floor plus the function's per-call duties (bench/floor-duties.ts) as a third, reference
 * process. Each runs as its own process; the load comes from this process (autocannon).
 *
 * Reports, for POST /oauth/config and POST /oauth/token: requests per second at saturation,
 * and p50/p99 latency at a fixed rate every target can carry, as ratios to the floor; cold
 * start (spawn to first successful response); resident memory after a warm-up and across
 * 100k requests; the bundle's size; and CPU time per call (user + system, from /proc), the
 * figure that moves least with whatever else the machine is doing; the first call to each API
 * group after a cold start against a warm call; and the message server (`/callback`, safe mode)
 * against its own floor (bench/floor-callback.ts). Writes bench/RESULTS.md (keeping its
 * hand-written analysis).
 *
 * Knobs (environment): BENCH_DURATION seconds per measured run (default 6), BENCH_ROUNDS
 * (default 2), BENCH_CONNECTIONS (default 32), BENCH_RATE requests/s of the latency runs
 * (default 1000), BENCH_LATENCY_ROUNDS (default 3), BENCH_MEMORY_REQUESTS (default 100000),
 * BENCH_PIN=0 (run unpinned; see `placement`), BENCH_CALLBACK_MESSAGES pushes per saturation round
 * of the message server (default 30000), BENCH_FIRST_CALL_STARTS cold starts per API group for
 * its first call (default 5). BENCH_ONLY=cold (only the cold starts, the start-up profile and each
 * group's first call) or BENCH_ONLY=callback (only the message server against its floor) prints
 * its section and writes nothing to RESULTS.md: for checking a change.
 */
import autocannon, { type Result } from 'autocannon';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'tsup';
import { buildDeploy } from '../scripts/build-deploy.js';
import { deployBundle } from '../tsup.config.js';
import { pushMaker, type CallbackAccount, type Push } from './callback-pushes.js';
import { firstCallCandidates, type Call, type Candidate } from './first-calls.js';
import { groups } from '../src/apis/index.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const resultsFile = path.join(root, 'bench', 'RESULTS.md');

const env = process.env;
const SETTINGS = {
  duration: Number(env.BENCH_DURATION ?? 6),
  warmupSeconds: 2,
  rounds: Number(env.BENCH_ROUNDS ?? 2),
  connections: Number(env.BENCH_CONNECTIONS ?? 32),
  /** The latency runs: a steady rate well inside what every target carries, as a function instance sees in use. */
  rate: Number(env.BENCH_RATE ?? 1000),
  rateConnections: 16,
  /**
   * Latency runs per target, alternating; the median of their p99s is reported. At this rate a
   * target is idle most of the time and one run's p99 is set by whichever pause (a collection,
   * the scheduler, the load generator's own) lands in it: a single run swung 0.8× to 2× here.
   */
  latencyRounds: Number(env.BENCH_LATENCY_ROUNDS ?? 7),
  latencySeconds: 3,
  coldStarts: 9,
  /** Enough /oauth/token requests to fill the code-exchange cache to its bound before memory is first read. */
  warmupRequests: 15_000,
  memoryRequests: Number(env.BENCH_MEMORY_REQUESTS ?? 100_000),
  memorySlices: 5,
  /** Pushes per saturation round of the message-server bench, each one new (BENCH_CALLBACK_MESSAGES). */
  callbackMessages: Number(env.BENCH_CALLBACK_MESSAGES ?? 30_000),
  /** Cold starts per API group for its first call (BENCH_FIRST_CALL_STARTS). */
  firstCallStarts: Number(env.BENCH_FIRST_CALL_STARTS ?? 5),
  /** Warm calls after the first; their median is the warm figure. */
  warmCalls: 5,
};

const TARGETS = { throughput: 0.85, p99: 1.3, coldStart: 1.3, memoryGrowth: 0.1, firstCallMs: 30 };

const APP_ID = 'wx0123456789abcdef';
const APP_SECRET = 'benchSecretBenchSecret0123456789';
const ADMIN_KEY = 'benchAdminKey0123456789abcdefXYZ42';
/** The message server's settings, for the function and the message-server floor alike. */
const CALLBACK_ACCOUNT: CallbackAccount = { appId: APP_ID, serverToken: 'benchServerToken42', encodingAESKey: 'benchEncodingAESKeyBenchEncodingAESKey01234' };
const CALLBACK_NAMES = ['floor', 'function'] as const;
type CallbackName = (typeof CALLBACK_NAMES)[number];
const ROUTES = ['/oauth/config', '/oauth/token'] as const;
type Route = (typeof ROUTES)[number];
const NAMES = ['floor', 'duties', 'function'] as const;
type Name = (typeof NAMES)[number];
const LABEL: Record<Name, string> = { floor: 'floor', duties: 'floor + duties', function: 'function' };

/** Shaped like a CloudBase access token (the gateway verified it; the function reads its `sub`). */
const TOKEN = [
  { alg: 'RS256', typ: 'JWT', kid: 'bench' },
  { sub: 'bench-user', iss: 'https://bench.ap-shanghai.tcb-api.tencentcloudapi.com', aud: 'bench', exp: 4102444800 },
]
  .map((part) => Buffer.from(JSON.stringify(part)).toString('base64url'))
  .concat('c2lnbmF0dXJl')
  .join('.');
/** Where the calls come from: every POST a browser makes carries its page's origin, and the function allows it. */
const PAGE_ORIGIN = 'https://page.bench.example';
const HEADERS = { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}`, origin: PAGE_ORIGIN };

/** Every process the bench started, so none outlives it, whatever happens. */
const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
/** Rotates the order targets are measured in, so drift on the machine does not favour one. */
const rotated = (i: number): Name[] => NAMES.map((_, j) => NAMES[(i + j) % NAMES.length]);

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * Where processes run. With taskset and two or more cores, the measured process gets the last
 * core to itself and everything else (this process with its load generator, the emulator, which
 * inherits this affinity) shares the others: a function instance has its own CPU in production,
 * and a load generator on the same core would be measured along with it. Unpinned, on a shared
 * core, a slower server's CPU per call grows further through the scheduler's wake-ups, so the
 * ratios would say more about the machine than about the server. BENCH_PIN=0 turns it off.
 */
interface Placement {
  /** Prefix for a measured process's command line; empty when unpinned. */
  prefix: string[];
  describe: string;
}

function placement(): Placement {
  const cores = os.cpus().length;
  const unpinned = { prefix: [], describe: 'unpinned: the load generator, the emulator and the process measured share every core' };
  if (env.BENCH_PIN === '0' || process.platform !== 'linux' || cores < 2) return unpinned;
  try {
    const others = cores === 2 ? '0' : `0-${cores - 2}`;
    execFileSync('taskset', ['-a', '-p', '-c', others, String(process.pid)], { stdio: 'ignore' });
    return {
      prefix: ['taskset', '-c', String(cores - 1)],
      describe: `pinned with taskset: the process measured on core ${cores - 1} alone; the load generator (this process) and the emulator on core${cores === 2 ? ' 0' : `s ${others}`}`,
    };
  } catch {
    return unpinned;
  }
}

let ticksPerSecond: number | undefined;

/** CPU time a process has used (user + system) in µs, from /proc/<pid>/stat; NaN where there is no /proc. */
async function cpuMicros(pid: number): Promise<number> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may hold spaces: utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (ticksPerSecond === undefined) {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    }
    return ((Number(fields[11]) + Number(fields[12])) / ticksPerSecond) * 1e6;
  } catch {
    return NaN;
  }
}

/** Resident set size of a process in MiB, from /proc (Linux) or ps. */
async function rssMiB(pid: number): Promise<number> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
    if (kb) return kb / 1024;
  } catch {
    // not Linux
  }
  return Number(execFileSync('ps', ['-o', 'rss=', '-p', String(pid)], { encoding: 'utf8' }).trim()) / 1024;
}

/** One POST on a fresh connection; resolves with the status, rejects on a connection error. */
function probe(url: string, route: Route = '/oauth/config', body = '{}'): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${url}${route}`, { method: 'POST', agent: false, headers: { ...HEADERS, connection: 'close' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** One code exchange on a new connection, in ms: the first after a start loads whatever the upstream call needs. */
async function timedExchange(url: string): Promise<number> {
  const began = performance.now();
  const status = await probe(url, '/oauth/token', JSON.stringify({ code: `bench-${runId}-${(codeCounter++).toString(36)}` }));
  if (status !== 200) throw new Error(`${url}/oauth/token answered ${status}`);
  return performance.now() - began;
}

/** One call on a new connection: its status and time in ms. */
function timedCall(url: string, call: Call): Promise<{ status: number; ms: number }> {
  return new Promise((resolve, reject) => {
    const began = performance.now();
    const req = httpRequest(`${url}${call.path}`, { method: call.method, agent: false, headers: { ...call.headers, connection: 'close' } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - began }));
    });
    req.on('error', reject);
    req.end(call.body);
  });
}

/** Readiness of a server that answers GET / (the message-server floor). */
const rootAnswers = async (url: string) => (await timedCall(url, { method: 'GET', path: '/', headers: {} })).status;

interface Target {
  name: string;
  command: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  /** Resolves with the status of a readiness request; a POST to /oauth/config when absent. */
  ready?: (url: string) => Promise<number>;
}

interface Running {
  name: string;
  url: string;
  child: ChildProcess;
  coldStartMs: number;
  /** Where the cold start went, when started with COLD_PROBE (ms). */
  split?: ColdSplit;
  stop(): Promise<void>;
}

/** A cold start in parts: spawn → Node's process started (for scf_bootstrap: the shell's share) → Node ready to run the program → the program's modules loaded and its server built (listen() called) → listening → first answer (a 200 back in the bench). */
interface ColdSplit {
  process: number;
  node: number;
  loaded: number;
  listening: number;
  answer: number;
}
const SPLIT_PARTS = ['process', 'node', 'loaded', 'listening', 'answer'] as const;
const SPLIT_LABEL: Record<keyof ColdSplit, string> = {
  process: 'spawn → process started',
  node: '→ Node ready (preload runs)',
  loaded: '→ modules loaded, server built (listen() called)',
  listening: '→ listening',
  answer: '→ first answer received',
};

/**
 * Preloaded (through NODE_OPTIONS) into every cold start: notes, by process.uptime() (no module to
 * load for it), when Node is ready to run the program, when the first server's listen() is called
 * and when it listens; on SIGUSR2 writes them with the process's start (performance.timeOrigin,
 * read only then) to COLD_PROBE_FILE.
 */
const COLD_PROBE = `const { Server } = require('node:net');
const marks = { node: process.uptime() };
const listen = Server.prototype.listen;
Server.prototype.listen = function (...args) {
  if (marks.loaded === undefined) {
    marks.loaded = process.uptime();
    this.once('listening', () => { marks.listening = process.uptime(); });
  }
  return listen.apply(this, args);
};
process.on('SIGUSR2', () => require('node:fs').writeFileSync(process.env.COLD_PROBE_FILE, JSON.stringify({ origin: performance.timeOrigin, ...marks })));
`;

/**
 * Preloaded (through NODE_OPTIONS) into the processes whose memory is followed: on SIGUSR2 it runs
 * a full collection and writes the live heap to MEM_PROBE_FILE. RSS alone cannot tell a leak from
 * V8 keeping freed pages: it swings by a fifth between two reads with no change in live data.
 */
const MEM_PROBE = `process.on('SIGUSR2', () => { global.gc(); require('node:fs').writeFileSync(process.env.MEM_PROBE_FILE, String(process.memoryUsage().heapUsed)); });\n`;

/** Signals a probe preloaded into `child` and returns what it wrote to `file`. */
async function probeFile(child: ChildProcess, file: string, signal: NodeJS.Signals): Promise<string> {
  await rm(file, { force: true });
  child.kill(signal);
  for (let waited = 0; waited < 5000; waited += 5) {
    try {
      const text = await readFile(file, 'utf8');
      if (text) return text;
    } catch {
      // not written yet
    }
    await sleep(5);
  }
  throw new Error(`the probe in ${file} did not answer`);
}

/** Live heap after a full collection, in MiB, through the probe above. */
async function heapAfterGcMiB(child: ChildProcess, file: string): Promise<number> {
  return Number(await probeFile(child, file, 'SIGUSR2')) / 2 ** 20;
}

async function start(target: Target, extraEnv: Record<string, string> = {}): Promise<Running> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const stderr: string[] = [];
  const started = performance.now();
  const spawnedAt = performance.timeOrigin + started;
  const child = spawn(target.command, target.args, {
    cwd: target.cwd,
    env: { PATH: env.PATH ?? '/usr/bin:/bin', ...target.env, ...extraEnv, PORT: String(port), HOST: '127.0.0.1' },
    // Log lines go to /dev/null: written (the function pays for them), not read by the load generator.
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.add(child);
  child.stderr!.on('data', (chunk) => stderr.push(String(chunk)));
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  for (;;) {
    if (exited) throw new Error(`${target.name} exited before answering:\n${stderr.join('')}`);
    try {
      if ((await (target.ready ?? probe)(url)) === 200) break;
    } catch {
      // not listening yet
    }
    if (performance.now() - started > 20_000) throw new Error(`${target.name} did not answer within 20 s:\n${stderr.join('')}`);
    await sleep(2);
  }
  const answered = performance.now();
  const coldStartMs = answered - started;
  let split: ColdSplit | undefined;
  if (extraEnv.COLD_PROBE_FILE) {
    const marks = await probeFile(child, extraEnv.COLD_PROBE_FILE, 'SIGUSR2');
    const { origin, node, loaded, listening } = JSON.parse(marks) as { origin: number; node: number; loaded: number; listening: number };
    const processStart = origin - spawnedAt;
    split = {
      process: processStart,
      node: node * 1000,
      loaded: (loaded - node) * 1000,
      listening: (listening - loaded) * 1000,
      answer: performance.timeOrigin + answered - (origin + listening * 1000),
    };
  }
  return {
    name: target.name,
    url,
    child,
    coldStartMs,
    split,
    stop: () =>
      new Promise<void>((resolve) => {
        if (exited) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      }),
  };
}

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string }; children?: number[] }[];
  samples: number[];
  timeDeltas: number[];
}

/** Where a profile sample's own time goes: the bundle's files by name (hash dropped), Node's parts by what they are. */
function profileCategory(url: string, functionName: string, base: string): string | undefined {
  if (!url) {
    if (functionName === '(idle)' || functionName === '(root)') return undefined;
    if (functionName === '(garbage collector)' || functionName === '(program)') return functionName;
    return 'native code called from JavaScript (file reads, compiling, stack traces…)';
  }
  if (url.startsWith(base)) return url.slice(base.length).replace(/-[A-Z0-9]{8}\.mjs$/, '.mjs');
  if (url.startsWith('node:internal/deps/undici')) return "Node's fetch implementation (undici inside Node)";
  if (url.startsWith('node:internal/modules/')) return "Node's module loader (reading and compiling the program's files)";
  if (url.startsWith('node:internal/bootstrap/') || url.startsWith('node:internal/main/') || url === 'node:internal/process/pre_execution') {
    return "Node's own start-up and its built-ins' loader";
  }
  return 'other Node built-ins (http, net, crypto, streams…)';
}

/** Self time by category in ms, idle left out; `base` is the file URL of the folder the program runs from. */
function summarizeProfile(profile: CpuProfile, base: string): Map<string, number> {
  const byId = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const totals = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const frame = byId.get(id)!;
    const category = profileCategory(frame.url, frame.functionName, base);
    if (category) totals.set(category, (totals.get(category) ?? 0) + profile.timeDeltas[i] / 1000);
  });
  return new Map([...totals].sort((a, b) => b[1] - a[1]));
}

/** One start under V8's CPU profiler (sampling every 100 µs), to the first answer and a graceful stop. */
async function profiledStart(target: Target, work: string): Promise<Map<string, number>> {
  const dir = path.join(work, `profile-${target.name}`);
  const profiled = { ...target, args: [...target.args.slice(0, -1), '--cpu-prof', '--cpu-prof-interval=100', `--cpu-prof-dir=${dir}`, target.args.at(-1)!] };
  const running = await start(profiled);
  await running.stop();
  const [file] = await readdir(dir);
  return summarizeProfile(JSON.parse(await readFile(path.join(dir, file), 'utf8')) as CpuProfile, pathToFileURL(target.cwd).href + '/');
}

let codeCounter = 0;
const runId = Date.now().toString(36);

interface Load {
  result: Result;
  /** Response times of the 2xx answers, in ms, at full precision (autocannon's own histogram keeps whole ms). */
  latencies: number[];
}

type LoadRequest = { method: string; path: string; headers: Record<string, string>; body?: string; setupRequest?: (req: object) => object };

function routeRequest(route: Route): LoadRequest {
  return route === '/oauth/config'
    ? { method: 'POST', path: route, headers: HEADERS, body: '{}' }
    : {
        method: 'POST',
        path: route,
        headers: HEADERS,
        // Every exchange presents a new code, as real sign-ins do; the emulator accepts each bench-<unique> once.
        setupRequest: (req: object) => ({ ...req, body: JSON.stringify({ code: `bench-${runId}-${(codeCounter++).toString(36)}` }) }),
      };
}

async function load(url: string, target: Route | LoadRequest, how: { duration?: number; amount?: number; overallRate?: number; connections?: number }): Promise<Load> {
  const request = typeof target === 'string' ? routeRequest(target) : target;
  const latencies: number[] = [];
  const instance = autocannon({ url, connections: SETTINGS.connections, timeout: 10, ...how, requests: [request] });
  instance.on('response', (_client, status, _bytes, ms) => {
    if (status >= 200 && status < 300) latencies.push(ms);
  });
  const result = await instance;
  const failures = result.non2xx + result.errors + result.timeouts;
  if (failures > 0) {
    throw new Error(`${url}${request.path}: ${failures} failed requests (non-2xx ${result.non2xx}, errors ${result.errors}, timeouts ${result.timeouts}; ${JSON.stringify(result.statusCodeStats)})`);
  }
  return { result, latencies };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function startEmulator(): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/emulator/main.ts', '--port', '0', '--host', '127.0.0.1', '--app', `${APP_ID}:${APP_SECRET}`, '--accept-bench-codes'],
    { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  children.add(child);
  const url = await new Promise<string>((resolve, reject) => {
    let text = '';
    child.stdout!.on('data', (chunk) => {
      text += String(chunk);
      const match = /listening on (http:\/\/\S+)/.exec(text);
      if (match) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`the emulator exited (${code}) before listening`)));
  });
  child.stdout!.resume();
  return { url, child };
}

function machine(): string {
  const cpus = os.cpus();
  return `${cpus.length} × ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${os.type()} ${os.release()} (${os.arch()}), Node.js ${process.version}`;
}

const fmt = (value: number, digits = 2) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');
const mark = (ok: boolean) => (ok ? 'met' : '**missed**');

type PerTarget<T> = Record<Name, T>;
const perTarget = <T>(make: () => T): PerTarget<T> => ({ floor: make(), duties: make(), function: make() });

interface ColdFigures {
  cold: PerTarget<number[]>;
  splits: PerTarget<ColdSplit[]>;
  /** After each cold start: the first code exchange (the function loads its upstream client for it) and the one after, ms. */
  firstExchange: PerTarget<{ first: number; next: number }[]>;
  /** Self time by category (ms) of one profiled start of each. */
  profiles: { floor: Map<string, number>; function: Map<string, number> };
  firstCalls: FirstCall[];
}

/** The cold-start section of RESULTS.md: the split, medians per part, and the profile summary. */
function coldStartLines({ cold, splits, firstExchange, profiles, firstCalls }: ColdFigures): string[] {
  const lines = [
    '### Cold start',
    '',
    `Median of ${SETTINGS.coldStarts} starts each, targets rotating, each with a probe preloaded through NODE_OPTIONS that notes when Node is ready, when the first server's listen() is called and when it listens (each part is the median of that part, so they need not add up to the total). The function is started through its \`scf_bootstrap\`, so its first part holds the shell; the floor and the floor with duties are started with \`node\`.`,
    '',
    `| part (ms) | ${NAMES.map((name) => LABEL[name]).join(' | ')} | function ÷ floor |`,
    `|---|${NAMES.map(() => '---:').join('|')}|---:|`,
  ];
  for (const part of SPLIT_PARTS) {
    const values = NAMES.map((name) => median(splits[name].map((split) => split[part])));
    lines.push(`| ${SPLIT_LABEL[part]} | ${values.map((value) => fmt(value, 1)).join(' | ')} | ${fmt(values[2] / values[0])}× |`);
  }
  const totals = NAMES.map((name) => median(cold[name]));
  lines.push(`| **spawn → first 200, total** | ${totals.map((value) => `**${fmt(value, 1)}**`).join(' | ')} | **${fmt(totals[2] / totals[0])}×** |`);
  const exchanges = NAMES.map((name) => ({
    first: median(firstExchange[name].map((pair) => pair.first)),
    next: median(firstExchange[name].map((pair) => pair.next)),
  }));
  lines.push(
    `| first \`/oauth/token\` after the start (its upstream client loaded on first use in the function), then the next | ${exchanges.map(({ first, next }) => `${fmt(first, 1)}, ${fmt(next, 1)}`).join(' | ')} | |`,
  );
  const categories = [...new Set([...profiles.function.keys(), ...profiles.floor.keys()])];
  const total = (profile: Map<string, number>) => [...profile.values()].reduce((sum, value) => sum + value, 0);
  lines.push(
    '',
    'Profile of one start of each (`node --cpu-prof`, a sample every 100 µs, from process start to the first answer and a graceful stop; self time, idle left out; the profiler slows everything, so the shares say more than the sums):',
    '',
    '| where (ms) | floor | function |',
    '|---|---:|---:|',
    ...categories.map((category) => `| ${category} | ${fmt(profiles.floor.get(category) ?? 0, 1)} | ${fmt(profiles.function.get(category) ?? 0, 1)} |`),
    `| **all** | **${fmt(total(profiles.floor), 1)}** | **${fmt(total(profiles.function), 1)}** |`,
    '',
    ...firstCallLines(firstCalls),
  );
  return lines;
}

/** A load of pushes made just before it (each new, its timestamp fresh); more are made if the load asks for them. */
function pushLoad(makePush: () => Push, count: number): LoadRequest {
  const pushes = Array.from({ length: count }, makePush);
  let next = 0;
  return {
    method: 'POST',
    path: '/callback',
    headers: { 'content-type': 'text/xml' },
    setupRequest: (req: object) => ({ ...req, ...(pushes[next++] ?? makePush()) }),
  };
}

interface CallbackFigures {
  rps: Record<CallbackName, number[]>;
  cpu: Record<CallbackName, number[]>;
  latency: Record<CallbackName, { p50: number; p99: number; p99s: number[] }>;
}

/** The message server in safe mode against its floor: pushes handled per second at saturation, CPU a push, latency at a steady rate. */
async function benchCallback(targets: Record<CallbackName, Target>): Promise<CallbackFigures> {
  const makePush = pushMaker(CALLBACK_ACCOUNT);
  const running = {} as Record<CallbackName, Running>;
  for (const name of CALLBACK_NAMES) {
    running[name] = await start(targets[name]);
    log(`warming up the message server's ${name}`);
    await load(running[name].url, pushLoad(makePush, 5000), { amount: 5000 });
  }
  const per = <T>(make: () => T) => ({ floor: make(), function: make() });
  const rps = per<number[]>(() => []);
  const cpu = per<number[]>(() => []);
  for (let round = 0; round < SETTINGS.rounds; round++) {
    for (const name of round % 2 ? [...CALLBACK_NAMES].reverse() : CALLBACK_NAMES) {
      const request = pushLoad(makePush, SETTINGS.callbackMessages);
      const before = await cpuMicros(running[name].child.pid!);
      const { result } = await load(running[name].url, request, { amount: SETTINGS.callbackMessages });
      cpu[name].push(((await cpuMicros(running[name].child.pid!)) - before) / result.requests.total);
      rps[name].push(result.requests.total / result.duration);
      log(`/callback ${name}: ${fmt(rps[name].at(-1)!, 0)} pushes/s at saturation`);
    }
  }
  const p50s = per<number[]>(() => []);
  const p99s = per<number[]>(() => []);
  const amount = SETTINGS.rate * SETTINGS.latencySeconds;
  for (let round = 0; round < SETTINGS.latencyRounds; round++) {
    for (const name of round % 2 ? [...CALLBACK_NAMES].reverse() : CALLBACK_NAMES) {
      const { latencies } = await load(running[name].url, pushLoad(makePush, amount), { amount, overallRate: SETTINGS.rate, connections: SETTINGS.rateConnections });
      latencies.sort((a, b) => a - b);
      p50s[name].push(percentile(latencies, 50));
      p99s[name].push(percentile(latencies, 99));
      log(`/callback ${name} at ${SETTINGS.rate} pushes/s: p50 ${fmt(p50s[name].at(-1)!)} ms, p99 ${fmt(p99s[name].at(-1)!)} ms`);
    }
  }
  for (const name of CALLBACK_NAMES) await running[name].stop();
  const latency = per(() => ({ p50: 0, p99: 0, p99s: [] as number[] }));
  for (const name of CALLBACK_NAMES) latency[name] = { p50: median(p50s[name]), p99: median(p99s[name]), p99s: p99s[name] };
  return { rps, cpu, latency };
}

/** The message-server section of RESULTS.md. */
function callbackLines({ rps, cpu, latency }: CallbackFigures): string[] {
  const row = (measure: string, floor: number, fn: number, digits: number) => `| ${measure} | ${fmt(floor, digits)} | ${fmt(fn, digits)} | **${fmt(fn / floor)}×** |`;
  const rate = { floor: mean(rps.floor), function: mean(rps.function) };
  const perPush = { floor: mean(cpu.floor), function: mean(cpu.function) };
  return [
    '### Message server: `/callback` in safe mode',
    '',
    `Every request is a new text message (its own MsgId and nonce, the current timestamp), encrypted and signed as WeChat sends it in safe mode (\`encrypt_type=aes\`, \`msg_signature\`), so nothing is answered from the deduplication's memory. Function: the deploy bundle through \`scf_bootstrap\` with \`serverToken\` and \`encodingAESKey\` set and no rules, webhook or Redis: it checks the signatures and the timestamp, decrypts, checks the AppID, parses the XML, records the MsgId and answers \`success\`. Floor: bench/floor-callback.ts (node:http and node:crypto: the timestamp, the msg_signature, the decryption and the AppID inside, then \`success\`; no XML parser, no deduplication, no log). Saturation: ${SETTINGS.rounds} rounds of ${SETTINGS.callbackMessages / 1000}k pushes each over ${SETTINGS.connections} connections, alternating, the mean; latency: ${SETTINGS.latencyRounds} rounds of ${SETTINGS.latencySeconds} s at ${SETTINGS.rate} pushes/s over ${SETTINGS.rateConnections} connections, the median of the rounds.`,
    '',
    '| measure | floor | function | function ÷ floor |',
    '|---|---:|---:|---:|',
    row('pushes handled/s at saturation', rate.floor, rate.function, 0),
    row('CPU per push at saturation (µs, user + system)', perPush.floor, perPush.function, 0),
    `| throughput ÷ floor: the lower of the pushes/s ratio and the CPU-per-push ratio | | | **${fmt(Math.min(rate.function / rate.floor, perPush.floor / perPush.function))}×** |`,
    row(`p50 latency at ${SETTINGS.rate} pushes/s (ms)`, latency.floor.p50, latency.function.p50, 2),
    row(`p99 latency at ${SETTINGS.rate} pushes/s (ms)`, latency.floor.p99, latency.function.p99, 2),
    '',
    `Saturation rounds (pushes/s): floor ${rps.floor.map((value) => fmt(value, 0)).join(', ')}; function ${rps.function.map((value) => fmt(value, 0)).join(', ')}. p99 rounds (ms): floor ${latency.floor.p99s.map((value) => fmt(value)).join(', ')}; function ${latency.function.p99s.map((value) => fmt(value)).join(', ')}.`,
  ];
}

interface FirstCall {
  group: string;
  /** The route called; absent when none of the group's answered 200 with a minimal body. */
  label?: string;
  /** What was tried, when nothing answered 200. */
  tried?: string[];
  first: number[];
  warm: number[];
  /** A status other than 200 during the measurement. */
  failed?: string;
}

/**
 * The first call to each API group after a cold start against a warm call to it: picks each
 * group's route on a running function (first-calls.ts), then for each group starts the function
 * again and again, times its first call and the median of the next few.
 */
async function benchFirstCalls(target: Target): Promise<FirstCall[]> {
  const makePush = pushMaker(CALLBACK_ACCOUNT);
  const list = firstCallCandidates({ adminKey: ADMIN_KEY, bearer: TOKEN }, makePush);
  const picking = await start(target);
  const picked: FirstCall[] = [];
  const chosen = new Map<string, Candidate>();
  for (const { group, candidates } of list) {
    const tried: string[] = [];
    for (const candidate of candidates) {
      const { status } = await timedCall(picking.url, candidate.make());
      if (status === 200) {
        chosen.set(group, candidate);
        break;
      }
      tried.push(`${candidate.label} ${status}`);
    }
    picked.push({ group, label: chosen.get(group)?.label, tried: chosen.has(group) ? undefined : tried, first: [], warm: [] });
  }
  await picking.stop();
  for (let i = 0; i < SETTINGS.firstCallStarts; i++) {
    for (const row of picked) {
      const candidate = chosen.get(row.group);
      if (!candidate || row.failed) continue;
      const running = await start(target);
      const first = await timedCall(running.url, candidate.make());
      const warm: number[] = [];
      for (let j = 0; j < SETTINGS.warmCalls && first.status === 200; j++) {
        const call = await timedCall(running.url, candidate.make());
        if (call.status !== 200) row.failed = `${candidate.label} answered ${call.status} on a warm call`;
        warm.push(call.ms);
      }
      if (first.status !== 200) row.failed = `${candidate.label} answered ${first.status} on a first call`;
      row.first.push(first.ms);
      row.warm.push(median(warm));
      await running.stop();
    }
  }
  log(`first calls: ${picked.map((row) => `${row.group} ${row.label ? `${fmt(median(row.first) - median(row.warm), 1)} ms over warm` : 'none'}`).join(', ')}`);
  return picked;
}

function firstCallLines(rows: FirstCall[]): string[] {
  const lines = [
    `First call to each API group after a cold start, against a warm call (the median of the next ${SETTINGS.warmCalls}); median over ${SETTINGS.firstCallStarts} starts per group, each group's call the first after its own start (the function through \`scf_bootstrap\` with ADMIN_API_KEY, serverToken and encodingAESKey set). The route is each group's first, in the order of bench/first-calls.ts, that answered 200 against the emulator with an empty or minimal body. Target: the first call costs at most ${TARGETS.firstCallMs} ms over a warm one.`,
    '',
    '| group | route | first call (ms) | warm call (ms) | first − warm (ms) | target | |',
    '|---|---|---:|---:|---:|---|---|',
  ];
  for (const row of rows) {
    if (!row.label || row.failed) {
      lines.push(`| ${row.group} | ${row.label ?? 'none answered 200'} | | | | | ${row.failed ?? (row.tried?.length ? `tried: ${row.tried.join(', ')}` : 'no route takes a minimal body')} |`);
      continue;
    }
    const first = median(row.first);
    const warm = median(row.warm);
    const ok = first - warm <= TARGETS.firstCallMs;
    lines.push(`| ${row.group} | \`${row.label}\` | ${fmt(first, 1)} | ${fmt(warm, 1)} | **${fmt(first - warm, 1)}** | ≤ ${TARGETS.firstCallMs} | ${mark(ok)} |`);
  }
  return lines;
}

interface Figures extends ColdFigures {
  placement: string;
  /** Absent while the function serves no /callback. */
  callback?: CallbackFigures;
  rps: Record<Route, PerTarget<number[]>>;
  /** CPU time per call in µs (user + system) during the saturation rounds. */
  cpu: Record<Route, PerTarget<number[]>>;
  /** Medians over the latency rounds; `p99s` holds each round's p99. */
  latency: Record<Route, PerTarget<{ p50: number; p99: number; p99s: number[] }>>;
  rss: { floor: { warm: number; slices: number[] }; function: { warm: number; slices: number[] } };
  /** Live heap after a full collection (MiB), read at the same moments as `rss`. */
  heap: { floor: { warm: number; slices: number[] }; function: { warm: number; slices: number[] } };
  bundleBytes: number;
  floorBytes: number;
  dutiesBytes: number;
  seconds: number;
}

async function main(): Promise<void> {
  const begun = performance.now();
  // First, so the emulator and the build's helpers inherit this process's cores.
  const place = placement();
  log(place.describe);
  const work = await mkdtemp(path.join(os.tmpdir(), 'offiaccount-bench-'));
  try {
    const probeFile = path.join(work, 'mem-probe.cjs');
    await writeFile(probeFile, MEM_PROBE);
    log('building the deploy bundle, the floor and the floor with duties');
    const deployDir = path.join(work, 'deploy');
    const { bundleBytes } = await buildDeploy(deployDir);
    // Each one file, as the function's bundle was before it was split into chunks.
    await build({
      ...deployBundle,
      entry: { floor: 'bench/floor.ts', duties: 'bench/floor-duties.ts', 'floor-callback': 'bench/floor-callback.ts' },
      splitting: false,
      outDir: work,
      config: false,
      silent: true,
    });
    const floorBytes = (await stat(path.join(work, 'floor.mjs'))).size;
    const dutiesBytes = (await stat(path.join(work, 'duties.mjs'))).size;

    const emulator = await startEmulator();
    log(`emulator at ${emulator.url}`);
    const upstream = { appId: APP_ID, appSecret: APP_SECRET, WECHAT_API_BASE_URL: emulator.url, NODE_ENV: 'production' };
    const pinned = (command: string, args: string[]) =>
      place.prefix.length ? { command: place.prefix[0], args: [...place.prefix.slice(1), command, ...args] } : { command, args };
    const targets: PerTarget<Target> = {
      floor: { name: 'floor', ...pinned(process.execPath, [path.join(work, 'floor.mjs')]), cwd: work, env: upstream },
      duties: { name: 'duties', ...pinned(process.execPath, [path.join(work, 'duties.mjs')]), cwd: work, env: { ...upstream, RATE_LIMIT_PER_MINUTE: '1000000', corsAllowOrigin: PAGE_ORIGIN } },
      // Started as CloudBase starts it. The rate limit stays on (the limiter's work is measured) but high enough never to refuse.
      function: { name: 'function', ...pinned(path.join(deployDir, 'scf_bootstrap'), []), cwd: deployDir, env: { ...upstream, RATE_LIMIT_PER_MINUTE: '1000000', corsAllowOrigin: PAGE_ORIGIN } },
    };

    const messageServer = { serverToken: CALLBACK_ACCOUNT.serverToken, encodingAESKey: CALLBACK_ACCOUNT.encodingAESKey };
    const callbackTargets: Record<CallbackName, Target> = {
      floor: { name: 'floor-callback', ...pinned(process.execPath, [path.join(work, 'floor-callback.mjs')]), cwd: work, env: { appId: APP_ID, ...messageServer }, ready: rootAnswers },
      function: { ...targets.function, name: 'function-callback', env: { ...targets.function.env, ...messageServer } },
    };
    // Measured once the function serves /callback (the message server's group in src/apis/index.ts).
    const servesCallback = groups.some((group) => group.routes.some((route) => route.path === '/callback'));
    if (env.BENCH_ONLY === 'callback') {
      if (!servesCallback) throw new Error('the function serves no /callback: no API group declares it');
      const figures = await benchCallback(callbackTargets);
      process.stdout.write(callbackLines(figures).join('\n') + '\n');
      emulator.child.kill('SIGTERM');
      return;
    }

    const coldProbe = path.join(work, 'cold-probe.cjs');
    await writeFile(coldProbe, COLD_PROBE);
    const cold = perTarget<number[]>(() => []);
    const splits = perTarget<ColdSplit[]>(() => []);
    const firstExchange = perTarget<{ first: number; next: number }[]>(() => []);
    for (let i = 0; i < SETTINGS.coldStarts; i++) {
      for (const name of rotated(i)) {
        const running = await start(targets[name], { NODE_OPTIONS: `--require ${coldProbe}`, COLD_PROBE_FILE: path.join(work, `${name}.cold`) });
        cold[name].push(running.coldStartMs);
        splits[name].push(running.split!);
        const first = await timedExchange(running.url);
        firstExchange[name].push({ first, next: await timedExchange(running.url) });
        await running.stop();
      }
    }
    log(`cold start median: ${NAMES.map((name) => `${name} ${fmt(median(cold[name]), 1)} ms`).join(', ')}`);
    // The function's own process, without scf_bootstrap in front, so the profiler can be switched on.
    const profiles = {
      floor: await profiledStart(targets.floor, work),
      function: await profiledStart({ ...targets.function, ...pinned(process.execPath, ['index.mjs']) }, work),
    };
    // Every group's first call, on a function with every group on (the admin routes, the message server).
    const firstCalls = await benchFirstCalls({ ...targets.function, name: 'function-groups', env: { ...targets.function.env, ...messageServer, ADMIN_API_KEY: ADMIN_KEY } });
    const coldFigures = { cold, splits, firstExchange, profiles, firstCalls };
    if (env.BENCH_ONLY === 'cold') {
      const raw = `Cold starts (ms): ${NAMES.map((name) => `${LABEL[name]} ${cold[name].map((value) => fmt(value, 0)).join(', ')}`).join('; ')}.`;
      process.stdout.write([...coldStartLines(coldFigures), '', raw].join('\n') + '\n');
      emulator.child.kill('SIGTERM');
      return;
    }

    const running = {} as PerTarget<Running>;
    for (const name of NAMES) {
      running[name] = await start(targets[name], { NODE_OPTIONS: `--expose-gc --require ${probeFile}`, MEM_PROBE_FILE: path.join(work, `${name}.heap`) });
      log(`warming up ${name}`);
      await load(running[name].url, '/oauth/config', { amount: 5000 });
      await load(running[name].url, '/oauth/token', { amount: SETTINGS.warmupRequests });
    }

    const rps = { '/oauth/config': perTarget<number[]>(() => []), '/oauth/token': perTarget<number[]>(() => []) };
    const cpu = { '/oauth/config': perTarget<number[]>(() => []), '/oauth/token': perTarget<number[]>(() => []) };
    const latency = {} as Figures['latency'];
    for (const route of ROUTES) {
      for (let round = 0; round < SETTINGS.rounds; round++) {
        for (const name of rotated(round)) {
          await load(running[name].url, route, { duration: SETTINGS.warmupSeconds });
          const before = await cpuMicros(running[name].child.pid!);
          const { result } = await load(running[name].url, route, { duration: SETTINGS.duration });
          cpu[route][name].push(((await cpuMicros(running[name].child.pid!)) - before) / result.requests.total);
          rps[route][name].push(result.requests.total / result.duration);
          log(`${route} ${name}: ${fmt(rps[route][name].at(-1)!, 0)} req/s at saturation`);
        }
      }
      const p50s = perTarget<number[]>(() => []);
      const p99s = perTarget<number[]>(() => []);
      for (let round = 0; round < SETTINGS.latencyRounds; round++) {
        for (const name of rotated(round)) {
          const { latencies } = await load(running[name].url, route, { duration: SETTINGS.latencySeconds, overallRate: SETTINGS.rate, connections: SETTINGS.rateConnections });
          latencies.sort((a, b) => a - b);
          p50s[name].push(percentile(latencies, 50));
          p99s[name].push(percentile(latencies, 99));
          log(`${route} ${name} at ${SETTINGS.rate} req/s: p50 ${fmt(p50s[name].at(-1)!)} ms, p99 ${fmt(p99s[name].at(-1)!)} ms`);
        }
      }
      latency[route] = Object.fromEntries(NAMES.map((name) => [name, { p50: median(p50s[name]), p99: median(p99s[name]), p99s: p99s[name] }])) as Figures['latency'][Route];
    }
    await running.duties.stop();

    // Memory across 100k code exchanges (the route that keeps state), read between equal slices,
    // starting from the state the warm-up and the runs above left (heap grown to its working size).
    const rss = { floor: { warm: 0, slices: [] as number[] }, function: { warm: 0, slices: [] as number[] } };
    const heap = { floor: { warm: 0, slices: [] as number[] }, function: { warm: 0, slices: [] as number[] } };
    for (const name of ['floor', 'function'] as const) {
      const heapFile = path.join(work, `${name}.heap`);
      rss[name].warm = await rssMiB(running[name].child.pid!);
      heap[name].warm = await heapAfterGcMiB(running[name].child, heapFile);
      const slice = Math.floor(SETTINGS.memoryRequests / SETTINGS.memorySlices);
      for (let i = 0; i < SETTINGS.memorySlices; i++) {
        await load(running[name].url, '/oauth/token', { amount: slice });
        rss[name].slices.push(await rssMiB(running[name].child.pid!));
        heap[name].slices.push(await heapAfterGcMiB(running[name].child, heapFile));
      }
      log(`${name} heap after GC: ${fmt(heap[name].warm, 1)} MiB after warm-up, then ${heap[name].slices.map((value) => fmt(value, 1)).join(', ')} MiB`);
      log(`${name} RSS: ${fmt(rss[name].warm, 1)} MiB after warm-up, then ${rss[name].slices.map((value) => fmt(value, 1)).join(', ')} MiB`);
    }

    await running.floor.stop();
    await running.function.stop();
    const callback = servesCallback ? await benchCallback(callbackTargets) : undefined;
    emulator.child.kill('SIGTERM');

    const seconds = (performance.now() - begun) / 1000;
    await writeResults({ placement: place.describe, cold, splits, firstExchange, profiles, firstCalls, callback, rps, cpu, latency, rss, heap, bundleBytes, floorBytes, dutiesBytes, seconds });
    log(`done in ${fmt(seconds, 0)} s; figures in ${path.relative(process.cwd(), resultsFile)}`);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Everything from this line on in RESULTS.md is written by hand and kept across runs. */
const ANALYSIS_MARKER = '<!-- analysis: written by hand, kept when the bench rewrites the figures above -->';

async function writeResults(f: Figures): Promise<void> {
  const rows: string[] = [];
  const verdicts: boolean[] = [];
  const ratio = (value: number, floor: number) => `${fmt(value / floor)}×`;
  const row = (measure: string, values: PerTarget<number>, digits: number, target = '', ok?: boolean) => {
    if (ok !== undefined) verdicts.push(ok);
    rows.push(
      `| ${measure} | ${fmt(values.floor, digits)} | ${fmt(values.duties, digits)} (${ratio(values.duties, values.floor)}) | ${fmt(values.function, digits)} | **${ratio(values.function, values.floor)}** | ${target} | ${ok === undefined ? '' : mark(ok)} |`,
    );
  };
  for (const route of ROUTES) {
    const rps = perTarget(() => 0);
    for (const name of NAMES) rps[name] = mean(f.rps[route][name]);
    row(`\`${route}\` requests/s at saturation`, rps, 0);
    const cpu = perTarget(() => 0);
    for (const name of NAMES) cpu[name] = mean(f.cpu[route][name]);
    row(`\`${route}\` CPU per call at saturation (µs, user + system)`, cpu, 0);
    const busy = perTarget(() => 0);
    for (const name of NAMES) busy[name] = (rps[name] * cpu[name]) / 1e4;
    row(`\`${route}\` its core busy at saturation (%)`, busy, 0);
    // A floor that leaves its core idle is held back by the load generator, which flatters
    // whatever is compared with it; CPU per call gives what one core sustains. The lower wins.
    const judged = perTarget(() => 0);
    for (const name of NAMES) judged[name] = Math.min(rps[name] / rps.floor, cpu.floor / cpu[name]);
    verdicts.push(judged.function >= TARGETS.throughput);
    rows.push(
      `| \`${route}\` throughput ÷ floor: the lower of the req/s ratio and the CPU-per-call ratio | 1.00× | ${fmt(judged.duties)}× | | **${fmt(judged.function)}×** | ≥ ${TARGETS.throughput}× | ${mark(judged.function >= TARGETS.throughput)} |`,
    );
    const p50 = perTarget(() => 0);
    const p99 = perTarget(() => 0);
    for (const name of NAMES) {
      p50[name] = f.latency[route][name].p50;
      p99[name] = f.latency[route][name].p99;
    }
    row(`\`${route}\` p50 latency at ${SETTINGS.rate} req/s (ms)`, p50, 2);
    row(`\`${route}\` p99 latency at ${SETTINGS.rate} req/s (ms)`, p99, 2, `≤ ${TARGETS.p99}×`, p99.function / p99.floor <= TARGETS.p99);
  }
  const cold = perTarget(() => 0);
  for (const name of NAMES) cold[name] = median(f.cold[name]);
  row(`cold start, spawn → first 200 (ms, median of ${SETTINGS.coldStarts})`, cold, 1, `≤ ${TARGETS.coldStart}×`, cold.function / cold.floor <= TARGETS.coldStart);
  const growthOf = (series: { warm: number; slices: number[] }) => (series.slices.at(-1)! - series.warm) / series.warm;
  const pct = (value: number) => `${value >= 0 ? '+' : ''}${fmt(value * 100, 1)}%`;
  // Flat means the live heap after a full collection does not grow; RSS is shown beside it.
  const memoryOk = growthOf(f.heap.function) <= TARGETS.memoryGrowth;
  verdicts.push(memoryOk);
  rows.push(`| RSS after warm-up (MiB) | ${fmt(f.rss.floor.warm, 1)} | | ${fmt(f.rss.function.warm, 1)} | ${ratio(f.rss.function.warm, f.rss.floor.warm)} | | |`);
  rows.push(
    `| RSS after ${SETTINGS.memoryRequests / 1000}k more \`/oauth/token\` (MiB) | ${fmt(f.rss.floor.slices.at(-1)!, 1)} (${pct(growthOf(f.rss.floor))}) | | ${fmt(f.rss.function.slices.at(-1)!, 1)} (${pct(growthOf(f.rss.function))}) | | | |`,
  );
  rows.push(`| live heap after a full GC, after warm-up (MiB) | ${fmt(f.heap.floor.warm, 1)} | | ${fmt(f.heap.function.warm, 1)} | | | |`);
  rows.push(
    `| live heap after a full GC, after ${SETTINGS.memoryRequests / 1000}k more \`/oauth/token\` (MiB) | ${fmt(f.heap.floor.slices.at(-1)!, 1)} (${pct(growthOf(f.heap.floor))}) | | ${fmt(f.heap.function.slices.at(-1)!, 1)} (${pct(growthOf(f.heap.function))}) | | flat (≤ +${TARGETS.memoryGrowth * 100}%) | ${mark(memoryOk)} |`,
  );
  // A group whose first call was measured is judged against its own target, shown in the cold-start section.
  for (const call of f.firstCalls) if (call.label && !call.failed) verdicts.push(median(call.first) - median(call.warm) <= TARGETS.firstCallMs);
  rows.push(`| bundle size (KiB) | ${fmt(f.floorBytes / 1024, 0)} | ${fmt(f.dutiesBytes / 1024, 0)} | ${fmt(f.bundleBytes / 1024, 0)} | | | |`);

  const lines = [
    '# Benchmark results',
    '',
    `Written by \`npm run bench\` (bench/run.ts) on ${new Date().toISOString().slice(0, 10)}; the run took ${fmt(f.seconds, 0)} s.`,
    '',
    `- Machine: ${machine()}. Placement: ${f.placement}.`,
    '- Upstream: the WeChat emulator (`src/emulator/main.ts --accept-bench-codes`) as its own process on loopback. Every `/oauth/token` request presents a new `bench-<unique>` code, so each is a real upstream exchange.',
    '- Function: the deploy bundle started through its `scf_bootstrap` (NODE_ENV=production, AUTH_MODE=gateway, a Bearer token and the `Origin` of a page on every request as a browser sends them, corsAllowOrigin listing that origin, request logging at info with stdout to /dev/null, rate limiter on with a limit it never reaches). Floor: bench/floor.ts. Floor + duties: bench/floor-duties.ts (the floor plus a request id, the caller read from the token, a rate-limit count, the schema check, the CORS headers for the listed origin and a log line, on node:http). Both bundled the same way and started with `node`.',
    `- Throughput: autocannon in the bench process, ${SETTINGS.connections} keep-alive connections, ${SETTINGS.rounds} rounds of ${SETTINGS.duration} s per route and target (each after ${SETTINGS.warmupSeconds} s of warm-up), targets rotating; the mean of the rounds.`,
    `- Latency: ${SETTINGS.latencyRounds} rounds per target, alternating, of ${SETTINGS.latencySeconds} s at a steady ${SETTINGS.rate} req/s over ${SETTINGS.rateConnections} connections (a load every target carries), response times of every request at full precision; the median of the rounds' p50 and p99.`,
    `- Memory: RSS from /proc after ${SETTINGS.warmupRequests / 1000}k \`/oauth/token\` + 5k \`/oauth/config\` warm-up requests and the runs above, then after each ${SETTINGS.memoryRequests / SETTINGS.memorySlices / 1000}k slice of ${SETTINGS.memoryRequests / 1000}k more code exchanges: function ${[f.rss.function.warm, ...f.rss.function.slices].map((value) => fmt(value, 1)).join(' → ')} MiB; floor ${[f.rss.floor.warm, ...f.rss.floor.slices].map((value) => fmt(value, 1)).join(' → ')} MiB. At the same moments, the live heap after a full collection (a probe preloaded through NODE_OPTIONS runs \`gc()\` on SIGUSR2): function ${[f.heap.function.warm, ...f.heap.function.slices].map((value) => fmt(value, 1)).join(' → ')} MiB; floor ${[f.heap.floor.warm, ...f.heap.floor.slices].map((value) => fmt(value, 1)).join(' → ')} MiB. Flat is judged on the live heap: RSS also moves with how much freed memory V8 keeps.`,
    '',
    '| measure | floor | floor + duties (÷ floor) | function | function ÷ floor | target | |',
    '|---|---:|---:|---:|---:|---|---|',
    ...rows,
    '',
    `Cold starts (ms): ${NAMES.map((name) => `${LABEL[name]} ${f.cold[name].map((value) => fmt(value, 0)).join(', ')}`).join('; ')}.`,
    `Throughput rounds (req/s): ${ROUTES.map((route) => `\`${route}\` ${NAMES.map((name) => `${LABEL[name]} ${f.rps[route][name].map((value) => fmt(value, 0)).join(', ')}`).join('; ')}`).join('. ')}.`,
    `p99 rounds (ms): ${ROUTES.map((route) => `\`${route}\` ${NAMES.map((name) => `${LABEL[name]} ${f.latency[route][name].p99s.map((value) => fmt(value)).join(', ')}`).join('; ')}`).join('. ')}.`,
    '',
    ...coldStartLines(f),
    '',
    ...(f.callback ? [...callbackLines(f.callback), ''] : []),
    `Targets: ${verdicts.every(Boolean) ? 'all met in this run.' : 'not all met in this run; see the analysis below.'}`,
    '',
  ];

  let analysis = `${ANALYSIS_MARKER}\n\n## Analysis\n\n(none yet)\n`;
  try {
    const previous = await readFile(resultsFile, 'utf8');
    const at = previous.indexOf(ANALYSIS_MARKER);
    if (at >= 0) analysis = previous.slice(at);
  } catch {
    // first run
  }
  await writeFile(resultsFile, lines.join('\n') + '\n' + analysis);
  process.stdout.write(lines.join('\n') + '\n');
}

main().catch((error) => {
  process.stderr.write(`[bench] failed: ${(error as Error)?.stack ?? String(error)}\n`);
  process.exit(1);
});
