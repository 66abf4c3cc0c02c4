/**
 * The API document is generated from the live route table: every route the router serves is in
 * /openapi.json with its body schema and its credential, the schema it shows is the one the
 * router enforces, and the local run's /docs page shows every route.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { ManualClock } from '../src/clock.js';
import { loadConfig } from '../src/config.js';
import { mountApiReference } from '../src/dev/api-reference.js';
import { jsonSchema } from '../src/function/openapi.js';
import { methodsOf } from '../src/function/route.js';
import { routes } from '../src/apis/index.js';
import { createLogger } from '../src/log.js';
import { startFunction, type RunningFunction } from '../src/server.js';

const ADMIN_KEY = 'admin-key-for-openapi-tests-0123456789';

let fn: RunningFunction;
let doc: any;

const get = (path: string) => fetch(fn.url + path);

before(async () => {
  const config = loadConfig({
    appId: 'wx1234567890abcdef',
    appSecret: 'S3cretS3cretS3cretS3cretS3cret42',
    // Nothing here calls WeChat: every request below is refused before the handler runs.
    WECHAT_API_BASE_URL: 'http://127.0.0.1:9',
    PORT: '0',
    HOST: '127.0.0.1',
    AUTH_MODE: 'none',
    ADMIN_API_KEY: ADMIN_KEY,
    RATE_LIMIT_PER_MINUTE: '0',
  });
  const logger = createLogger({ level: 'silent', secrets: [config.appSecret], destination: new Writable({ write: (_c, _e, done) => done() }) });
  fn = await startFunction({ config, clock: new ManualClock(), logger, mount: mountApiReference });
  const response = await get('/openapi.json');
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
  doc = await response.json();
});

after(() => fn.close());

// An upload route takes JSON too: its JSON schema is the one compared.
const contentType = (route: (typeof routes)[number]) => (route.input === 'multipart' ? 'multipart/form-data' : 'application/json');

describe('/openapi.json', () => {
  test('is an OpenAPI 3.1 document naming the function and its version, served without credentials', async () => {
    assert.equal(doc.openapi, '3.1.0');
    assert.equal(doc.info.title, 'offiaccount-common');
    assert.match(doc.info.version, /^\d+\.\d+\.\d+/);
    // The prefixed and gateway forms are described rather than listed.
    assert.match(doc.info.description, /\/v1\/functions\/\{functionName\}/);
    assert.match(doc.info.description, /webfn=true/);
    assert.ok(doc.paths['/'].get, 'the health check is documented');
  });

  test('every route in the router appears with its body schema, response and credential', () => {
    assert.ok(routes.length > 0);
    for (const route of routes) {
      const method = methodsOf(route)[0].toLowerCase();
      const operation = doc.paths[route.path]?.[method];
      assert.ok(operation, `${method} ${route.path} is missing from /openapi.json`);
      assert.equal(operation.summary, route.summary, route.path);
      // A GET reads the query and an XML route its body as text: only JSON and form bodies have a schema here.
      if (method === 'post' && (route.input ?? 'json') !== 'xml') {
        const body = operation.requestBody?.content?.[contentType(route)]?.schema;
        assert.deepEqual(body, jsonSchema(route.body, 'input'), `${route.path}: body schema differs from the router's`);
        const shape = (route.body as any).entries;
        if (shape) assert.deepEqual(Object.keys(body.properties ?? {}).sort(), Object.keys(shape).sort(), `${route.path}: fields`);
        if (route.output === 'binary') assert.ok(operation.responses['200'].content['application/octet-stream'], `${route.path}: a file`);
        else {
          const data = operation.responses['200'].content['application/json'].schema.properties.data;
          if (route.response) assert.deepEqual(data, jsonSchema(route.response, 'output'), `${route.path}: response schema`);
        }
      }
      const security = operation.security;
      if (route.access === 'public') assert.deepEqual(security, [], route.path);
      if (route.access === 'user') assert.deepEqual(security, [{ CloudBaseAccessToken: [] }], route.path);
      if (route.access === 'admin') assert.deepEqual(security, [{ AdminApiKey: [] }], route.path);
    }
    // Nothing documented that the router does not serve.
    const documented = Object.keys(doc.paths).filter((path) => path !== '/');
    assert.deepEqual(documented.sort(), [...new Set(routes.map((route) => route.path))].sort());
  });

  test('declares Bearer and X-Api-Key security schemes', () => {
    assert.deepEqual(doc.components.securitySchemes.CloudBaseAccessToken, {
      ...doc.components.securitySchemes.CloudBaseAccessToken,
      type: 'http',
      scheme: 'bearer',
    });
    assert.equal(doc.components.securitySchemes.AdminApiKey.type, 'apiKey');
    assert.equal(doc.components.securitySchemes.AdminApiKey.in, 'header');
    assert.equal(doc.components.securitySchemes.AdminApiKey.name, 'X-Api-Key');
  });

  test('the fields the document marks required are the ones the router refuses to go without', async () => {
    // A JSON body of {} reaches the schema; a form or XML route refuses it by its type first.
    for (const route of routes) {
      if (!methodsOf(route).includes('POST') || (route.input ?? 'json') !== 'json') continue;
      const schema = doc.paths[route.path].post.requestBody.content['application/json'].schema;
      const required: string[] = schema.required ?? [];
      if (required.length === 0) continue;
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (route.access === 'admin') headers['x-api-key'] = ADMIN_KEY;
      const response = await fetch(fn.url + route.path, { method: 'POST', headers, body: '{}' });
      const body = (await response.json()) as any;
      assert.equal(response.status, 400, `${route.path}: ${body.msg}`);
      assert.equal(body.code, -1);
      for (const field of required.slice(0, 5)) assert.match(body.msg, new RegExp(`\\b${field}\\b`), `${route.path}: ${body.msg}`);
    }
  });

  test('answers other methods with 405 and the envelope', async () => {
    const response = await fetch(fn.url + '/openapi.json', { method: 'POST' });
    assert.equal(response.status, 405);
    assert.equal(response.headers.get('allow'), 'GET');
    assert.equal(((await response.json()) as any).code, -1);
  });
});

describe('/docs (local run)', () => {
  test('is one self-contained HTML page listing every route and its fields', async () => {
    const response = await get('/docs');
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
    const html = await response.text();
    assert.doesNotMatch(html, /<script|https?:\/\/(?!localhost)[^"'\s]*\.(js|css)/i, 'no scripts, nothing from a CDN');
    for (const route of routes) {
      assert.ok(html.includes(`<code>POST ${route.path}</code>`), `${route.path} missing from /docs`);
      for (const field of Object.keys((route.body as any).shape ?? {})) {
        assert.ok(html.includes(`<code>${field}</code>`), `${route.path}: field ${field} missing from /docs`);
      }
    }
    // The page lists GET / and GET /openapi.json, so it must not claim that every route is POST.
    assert.doesNotMatch(html, /every route is <code>POST<\/code>/i);
    assert.match(html, /only <code>GET<\/code> routes are the health check <code>GET \/<\/code>/);
  });
});
