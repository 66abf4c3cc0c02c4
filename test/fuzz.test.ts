/**
 * Property-based fuzzing of the whole HTTP surface over loopback: thousands of random and
 * adversarial methods, paths (bare, prefixed and gateway forms), headers and bodies at every
 * route. Whatever arrives, the answer is a well-formed envelope (success, or a 4xx/5xx failure),
 * the process never crashes or logs an unexpected error, and no answer or log line carries the
 * AppSecret, the admin key, x-cloudbase-context or any token.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { ManualClock } from '../src/clock.js';
import { createDevSignin, type DevSignin } from '../src/dev/signin.js';
import { routes } from '../src/apis/index.js';
import { startStack, TEST_APP_SECRET, type Stack } from './support/stack.js';

const ADMIN_KEY = 'fuzz-admin-key-0123456789abcdef0123';
const CONTEXT = Buffer.from(JSON.stringify({ TENCENTCLOUD_SECRETKEY: 'fuzzCtxSecretKey99', TENCENTCLOUD_SESSIONTOKEN: 'fuzzCtxSession77' })).toString('base64');
const RUNS = Number(process.env.FUZZ_RUNS ?? 4000);

let stack: Stack;
let signin: DevSignin;
/** Long credentials that must never show up where they do not belong. */
const secrets = new Set<string>([TEST_APP_SECRET, ADMIN_KEY, CONTEXT, 'fuzzCtxSecretKey99', 'fuzzCtxSession77']);
/** Tokens the function legitimately handed out; they must still never reach a log line. */
const issued = new Set<string>();
/** The account's global tokens: only admin answers may carry them. */
const accountTokens = new Set<string>();
let validBearer: string;
let expiredBearer: string;
let oauth: { access_token: string; refresh_token: string; openid: string };
const statuses = new Map<number, number>();

before(async () => {
  const clock = new ManualClock(Date.UTC(2026, 10, 24, 4, 0, 0));
  signin = createDevSignin({ clock, ttlSeconds: 600 });
  expiredBearer = (await signin.issue('expired-user')).access_token;
  clock.advance(20 * 60_000);
  validBearer = (await signin.issue('fuzz-user')).access_token;
  stack = await startStack({
    clock,
    env: { ...signin.env, ADMIN_API_KEY: ADMIN_KEY, RATE_LIMIT_PER_MINUTE: '1000000', corsAllowOrigin: 'https://page.example', LOG_LEVEL: 'debug' },
  });
  // A real sign-in flow and the account token, so their values are known to the scans.
  const auth = { authorization: `Bearer ${validBearer}` };
  oauth = (await stack.call('/oauth/token', { code: stack.code('snsapi_userinfo', 'fuzz') }, auth)).body.data;
  const global = (await stack.call('/token/get', {}, { 'x-api-key': ADMIN_KEY })).body.data;
  assert.ok(oauth.access_token && global.access_token, 'the setup flow worked');
  for (const token of [validBearer, expiredBearer]) secrets.add(token);
  for (const token of [oauth.access_token, oauth.refresh_token, global.access_token]) issued.add(token);
  accountTokens.add(global.access_token);
});

after(async () => {
  await stack?.close();
});

// ---- generators -------------------------------------------------------------------------

const printable = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)), maxLength: 80 });
const anyText = fc.oneof(
  fc.string({ maxLength: 60 }),
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.constantFrom('', ' ', '\u0000', '\ud800', '../../etc/passwd', '<script>alert(1)</script>', "' OR 1=1 --", 'x&appid=evil', '%00', '${jndi:ldap://x}', 'a'.repeat(5000)),
);

