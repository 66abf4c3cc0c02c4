/**
 * The OpenAPI 3.1 document, built from the same route table and valibot schemas the router
 * validates with, so the document cannot drift from what the function accepts.
 * Only the bare paths are listed; the prefixed and gateway forms are described in words,
 * since listing every form of every path would triple the document and say nothing new.
 */
import { toJsonSchema } from '@valibot/to-json-schema';
import type { GenericSchema } from 'valibot';
import { DEFAULT_BODY_LIMIT, methodsByPath, methodsOf, type Access, type RouteDef } from './route.js';
import type { ApiGroup } from '../apis/group.js';

export interface OpenApiOptions {
  version: string;
}

type JsonSchema = Record<string, unknown>;
type OpenApiDocument = Record<string, unknown> & { paths: Record<string, Record<string, unknown>> };

export const SECURITY_SCHEMES = {
  CloudBaseAccessToken: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description:
      'A CloudBase access token from an authenticated (not anonymous) login, as `Authorization: Bearer <accessToken>`. ' +
      'Behind the CloudBase gateway the gateway verifies it; with AUTH_MODE=jwt the function verifies it itself.',
  },
  AdminApiKey: {
    type: 'apiKey',
    in: 'header',
    name: 'X-Api-Key',
    description: 'The ADMIN_API_KEY configured on the function. For your business backend only: never ship it to a browser.',
  },
} as const;

/** Which security requirement each kind of access maps to; an empty list means no credential. */
function securityFor(access: Access): Array<Record<string, string[]>> {
  switch (access) {
    case 'public':
      return [];
    case 'user':
      return [{ CloudBaseAccessToken: [] }];
    case 'admin':
      return [{ AdminApiKey: [] }];
    default:
      // An access level added later still gets a document; it says nothing it does not know.
      return [];
  }
}

/** A schema as JSON Schema 2020-12 (OpenAPI 3.1's dialect), never throwing on a type JSON Schema cannot say. */
export function jsonSchema(schema: GenericSchema, io: 'input' | 'output'): JsonSchema {
  const converted = toJsonSchema(schema, { target: 'draft-2020-12', typeMode: io, errorMode: 'ignore' }) as JsonSchema;
  delete converted.$schema;
  return converted;
}

/** '/oauth/token' → 'oauthToken'. */
function operationId(path: string): string {
  return path
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part, i) => (i === 0 ? part : part[0].toUpperCase() + part.slice(1)))
    .join('');
}

const success = (data: JsonSchema): JsonSchema => ({
  type: 'object',
  required: ['code', 'msg', 'data'],
  properties: { code: { const: 0 }, msg: { const: 'success' }, data },
});

const FAILURE_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['code', 'msg', 'data'],
  properties: {
    code: { const: -1 },
    msg: { type: 'string', description: 'What went wrong, in words. WeChat errors read `WeChat API error [errcode]: errmsg`.' },
    data: { type: 'null' },
    errcode: { type: 'integer', description: "WeChat's errcode, when WeChat refused." },
    rid: { type: 'string', description: "WeChat's request id, what WeChat support asks for." },
    hint: { type: 'string', description: 'What to do about it.' },
    requestId: { type: 'string', description: "This request's id in the function's logs (also the X-Request-Id header)." },
  },
};

const FAILURES: Record<string, string> = {
  '400': 'The body is malformed or fails its schema, or WeChat refused the input (invalid or used code, bad refresh_token, wrong openid).',
  '401': 'Missing or invalid caller credentials, or an expired OAuth access_token.',
  '403': 'Not allowed: an admin route without the admin key, or a WeChat permission error.',
  '404': 'No such route.',
  '405': 'Wrong method; the Allow header names the right one.',
  '413': 'The body is larger than the route accepts (64 KiB unless the route says otherwise).',
  '415': 'The body is not of the type the route reads (JSON unless the route says otherwise).',
  '429': 'This caller is over its rate limit; Retry-After says when to come back.',
  '500': 'Configuration the operator must fix (wrong AppSecret, server IP not whitelisted), or an internal error.',
  '502': 'WeChat failed or answered nonsense.',
  '503': "WeChat's quota for the account is spent, or the feature is switched off.",
  '504': 'WeChat did not answer in time.',
};

function failureResponses(access: Access): Record<string, unknown> {
  const statuses = ['400', '413', '415', '429', '500', '502', '503', '504'];
  if (access === 'user') statuses.push('401');
  if (access === 'admin') statuses.push('403');
  statuses.sort();
  return Object.fromEntries(statuses.map((status) => [status, { $ref: `#/components/responses/Failure${status}` }]));
}

