/**
 * WeChat's XML, both ways. Reading goes through fast-xml-parser with entity processing off
 * and any document type declaration refused before parsing, so an XXE or billion-laughs body
 * expands nothing; only XML's five predefined entities and character references are decoded,
 * outside CDATA. Writing is by hand: replies have a fixed shape, and every string goes in CDATA.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { MAX_XML_BYTES } from './limits.js';

export { MAX_XML_BYTES };

/** A parsed element: text, or child elements by name (repeated ones as a list). */
export type XmlValue = string | XmlNode | XmlValue[];
export interface XmlNode {
  [name: string]: XmlValue;
}

export type XmlFailure = 'too_large' | 'doctype' | 'malformed';

export class XmlError extends Error {
  constructor(
    readonly reason: XmlFailure,
    message: string,
  ) {
    super(message);
    this.name = 'XmlError';
  }
}


const CDATA = '#cdata';

const parser = new XMLParser({
  processEntities: false,
  htmlEntities: false,
  ignoreAttributes: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  parseTagValue: false,
  trimValues: true,
  cdataPropName: CDATA,
  maxNestedTags: 16,
});

const DOCTYPE = /<!DOCTYPE|<!ENTITY/i;

/** The document's root element (`<xml>`), or XmlError. */
export function parseXml(text: string, maxBytes: number = MAX_XML_BYTES): XmlNode {
  if (Buffer.byteLength(text, 'utf8') > maxBytes) {
    throw new XmlError('too_large', `XML body is larger than ${maxBytes} bytes`);
  }
  if (DOCTYPE.test(text)) {
    throw new XmlError('doctype', 'XML with a document type declaration or entity definitions is refused');
  }
  if (XMLValidator.validate(text) !== true) {
    throw new XmlError('malformed', 'Body is not well-formed XML');
  }
  let document: unknown;
  try {
    document = parser.parse(text);
  } catch {
    // Reserved names such as __proto__ as element names, or nesting beyond the limit.
    throw new XmlError('malformed', 'Body is not well-formed XML');
  }
  const roots = Object.values(document as Record<string, unknown>);
  if (roots.length !== 1 || !isNode(roots[0])) {
    throw new XmlError('malformed', 'XML body must have one root element with child elements');
  }
  return normalize(roots[0]) as XmlNode;
}

function isNode(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Folds CDATA sections and text into strings, recursively. */
function normalize(value: unknown): XmlValue {
  if (typeof value === 'string') return decodeEntities(value);
  if (Array.isArray(value)) return value.map(normalize);
  if (!isNode(value)) return String(value ?? '');
  const keys = Object.keys(value);
  if (keys.length > 0 && keys.every((key) => key === CDATA || key === '#text')) {
    const cdata = value[CDATA];
    const text = typeof value['#text'] === 'string' ? decodeEntities(value['#text']) : '';
    return text + (Array.isArray(cdata) ? cdata.join('') : String(cdata ?? ''));
  }
  const node: XmlNode = {};
  for (const key of keys) node[key] = normalize(value[key]);
  return node;
}

const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(lt|gt|amp|quot|apos|#\d{1,7}|#x[0-9a-fA-F]{1,6});/g, (whole, name: string) => {
    if (name[0] !== '#') return PREDEFINED[name];
    const code = name[1] === 'x' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
    return code <= 0x10ffff ? String.fromCodePoint(code) : whole;
  });
}

// Characters XML 1.0 cannot carry at all; dropped rather than sent to be refused.
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

/** A string as CDATA, with any `]]>` inside split across two sections. */
export function cdata(value: string): string {
  return `<![CDATA[${value.replace(NOT_XML, '').split(']]>').join(']]]]><![CDATA[>')}]]>`;
}

/** An element tree to XML: strings in CDATA, numbers bare, arrays as repeated elements. */
export type XmlOut = string | number | XmlOut[] | { [name: string]: XmlOut | undefined };

export function buildXml(name: string, value: XmlOut): string {
  if (Array.isArray(value)) return value.map((item) => buildXml(name, item)).join('');
  if (typeof value === 'number') return `<${name}>${value}</${name}>`;
  if (typeof value === 'string') return `<${name}>${cdata(value)}</${name}>`;
  let inner = '';
  for (const [child, childValue] of Object.entries(value)) {
    if (childValue !== undefined) inner += buildXml(child, childValue);
  }
  return `<${name}>${inner}</${name}>`;
}
