/**
 * Safe-mode pushes for the message-server bench, as WeChat sends them: a text message each with
 * its own MsgId and nonce and the current timestamp, encrypted and signed with the account's
 * EncodingAESKey and server token, so the server under test verifies, decrypts and handles every
 * one (no retry for its deduplication to answer from memory).
 */
import { MessageCipher, signature } from '../src/apis/callback/crypto.js';
import { MESSAGES } from '../test/support/callback-messages.js';

export interface CallbackAccount {
  appId: string;
  serverToken: string;
  encodingAESKey: string;
}

export interface Push {
  path: string;
  body: string;
}

const textMessage = MESSAGES.find((fixture) => fixture.name === 'text')!;

/** Makes pushes on demand; one cipher for all, since its key schedule is the same for every push. */
export function pushMaker(account: CallbackAccount): () => Push {
  // WeChat's MsgIds are 64-bit numbers; these start from the clock so a second run's are new as well.
  const firstMsgId = Date.now() * 1000;
  const cipher = new MessageCipher(account.encodingAESKey, account.appId);
  let counter = 0;
  return () => {
    const timestamp = String(Math.floor(Date.now() / 1000));
    const n = counter++;
    const nonce = String(100_000_000 + n);
    const encrypt = cipher.encrypt(textMessage.xml(Number(timestamp), String(firstMsgId + n)));
    const query = new URLSearchParams({
      signature: signature(account.serverToken, timestamp, nonce),
      timestamp,
      nonce,
      openid: 'o-bench',
      encrypt_type: 'aes',
      msg_signature: signature(account.serverToken, timestamp, nonce, encrypt),
    });
    return { path: `/callback?${query}`, body: `<xml><ToUserName><![CDATA[gh_123456789abc]]></ToUserName><Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>` };
  };
}