const DESCRIPTION = [
  "The HTTP function behind a WeChat Official Account on Tencent CloudBase: web OAuth, the account's global access_token, JS-SDK signatures.",
  '',
  'Every API route (`/oauth/*`, `/jssdk/*`, `/token/*`, …) is `POST` with a JSON body unless its entry here says otherwise; the only `GET` routes are the health check `GET /`, this document (`GET /openapi.json`) and those whose entries list a `get`. ' +
    'Every answer but this document and the routes that send a file or XML is `{code: 0, msg: "success", data}` or `{code: -1, msg, data: null}` (with `errcode`, `rid`, `hint` and `requestId` where they apply).',
  '',
  'Paths are listed bare (`/oauth/token`). Each also works behind a function-name prefix (`/{functionName}/oauth/token`) and in the CloudBase gateway form ' +
    '`https://{envId}.api.tcloudbasegateway.com/v1/functions/{functionName}/oauth/token?webfn=true` (or with the `X-Tcb-Webfn: true` header instead of the query).',
  '',
  '`GET /` is a health check: name, version, mode and which optional features are on.',
].join('\n');

const REQUEST_TYPES = { json: ['application/json'], multipart: ['multipart/form-data'], xml: ['text/xml'], upload: ['multipart/form-data', 'application/json'] } as const;

const INPUT_WORDS = {
  json: 'A JSON object; unknown fields are ignored. An empty body counts as `{}`.',
  xml: 'An XML document.',
  multipart: 'A multipart form.',
  upload: 'A multipart form with the file in a part, or a JSON object carrying the file as base64.',
} as const;

/** What a route reads: a request body, or for a GET with JSON input, query parameters. */
function inputOf(route: RouteDef, method: string): Record<string, unknown> {
  const input = route.input ?? 'json';
  const schema = jsonSchema(route.body, 'input');
  if (method === 'get' && input === 'json') {
    const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
    const required = new Set((schema.required ?? []) as string[]);
    return { parameters: Object.entries(properties).map(([name, property]) => ({ name, in: 'query', required: required.has(name), schema: property })) };
  }
  const limit = route.bodyLimit ?? DEFAULT_BODY_LIMIT;
  return {
    requestBody: {
      required: false,
      description:
        INPUT_WORDS[input] +
        ` At most ${limit >= 1024 * 1024 ? `${limit / 1024 / 1024} MiB` : `${limit / 1024} KiB`}.`,
      content: Object.fromEntries(REQUEST_TYPES[input].map((type) => [type, { schema }])),
    },
  };
}

function successOf(route: RouteDef): Record<string, unknown> {
  const output = route.output ?? 'envelope';
  if (output === 'binary') return { description: 'The file, with its own Content-Type.', content: { 'application/octet-stream': { schema: { type: 'string', contentMediaType: 'application/octet-stream' } } } };
  if (output === 'xml') return { description: 'An XML document.', content: { 'application/xml': { schema: { type: 'string' } } } };
  const data = route.response ? jsonSchema(route.response, 'output') : {};
  return { description: 'Success.', content: { 'application/json': { schema: success(data) } } };
}

export function buildOpenApi(groups: readonly ApiGroup[], options: OpenApiOptions): OpenApiDocument {
  const paths: OpenApiDocument['paths'] = {
    '/': {
      get: {
        operationId: 'health',
        tags: ['health'],
        summary: 'Health check: name, version, mode (wechat or emulator) and which optional features are on.',
        security: [],
        responses: {
          '200': {
            description: 'The function is up.',
            content: { 'application/json': { schema: success({ type: 'object' }) } },
          },
        },
      },
    },
  };

  const shared = methodsByPath(groups.flatMap((group) => group.routes));
  for (const group of groups) {
    for (const route of group.routes) {
      const methods = methodsOf(route);
      const several = shared.get(route.path)!.length > 1;
      paths[route.path] = {
        ...paths[route.path],
        ...Object.fromEntries(
          methods.map((method) => {
            const name = method.toLowerCase();
            return [
              name,
              {
                // A path with one method keeps its plain id; with several, each gets the method as a suffix.
                operationId: operationId(route.path) + (several ? method[0] + method.slice(1).toLowerCase() : ''),
                tags: [group.name],
                summary: route.summary,
                'x-access': route.access,
                security: securityFor(route.access),
                ...inputOf(route, name),
                responses: { '200': successOf(route), ...failureResponses(route.access) },
              },
            ];
          }),
        ),
      };
    }
  }

  return {
    openapi: '3.1.0',
    info: {
      title: 'offiaccount-common',
      version: options.version,
      description: DESCRIPTION,
      license: { name: 'MIT', identifier: 'MIT' },
    },
    servers: [{ url: '/', description: 'This function (bare paths).' }],
    tags: [{ name: 'health' }, ...groups.map((group) => ({ name: group.name, description: group.description }))],
    paths,
    components: {
      securitySchemes: SECURITY_SCHEMES,
      schemas: { Failure: FAILURE_SCHEMA },
      responses: Object.fromEntries(
        Object.entries(FAILURES).map(([status, description]) => [
          `Failure${status}`,
          { description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Failure' } } } },
        ]),
      ),
    },
  };
}