/** Every form a route path may arrive in, plus near misses. */
const routePaths = routes.map((route) => route.path);
const pathArb = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...routePaths) },
  { weight: 3, arbitrary: fc.tuple(fc.constantFrom(...routePaths), fc.stringMatching(/^[\w-]{1,20}$/)).map(([path, fn]) => `/${fn}${path}`) },
  { weight: 3, arbitrary: fc.tuple(fc.constantFrom(...routePaths), fc.stringMatching(/^[\w-]{1,20}$/)).map(([path, fn]) => `/v1/functions/${fn}${path}?webfn=true`) },
  { weight: 1, arbitrary: fc.constantFrom('/', '/v1/functions/fn', '/v1/functions/fn/', '/__dev/signin', '/openapi.json', '/demo/') },
  {
    weight: 2,
    arbitrary: fc.oneof(
      fc.array(printable, { maxLength: 6 }).map((segments) => `/${segments.map(encodeURIComponent).join('/')}`),
      fc.constantFrom(...routePaths).map((path) => path.toUpperCase()),
      fc.constantFrom(...routePaths).map((path) => `${path}/`),
      fc.constantFrom(...routePaths).map((path) => path.replace('/', '//')),
      fc.constantFrom('/%', '/%zz', '/%E0%A4%A', '/oauth/%2e%2e/token', '/oauth/token%00', '/oauth/token;x=1', '/%2F%2F', `/${'a/'.repeat(300)}`, `/oauth/${'x'.repeat(3000)}`),
    ),
  },
);

// Methods Node's HTTP parser accepts; anything else never reaches the function (see the raw-socket test).
const methodArb = fc.oneof(
  { weight: 12, arbitrary: fc.constant('POST') },
  { weight: 3, arbitrary: fc.constantFrom('GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'PROPFIND', 'SEARCH', 'PURGE') },
);

const contentTypeArb = fc.option(
  fc.oneof(
    { weight: 4, arbitrary: fc.constant('application/json') },
    fc.constantFrom('application/json', 'application/json; charset=utf-8', 'APPLICATION/JSON', 'application/vnd.api+json', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/jsonp', ''),
    printable,
  ),
  { nil: undefined },
);

const authorizationArb = fc.option(
  fc.oneof(
    { weight: 6, arbitrary: fc.constant(`Bearer VALID`) },
    fc.constant(`Bearer EXPIRED`),
    printable.map((text) => `Bearer ${text}`),
    printable,
    fc.constantFrom('Bearer', 'Bearer ', 'Basic YWRtaW46YWRtaW4=', 'bearer VALID', `Bearer ${'e'.repeat(9000)}`, 'Bearer e30.e30.e30', 'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.'),
  ),
  { nil: undefined },
);

const headersArb = fc.record(
  {
    'content-type': contentTypeArb,
    authorization: authorizationArb,
    'x-api-key': fc.option(fc.oneof({ weight: 2, arbitrary: fc.constant('ADMIN') }, printable), { nil: undefined }),
    'x-cloudbase-context': fc.option(fc.constant(CONTEXT), { nil: undefined }),
    'x-request-id': fc.option(printable, { nil: undefined }),
    'x-cloudbase-request-id': fc.option(printable, { nil: undefined }),
    'x-forwarded-for': fc.option(fc.oneof(fc.ipV4(), fc.ipV6(), printable), { nil: undefined }),
    origin: fc.option(fc.oneof(fc.constant('https://page.example'), printable), { nil: undefined }),
    cookie: fc.option(fc.constant(`sid=${TEST_APP_SECRET}`), { nil: undefined }),
    accept: fc.option(printable, { nil: undefined }),
  },
  { requiredKeys: [] },
);

/** Values for the fields routes read, adversarial ones included; credentials go only where they are not echoed. */
const fieldValue = fc.oneof(
  anyText,
  fc.constantFrom(TEST_APP_SECRET, 'OAUTH_ACCESS', 'OAUTH_REFRESH', 'OPENID'),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(anyText, { maxLength: 5 }),
  fc.dictionary(anyText, anyText, { maxKeys: 4 }),
  fc.jsonValue({ maxDepth: 3 }),
);
const credentialField = fc.constantFrom('code', 'access_token', 'refresh_token');
const knownFields = ['code', 'refresh_token', 'access_token', 'openid', 'lang', 'url', 'force_refresh', 'user'];

const bodyArb = fc.oneof(
  { weight: 4, arbitrary: fc.dictionary(fc.constantFrom(...knownFields), fieldValue, { maxKeys: 4 }).map((body) => JSON.stringify(body)) },
  { weight: 2, arbitrary: fc.tuple(credentialField, fc.constantFrom(TEST_APP_SECRET, ADMIN_KEY, 'OAUTH_ACCESS')).map(([field, value]) => JSON.stringify({ [field]: value, openid: 'OPENID' })) },
  { weight: 1, arbitrary: fc.jsonValue().map((value) => JSON.stringify(value)) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '',
      '{',
      '{"code":',
      'null',
      '[]',
      '"x"',
      '1e999',
      '{"__proto__":{"polluted":true},"code":"x"}',
      '{"constructor":{"prototype":{"polluted":true}}}',
      `{"code":"${'x'.repeat(70 * 1024)}"}`,
      `${'['.repeat(20000)}${']'.repeat(20000)}`,
      `{"a":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}`,
      '{"code":"\\ud800"}',
      '{"code":"a\\u0000b"}',
      '{"url":"javascript:alert(1)"}',
      '{"url":"http://[::1"}',
      '{"jsApiList":' + JSON.stringify(Array.from({ length: 500 }, () => 'x')) + ',"url":"https://a.example/"}',
    ),
  },
  { weight: 1, arbitrary: fc.constant(undefined) },
);

const requestArb = fc.record({ method: methodArb, path: pathArb, headers: headersArb, body: bodyArb });
type FuzzRequest = typeof requestArb extends fc.Arbitrary<infer T> ? T : never;

// ---- the property -----------------------------------------------------------------------

function materialise(request: FuzzRequest): { path: string; init: RequestInit } {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers) as Array<[string, string | undefined]>) {
    if (value === undefined) continue;
    headers[name] = value
      .replace(/^Bearer VALID$/i, `Bearer ${validBearer}`)
      .replace(/^Bearer EXPIRED$/, `Bearer ${expiredBearer}`)
      .replace(/^ADMIN$/, ADMIN_KEY);
  }
  let body = request.body;
  if (body !== undefined) body = body.replaceAll('OAUTH_ACCESS', oauth.access_token).replaceAll('OAUTH_REFRESH', oauth.refresh_token).replaceAll('OPENID', oauth.openid);
  const bodyless = request.method === 'GET' || request.method === 'HEAD';
  return { path: request.path, init: { method: request.method, headers, body: bodyless ? undefined : body } };
}

