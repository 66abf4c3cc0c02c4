/**
 * The file of an upload route, sent as a multipart part named `media` or as JSON
 * `{filename, content_base64}`, checked against WeChat's rules before it costs a call.
 */
import * as v from 'valibot';
import { AppError } from '../../errors.js';
import type { UploadedFile } from '../../function/route.js';
import type { UploadFile } from '../../wechat/account-client.js';
import { extensionOf, sizeText, type FileRule } from './limits.js';

const isFile = (value: unknown): value is UploadedFile => typeof value === 'object' && value !== null && (value as UploadedFile).bytes instanceof Uint8Array;

/** The fields every upload route reads: the file as a part, or its name and base64 content. */
export const fileFields = {
  media: v.optional(v.custom<UploadedFile>(isFile, 'a file (a multipart part named media)')),
  filename: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(256))),
  content_base64: v.optional(v.string()),
};

type FileFields = { media?: UploadedFile; filename?: string; content_base64?: string };

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

const CONTENT_TYPES: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  bmp: 'image/bmp',
  amr: 'audio/amr',
  mp3: 'audio/mpeg',
  wma: 'audio/x-ms-wma',
  wav: 'audio/wav',
  mp4: 'video/mp4',
};

const invalid = (problem: string) => new AppError('bad_request', `Invalid request body: ${problem}`);

/** The uploaded file, or a 400 naming the field; `what` names the kind of file in messages ("an image"). */
export function fileOf(body: FileFields, rule: FileRule, what: string): UploadFile {
  let file: UploadFile;
  if (body.media) {
    file = { field: 'media', filename: body.media.filename, contentType: body.media.contentType, bytes: body.media.bytes };
  } else if (body.content_base64 !== undefined) {
    if (body.filename === undefined) throw invalid('filename is required with content_base64 (WeChat reads the format from its extension)');
    const text = body.content_base64.replace(/\s+/g, '');
    if (text.length % 4 !== 0 || !BASE64.test(text)) throw invalid('content_base64 must be base64 (standard alphabet, padded)');
    const extension = extensionOf(body.filename);
    file = { field: 'media', filename: body.filename, contentType: CONTENT_TYPES[extension] ?? 'application/octet-stream', bytes: Buffer.from(text, 'base64') };
  } else {
    throw invalid('media is required: send the file as a multipart part named media, or as JSON {filename, content_base64}');
  }
  const field = body.media ? 'media' : 'content_base64';
  if (file.bytes.length === 0) throw invalid(`${field} is empty`);
  const extension = extensionOf(file.filename);
  if (!rule.extensions.includes(extension)) {
    throw invalid(`the file name must end in ${rule.extensions.map((ext) => `.${ext}`).join(', ')} for ${what} (WeChat reads the format from it); got "${file.filename.slice(0, 100)}"`);
  }
  if (file.bytes.length > rule.maxBytes) throw invalid(`${field} is ${sizeText(file.bytes.length)}; ${what} may be at most ${sizeText(rule.maxBytes)}`);
  return file;
}
