/**
 * Pushes as WeChat sends them to a message server, in each of the three modes, and the
 * reading of an encrypted reply as WeChat would read it.
 */
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import type { CallbackRequest } from '../../src/apis/callback/handler.js';
import { MessageCipher, signature } from '../../src/apis/callback/crypto.js';
import { parseXml, type XmlNode } from '../../src/apis/callback/xml.js';

export type PushMode = 'plaintext' | 'compatible' | 'safe';

export interface PushAccount {
  appId: string;
  token: string;
  encodingAESKey: string;
}

export function push(account: PushAccount, xml: string, mode: PushMode, timestamp: number, cipherAppId = account.appId): CallbackRequest {
  const nonce = String(randomInt(1e8, 1e9));
  const query: Record<string, string> = { timestamp: String(timestamp), nonce, signature: signature(account.token, String(timestamp), nonce), openid: 'o-sender' };
  if (mode === 'plaintext') return { method: 'POST', query, body: xml, contentType: 'text/xml' };
  const encrypt = new MessageCipher(account.encodingAESKey, cipherAppId).encrypt(xml);
  query.encrypt_type = 'aes';
  query.msg_signature = signature(account.token, String(timestamp), nonce, encrypt);
  const body =
    mode === 'safe'
      ? `<xml><ToUserName><![CDATA[gh_123456789abc]]></ToUserName><Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>`
      : xml.replace('</xml>', `<Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>`);
  return { method: 'POST', query, body, contentType: 'text/xml' };
}

/** The reply as WeChat reads it: an encrypted envelope is checked and opened. */
export function readReply(account: PushAccount, body: string, encrypted: boolean): XmlNode {
  const root = parseXml(body);
  if (!encrypted) {
    assert.equal(root.Encrypt, undefined, 'a plaintext push gets a plaintext reply');
    return root;
  }
  const { Encrypt, MsgSignature, TimeStamp, Nonce } = root as Record<string, string>;
  assert.equal(MsgSignature, signature(account.token, TimeStamp, Nonce, Encrypt), 'the envelope is signed');
  return parseXml(new MessageCipher(account.encodingAESKey, account.appId).decrypt(Encrypt));
}
