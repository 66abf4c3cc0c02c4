/**
 * Request bodies: parsed as JSON, checked against the route's schema, and every problem
 * reported in our own words naming the field (never the parser's or the schema library's text).
 */
import * as v from 'valibot';
import { AppError } from '../errors.js';

type Issue = v.BaseIssue<unknown>;

function describe(issue: Issue): string {
  const of = Array.isArray(issue.input) ? 'items' : 'characters';
  switch (issue.type) {
    // A schema's own type check; an object's issue is a required field that is missing.
    case 'object':
    case 'loose_object':
      return issue.input === undefined ? 'is required' : 'must be an object';
    case 'string':
    case 'number':
    case 'boolean':
    case 'array':
      return issue.input === undefined ? 'is required' : `must be ${article(issue.type)}`;
    case 'min_length':
      if (typeof issue.input === 'string') return Number(issue.requirement) <= 1 ? 'must not be empty' : `must be at least ${issue.requirement} characters`;
      return `must have at least ${issue.requirement} ${of}`;
    case 'max_length':
      return typeof issue.input === 'string' ? `must be at most ${issue.requirement} characters` : `must have at most ${issue.requirement} ${of}`;
    case 'picklist':
    case 'variant':
      return `must be one of ${issue.expected?.replace(/^\(|\)$/g, '').split(' | ').join(', ')}`;
    case 'regex':
      return 'has characters that are not allowed';
    case 'max_bytes':
      return `must be at most ${issue.requirement} bytes (UTF-8)`;
    case 'min_value':
      return `must be at least ${issue.requirement}`;
    case 'max_value':
      return `must be at most ${issue.requirement}`;
    case 'integer':
      return 'must be a whole number';
    // A schema's own check words its problem itself (valibot's default starts "Invalid").
    case 'check':
    case 'raw_check':
      return issue.message.startsWith('Invalid') ? 'is not valid' : issue.message;
    default:
      return 'is not valid';
  }
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

/** Field paths as people write them: `articles[0].title`. */
function fieldName(path: Issue['path']): string {
  if (!path) return 'body';
  return path.reduce<string>((name, item) => {
    const key = item.key;
    return typeof key === 'number' ? `${name}[${key}]` : name ? `${name}.${String(key)}` : String(key);
  }, '');
}

export function parseJsonBody(text: string): Record<string, unknown> {
  if (text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new AppError('bad_request', 'Request body is not valid JSON', { hint: 'Send a JSON object with Content-Type: application/json.' });
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new AppError('bad_request', 'Request body must be a JSON object');
  }
  return parsed as Record<string, unknown>;
}

export function validate<S extends v.GenericSchema>(schema: S, value: unknown): v.InferOutput<S> {
  const result = v.safeParse(schema, value);
  if (result.success) return result.output;
  const problems = result.issues.slice(0, 5).map((issue) => `${fieldName(issue.path)} ${describe(issue)}`);
  throw new AppError('bad_request', `Invalid request body: ${problems.join('; ')}`);
}
