/**
 * The API reference page of the local run (/docs): the function's own /openapi.json rendered
 * as plain HTML, with no script and nothing fetched from elsewhere, so it works offline and
 * always shows exactly the document the function serves.
 */
import type { Hono } from 'hono';
import type { AppEnv } from '../function/app.js';

type Schema = Record<string, any>;
type Doc = Record<string, any>;

const escape = (value: unknown): string =>
  String(value).replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);

/** `a`code`b` → a<code>code</code>b, after escaping; the document's descriptions use backticks. */
const prose = (text: string): string => escape(text).replace(/`([^`]+)`/g, '<code>$1</code>');

function typeOf(schema: Schema): string {
  if ('const' in schema) return JSON.stringify(schema.const);
  if (Array.isArray(schema.enum)) return schema.enum.map((value: unknown) => JSON.stringify(value)).join(' | ');
  const union = schema.anyOf ?? schema.oneOf;
  if (Array.isArray(union)) return union.map((part: Schema) => typeOf(part)).join(' | ');
  if (schema.type === 'array') return `${typeOf(schema.items ?? {})}[]`;
  if (Array.isArray(schema.type)) return schema.type.join(' | ');
  return schema.type ?? 'any';
}

function constraints(schema: Schema): string {
  const notes: string[] = [];
  if (schema.minLength !== undefined) notes.push(`≥ ${schema.minLength} chars`);
  if (schema.maxLength !== undefined) notes.push(`≤ ${schema.maxLength} chars`);
  if (schema.minimum !== undefined) notes.push(`≥ ${schema.minimum}`);
  if (schema.maximum !== undefined) notes.push(`≤ ${schema.maximum}`);
  if (schema.minItems !== undefined) notes.push(`≥ ${schema.minItems} items`);
  if (schema.maxItems !== undefined) notes.push(`≤ ${schema.maxItems} items`);
  if (schema.format) notes.push(String(schema.format));
  if (schema.pattern) notes.push(`pattern ${schema.pattern}`);
  if (schema.default !== undefined) notes.push(`default ${JSON.stringify(schema.default)}`);
  if (schema.description) notes.push(String(schema.description));
  return notes.join('; ');
}

interface Field {
  name: string;
  type: string;
  required: boolean;
  notes: string;
}

/** Flattens an object schema into rows: nested objects and arrays of objects as `a.b` and `a[].b`. */
function fields(schema: Schema, prefix = '', depth = 0): Field[] {
  const rows: Field[] = [];
  const properties: Record<string, Schema> = schema.properties ?? {};
  const required = new Set<string>(schema.required ?? []);
  for (const [name, property] of Object.entries(properties)) {
    const path = prefix + name;
    rows.push({ name: path, type: typeOf(property), required: required.has(name), notes: constraints(property) });
    if (depth < 4 && property.type === 'object') rows.push(...fields(property, `${path}.`, depth + 1));
    if (depth < 4 && property.type === 'array' && property.items?.type === 'object') rows.push(...fields(property.items, `${path}[].`, depth + 1));
  }
  return rows;
}

function fieldTable(schema: Schema | undefined, empty: string): string {
  const rows = schema ? fields(schema) : [];
  if (rows.length === 0) return `<p class="muted">${empty}</p>`;
  return `<table><thead><tr><th>field</th><th>type</th><th>required</th><th>notes</th></tr></thead><tbody>${rows
    .map((row) => `<tr><td><code>${escape(row.name)}</code></td><td><code>${escape(row.type)}</code></td><td>${row.required ? 'yes' : ''}</td><td>${escape(row.notes)}</td></tr>`)
    .join('')}</tbody></table>`;
}

function who(operation: Doc, doc: Doc): string {
  const security: Array<Record<string, unknown>> = operation.security ?? doc.security ?? [];
  if (security.length === 0) return 'anyone';
  return security
    .map((requirement) =>
      Object.keys(requirement)
        .map((name) => {
          const scheme = doc.components?.securitySchemes?.[name] ?? {};
          if (scheme.type === 'apiKey') return `your backend, with the ${scheme.name} header`;
          if (scheme.scheme === 'bearer') return 'a signed-in user, with Authorization: Bearer <CloudBase access token>';
          return name;
        })
        .join(' + '),
    )
    .join(' or ');
}

export function renderApiReference(doc: Doc): string {
  const operations: string[] = [];
  const index: string[] = [];
  for (const [path, item] of Object.entries<Record<string, Doc>>(doc.paths ?? {})) {
    for (const [method, operation] of Object.entries(item)) {
      const id = `${method}-${path}`.replace(/[^\w-]+/g, '-');
      const body = operation.requestBody?.content?.['application/json']?.schema;
      const ok = operation.responses?.['200']?.content?.['application/json']?.schema;
      const statuses = Object.keys(operation.responses ?? {}).filter((status) => status !== '200');
      index.push(`<li><a href="#${id}"><code>${method.toUpperCase()} ${escape(path)}</code></a></li>`);
      operations.push(`<section id="${id}">
<h2><span class="method">${method.toUpperCase()}</span> <code>${escape(path)}</code></h2>
<p>${prose(operation.summary ?? '')}</p>
<p><strong>Who may call:</strong> ${escape(who(operation, doc))}</p>
${method === 'get' ? '' : `<h3>Body</h3>${fieldTable(body, 'No fields: send <code>{}</code> or an empty body.')}`}
<h3><code>data</code> on success</h3>${fieldTable(ok?.properties?.data, 'A JSON object; see the summary above.')}
${statuses.length ? `<p class="muted">Failures: ${statuses.map((status) => `<abbr title="${escape(doc.components?.responses?.[`Failure${status}`]?.description ?? '')}">${escape(status)}</abbr>`).join(', ')}, each <code>{code: -1, msg, data: null}</code>.</p>` : ''}
</section>`);
    }
  }
  const description = String(doc.info?.description ?? '')
    .split(/\n{2,}/)
    .map((paragraph) => `<p>${prose(paragraph)}</p>`)
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(doc.info?.title ?? 'API')} ${escape(doc.info?.version ?? '')}: API reference</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1d1d1f}
code{font:13px ui-monospace,monospace;background:#f3f3f5;padding:0 .25em;border-radius:3px}
table{border-collapse:collapse;width:100%;margin:.5rem 0}th,td{border-bottom:1px solid #e3e3e8;text-align:left;padding:.3rem .5rem;vertical-align:top}
section{border-top:1px solid #d0d0d7;margin-top:1.5rem}.method{font-size:.8em;background:#0b6;color:#fff;border-radius:3px;padding:0 .4em}
.muted{color:#6e6e73}
</style></head><body>
<h1>${escape(doc.info?.title ?? 'API')} <small>${escape(doc.info?.version ?? '')}</small></h1>
${description}
<p>The machine-readable document: <a href="/openapi.json"><code>/openapi.json</code></a> (OpenAPI ${escape(doc.openapi ?? '')}).</p>
<ul>${index.join('')}</ul>
${operations.join('\n')}
</body></html>`;
}

/** Serves the reference at /docs, rendered from the app's own /openapi.json on first request. */
export function mountApiReference(app: Hono<AppEnv>): void {
  let page: string | undefined;
  app.get('/docs', async (c) => {
    if (!page) {
      const response = await app.request('/openapi.json');
      page = renderApiReference((await response.json()) as Doc);
    }
    return c.html(page, 200, { 'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'" });
  });
}
