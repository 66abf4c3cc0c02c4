/**
 * What the bench calls to time the first use of each API group after a cold start: for every
 * group in src/apis/index.ts, its routes in the order most likely to load code on first use and
 * to succeed against the emulator with an empty or minimal body (an upload first, then the
 * message server's push, then routes calling WeChat, reads before writes), so a group added to
 * the list is covered without listing it here. A JSON route gets `{}`, or where its schema wants
 * more, the few fields below. The bench tries them on a running function and keeps each group's
 * first that answers 200.
 */
import * as v from 'valibot';
import { groups } from '../src/apis/index.js';
import { methodsOf, type Method, type RouteDef } from '../src/function/route.js';
import type { Push } from './callback-pushes.js';

export interface Call {
  method: Method;
  path: string;
  headers: Record<string, string>;
  body?: string | Buffer;
}

export interface Candidate {
  group: string;
  /** Method and path, for the report. */
  label: string;
  /** A new call each time: the message server's pushes are each new. */
  make(): Call;
}

/** A 1×1 PNG: the smallest file an image upload accepts. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
const FILE = { filename: 'bench.png', contentType: 'image/png' };
const FORM_FIELDS = { type: 'image' };
const BOUNDARY = 'bench-boundary-7MA4YWxkTrZu0gW';

function form(): Buffer {
  const parts = Object.entries(FORM_FIELDS).map(([name, value]) => `--${BOUNDARY}\r\ncontent-disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`);
  const head = `--${BOUNDARY}\r\ncontent-disposition: form-data; name="media"; filename="${FILE.filename}"\r\ncontent-type: ${FILE.contentType}\r\n\r\n`;
  return Buffer.concat([Buffer.from(parts.join('') + head), PNG, Buffer.from(`\r\n--${BOUNDARY}--\r\n`)]);
}

let codes = 0;
/** Fields a route may need at the least: a page's address, a sign-in code the bench's emulator accepts once. */
const minimalFields = () => ({ url: 'https://page.bench.example/', code: `bench-first-${Date.now().toString(36)}-${(codes++).toString(36)}` });

const isUpload = (route: RouteDef) => route.input === 'multipart' || (route.input as string) === 'upload';

/** Lower first: what loads most on first use and is likeliest to succeed with a minimal body. */
function rank(route: RouteDef): number {
  if (isUpload(route)) return 0;
  if (route.input === 'xml') return 1;
  const calls = route.calls ?? [];
  if (calls.length && calls.every((call) => call.method === 'GET')) return 2;
  if (calls.length) return 3;
  return 4;
}

export interface Credentials {
  adminKey: string;
  bearer: string;
}

/** Routes that use up a quota or take something away: never called just to time them. */
const SPENDS = /clear|reset|del|remove/i;

function candidate(group: string, route: RouteDef, method: Method, credentials: Credentials, nextPush: () => Push): Candidate | undefined {
  if (SPENDS.test(route.path)) return undefined;
  const headers: Record<string, string> =
    route.access === 'admin' ? { 'x-api-key': credentials.adminKey } : route.access === 'user' ? { authorization: `Bearer ${credentials.bearer}` } : {};
  const label = `${method} ${route.path}`;
  let input: unknown;
  let make: () => Call;
  if (route.input === 'xml') {
    if (method !== 'POST') return undefined;
    input = nextPush().body;
    make = () => ({ method, ...nextPush(), headers: { ...headers, 'content-type': 'text/xml' } });
  } else if (isUpload(route)) {
    input = { ...FORM_FIELDS, media: { ...FILE, bytes: new Uint8Array(PNG) } };
    make = () => ({ method, path: route.path, headers: { ...headers, 'content-type': `multipart/form-data; boundary=${BOUNDARY}` }, body: form() });
  } else {
    const fields = v.safeParse(route.body, {}).success ? () => ({}) : minimalFields;
    input = fields();
    make = () => {
      if (method !== 'GET') return { method, path: route.path, headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(fields()) };
      const query = new URLSearchParams(fields()).toString();
      return { method, path: query ? `${route.path}?${query}` : route.path, headers };
    };
  }
  if (!v.safeParse(route.body, input).success) return undefined;
  return { group, label, make };
}

/** Every group's candidates, best first, and the API document's builder. */
export function firstCallCandidates(credentials: Credentials, nextPush: () => Push): { group: string; candidates: Candidate[] }[] {
  const list = groups.map((group) => ({
    group: group.name,
    candidates: [...group.routes]
      .sort((a, b) => rank(a) - rank(b))
      .flatMap((route) => methodsOf(route).flatMap((method) => candidate(group.name, route, method, credentials, nextPush) ?? [])),
  }));
  const document = { group: '/openapi.json', label: 'GET /openapi.json', make: (): Call => ({ method: 'GET', path: '/openapi.json', headers: {} }) };
  return [...list, { group: document.group, candidates: [document] }];
}
