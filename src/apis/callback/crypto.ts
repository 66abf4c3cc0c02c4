/**
 * The message server's credentials: the SHA1 signatures WeChat puts on every push, and safe
 * mode's AES-256-CBC envelope (wechat-oa-api.md §14.2, §14.4). Pure functions of their inputs,
 * so the published vectors pin them byte for byte.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { ENCODING_AES_KEY_PATTERN } from './aes-key.js';

export { ENCODING_AES_KEY_PATTERN };

/** sha1 over the strings sorted in byte order and joined, lower-case hex. */
export function signature(...parts: string[]): string {
  const sorted = [...parts].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  return createHash('sha1').update(sorted.join(''), 'utf8').digest('hex');
}

/** Constant-time comparison of a received signature with the expected one. */
export function signatureMatches(received: string | undefined, ...parts: string[]): boolean {
  if (typeof received !== 'string' || received.length !== 40) return false;
  const expected = Buffer.from(signature(...parts), 'latin1');
  return timingSafeEqual(expected, Buffer.from(received.toLowerCase(), 'latin1'));
}

/** Why a ciphertext was refused; logged, never sent back. */
export type DecryptFailure = 'not_base64' | 'bad_length' | 'bad_padding' | 'bad_layout' | 'appid_mismatch';

export class DecryptError extends Error {
  constructor(readonly reason: DecryptFailure) {
    super(`safe-mode message refused: ${reason}`);
    this.name = 'DecryptError';
  }
}

const BLOCK = 32;

export class MessageCipher {
  private readonly key: Buffer;
  private readonly iv: Buffer;
  private readonly appId: Buffer;

  constructor(encodingAESKey: string, appId: string) {
    if (!ENCODING_AES_KEY_PATTERN.test(encodingAESKey)) {
      throw new Error('the EncodingAESKey must be 43 letters and digits');
    }
    this.key = Buffer.from(`${encodingAESKey}=`, 'base64');
    this.iv = this.key.subarray(0, 16);
    this.appId = Buffer.from(appId, 'utf8');
  }

  /** `Encrypt` (base64) to the message XML; throws DecryptError unless it is this account's. */
  decrypt(encrypted: string): string {
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encrypted)) throw new DecryptError('not_base64');
    const ciphertext = Buffer.from(encrypted, 'base64');
    if (ciphertext.length === 0 || ciphertext.length % BLOCK !== 0) throw new DecryptError('bad_length');
    const decipher = createDecipheriv('aes-256-cbc', this.key, this.iv).setAutoPadding(false);
    const plain = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
    const pad = plain[plain.length - 1];
    if (pad < 1 || pad > BLOCK || plain.subarray(plain.length - pad).some((byte) => byte !== pad)) {
      throw new DecryptError('bad_padding');
    }
    const body = plain.subarray(0, plain.length - pad);
    if (body.length < 20) throw new DecryptError('bad_layout');
    const length = body.readUInt32BE(16);
    if (20 + length > body.length) throw new DecryptError('bad_layout');
    const trailer = body.subarray(20 + length);
    if (trailer.length !== this.appId.length || !timingSafeEqual(trailer, this.appId)) {
      throw new DecryptError('appid_mismatch');
    }
    return body.subarray(20, 20 + length).toString('utf8');
  }

  /** The message XML to `Encrypt` (base64); `random` is fixed only by tests. */
  encrypt(xml: string, random: Buffer = randomBytes(16)): string {
    const message = Buffer.from(xml, 'utf8');
    const length = Buffer.alloc(4);
    length.writeUInt32BE(message.length);
    const body = Buffer.concat([random, length, message, this.appId]);
    const pad = BLOCK - (body.length % BLOCK);
    const plain = Buffer.concat([body, Buffer.alloc(pad, pad)]);
    const cipher = createCipheriv('aes-256-cbc', this.key, this.iv).setAutoPadding(false);
    return Buffer.concat([cipher.update(plain), cipher.final()]).toString('base64');
  }
}

/** The encrypted reply envelope (§14.4), in the layout WeChat's own samples use. */
export function encryptedEnvelope(encrypt: string, token: string, timestamp: string, nonce: string): string {
  const msgSignature = signature(token, timestamp, nonce, encrypt);
  return (
    `<xml>\n<Encrypt><![CDATA[${encrypt}]]></Encrypt>\n<MsgSignature><![CDATA[${msgSignature}]]></MsgSignature>\n` +
    `<TimeStamp>${timestamp}</TimeStamp>\n<Nonce><![CDATA[${nonce}]]></Nonce>\n</xml>`
  );
}