/** Tokens in a success answer are the caller's to have; they are remembered so the log scan covers them. */
function remember(body: any): void {
  const data = body?.data;
  if (!data || typeof data !== 'object') return;
  for (const key of ['access_token', 'refresh_token', 'ticket']) if (typeof data[key] === 'string' && data[key].length >= 16) issued.add(data[key]);
}

async function checkOne(request: FuzzRequest): Promise<void> {
  const { path, init } = materialise(request);
  const result = await stack.raw(path, init);
  statuses.set(result.status, (statuses.get(result.status) ?? 0) + 1);
  const context = `${init.method} ${path.slice(0, 120)} → ${result.status} ${result.text.slice(0, 300)}`;
  assert.ok(result.status >= 200 && result.status < 600, context);
  assert.notEqual(result.status, 500, `an unexpected error: ${context}`);
  for (const secret of secrets) assert.ok(!result.text.includes(secret), `answer leaks a secret: ${context}`);

  // A preflight is answered by CORS with no body; HEAD carries headers only.
  if (init.method === 'OPTIONS' && result.status === 204) return;
  if (init.method === 'HEAD') return assert.ok(result.status < 500, context);

  // The API document is the one non-envelope answer, and only to GET.
  if (init.method === 'GET' && result.status === 200 && new URL(path, 'http://x').pathname === '/openapi.json') return assert.ok(result.body?.openapi, context);

  assert.equal(typeof result.body, 'object', `not JSON: ${context}`);
  assert.ok(result.body !== null, context);
  assert.match(result.headers.get('content-type') ?? '', /^application\/json/, context);
  if (result.status < 300) {
    assert.equal(result.body.code, 0, context);
    assert.equal(result.body.msg, 'success', context);
    assert.ok('data' in result.body, context);
    const adminPath = /\/token\//.test(path);
    // A user's own OAuth tokens come back to that user; the account's token never leaves an admin route.
    if (!adminPath) for (const token of accountTokens) assert.ok(!result.text.includes(token), `answer leaks the account token: ${context}`);
    remember(result.body);
    if (adminPath && typeof result.body.data?.access_token === 'string') accountTokens.add(result.body.data.access_token);
  } else {
    assert.ok(result.status >= 400, context);
    assert.equal(result.body.code, -1, context);
    assert.equal(result.body.data, null, context);
    assert.equal(typeof result.body.msg, 'string', context);
    assert.ok(result.body.msg.length > 0 && result.body.msg.length < 2000, context);
    assert.doesNotMatch(result.text, /\bat .*\.(ts|js):\d+/, `a stack trace: ${context}`);
  }
}

