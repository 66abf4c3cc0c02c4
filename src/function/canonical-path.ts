/**
 * One spelling per route. A path that percent-encodes a character that needs no encoding
 * (`/%74oken/get`) or holds dot segments (`/x/../token/get`) names the same resource as its
 * plain form (RFC 3986, 6.2.2), and a framework that decodes and normalises it would serve the
 * route under a path an edge rule does not recognise. Such paths are refused, naming the plain form.
 */

const UNRESERVED = /%(2[dDeE]|3\d|[46][1-9a-fA-F]|[57][0-9aA]|5[fF]|7[eE])/g;

/** Undefined when `target` (a request target as Node received it) is canonical; else its canonical path. */
export function canonicalPath(target: string): string | undefined {
  // The absolute form (`GET http://host/path`) carries the same path after its authority.
  const path = target.replace(/^[a-zA-Z][a-zA-Z\d+.-]*:\/\/[^/?#]*/, '').split(/[?#]/, 1)[0];
  if (!path.includes('%') && !path.includes('.')) return undefined;
  const decoded = path.replace(UNRESERVED, (escape) => String.fromCharCode(parseInt(escape.slice(1), 16)));
  const canonical = removeDotSegments(decoded);
  return canonical === path ? undefined : canonical;
}

/** RFC 3986 5.2.4 for an absolute path: `.` segments go, `..` takes the one before it. */
function removeDotSegments(path: string): string {
  const out: string[] = [];
  const segments = path.split('/');
  for (let i = 1; i < segments.length; i++) {
    const segment = segments[i];
    const last = i === segments.length - 1;
    if (segment === '.' || segment === '..') {
      if (segment === '..' && out.length > 0) out.pop();
      if (last) out.push('');
    } else {
      out.push(segment);
    }
  }
  return `/${out.join('/')}`;
}