describe('fuzzing every route', () => {
  it(`answers ${RUNS} random and adversarial requests with well-formed envelopes`, { timeout: 55_000 }, async (t) => {
    const started = performance.now();
    await fc.assert(fc.asyncProperty(requestArb, checkOne), {
      numRuns: RUNS,
      endOnFailure: false,
      // FUZZ_SEED=<seed from a failure report> replays that run.
      ...(process.env.FUZZ_SEED && { seed: Number(process.env.FUZZ_SEED) }),
    });
    const seconds = (performance.now() - started) / 1000;
    const summary = [...statuses.entries()].sort(([a], [b]) => a - b).map(([status, count]) => `${status}:${count}`).join(' ');
    t.diagnostic(`${RUNS} requests in ${seconds.toFixed(1)} s; statuses ${summary}`);
    // The run covered successes and the main refusals, not just one kind of answer.
    for (const status of [200, 400, 401, 403, 404, 405]) assert.ok(statuses.has(status), `no ${status} seen: ${summary}`);
  });

  it('survives malformed HTTP that never reaches the function', async () => {
    const garbage = [
      'FOO / HTTP/1.1\r\nHost: x\r\n\r\n',
      'POST /oauth/token HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
      'POST /oauth/token HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n',
      'GET / HTTP/9.9\r\n\r\n',
      `GET /${'a'.repeat(20000)} HTTP/1.1\r\nHost: x\r\n${'X-Pad: y\r\n'.repeat(2000)}\r\n`,
      '\u0000\u0001\u0002garbage\r\n\r\n',
      'POST /oauth/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"code":',
    ];
    const { port } = new URL(stack.fn.url);
    for (const raw of garbage) {
      await new Promise<void>((resolve) => {
        const socket = connect(Number(port), '127.0.0.1', () => socket.end(raw));
        socket.on('data', () => {});
        socket.on('error', () => resolve());
        socket.on('close', () => resolve());
        socket.setTimeout(500, () => socket.destroy());
      });
    }
    const health = await stack.raw('/');
    assert.equal(health.status, 200);
    assert.equal(health.body.code, 0);
  });

  it('never logged an unexpected error, a secret or a token', () => {
    // Refused requests (401, 403, 404, 429) are sampled, so fewer lines than requests; the rest are each logged.
    assert.ok(stack.logs.length > 100, 'requests were logged');
    const unexpected = stack.logs.filter((line) => line.includes('unexpected error'));
    assert.deepEqual(unexpected, []);
    for (const line of stack.logs) {
      for (const value of [...secrets, ...issued]) assert.ok(!line.includes(value), `log line leaks ${value.slice(0, 10)}…: ${line.slice(0, 300)}`);
    }
    assert.equal(({} as Record<string, unknown>).polluted, undefined, 'no prototype pollution');
  });
});
