/**
 * The message server, independent of any HTTP framework: a request in WeChat's terms
 * (method, query, body) in, a status, content type and body out.
 *
 * GET answers WeChat's URL verification. POST checks the signature and the timestamp, reads the
 * XML (decrypting it in compatible and safe modes), and hands the message, once however often
 * WeChat retries it, to the rules, the webhook and the stream. Whatever is not done within the
 * budget goes on in the background and WeChat is told `success`, because after 5 seconds it
 * would drop the connection and retry. A refused request learns nothing about why: the log says.
 */
import { randomInt } from 'node:crypto';
import { seconds, type Clock } from '../../clock.js';
import type { Logger } from '../../log.js';
import type { Store } from '../../store/store.js';
import { DecryptError, encryptedEnvelope, MessageCipher, signatureMatches } from './crypto.js';
import { Deduplicator } from './dedupe.js';
import { dedupeKey, isEvent, MessageError, toMessage, type InboundMessage } from './messages.js';
import { replyXml, SUCCESS, type Reply } from './replies.js';
import type { Rules } from './rules.js';
import type { MessageStream } from './stream.js';
import type { MessageWebhook } from './webhook.js';
import { MAX_XML_BYTES, parseXml, XmlError, type XmlNode } from './xml.js';

export interface CallbackRequest {
  method: string;
  query: Record<string, string | undefined>;
  body?: string;
  contentType?: string;
  /** Carried into every log line about this request. */
  requestId?: string;
}

export interface CallbackResponse {
  status: number;
  contentType: string;
  body: string;
}

export interface CallbackOptions {
  appId: string;
  serverToken: string;
  encodingAESKey?: string;
  clock: Clock;
  logger: Logger;
  store: Store;
  rules?: Rules;
  webhook?: Pick<MessageWebhook, 'deliver'>;
  stream?: Pick<MessageStream, 'append'>;
  /** Time to answer before acknowledging with `success`; WeChat waits 5 s. */
  budgetMs?: number;
  maxBodyBytes?: number;
  /** How far a push's timestamp may be from the clock before it counts as a replay. */
  maxSkewSeconds?: number;
}

export interface CallbackHandler {
  handle(request: CallbackRequest): Promise<CallbackResponse>;
  /** Resolves once work that outlived its request's budget has finished (tests, shutdown). */
  settled(): Promise<void>;
}

type Mode = 'plaintext' | 'compatible' | 'safe';

const TEXT = 'text/plain; charset=utf-8';
const XML = 'application/xml; charset=utf-8';
const JSON_TYPE = 'application/json; charset=utf-8';

const refuse = (status: number, msg: string): CallbackResponse => ({ status, contentType: JSON_TYPE, body: JSON.stringify({ code: -1, msg }) });
const UNAUTHORIZED = refuse(401, 'Unauthorized');
const ACK: CallbackResponse = { status: 200, contentType: TEXT, body: SUCCESS };

/** A request turned away, with the reason kept for the log. */
class Refusal {
  constructor(
    readonly response: CallbackResponse,
    readonly reason: string,
  ) {}
}

export function createCallbackHandler(options: CallbackOptions): CallbackHandler {
  const { clock, logger, serverToken: token } = options;
  const budgetMs = options.budgetMs ?? 4500;
  const maxBodyBytes = options.maxBodyBytes ?? MAX_XML_BYTES;
  const maxSkew = options.maxSkewSeconds ?? 300;
  const cipher = options.encodingAESKey ? new MessageCipher(options.encodingAESKey, options.appId) : undefined;
  const dedupe = new Deduplicator({ store: options.store, keyPrefix: `oa:{${options.appId}}:callback:` });
  const background = new Set<Promise<unknown>>();

  function verify(query: CallbackRequest['query']): void {
    if (!signatureMatches(query.signature, token, query.timestamp ?? '', query.nonce ?? '')) {
      throw new Refusal(UNAUTHORIZED, 'bad_signature');
    }
  }

  function verification(query: CallbackRequest['query']): CallbackResponse {
    verify(query);
    if (!query.echostr) throw new Refusal(UNAUTHORIZED, 'no_echostr');
    return { status: 200, contentType: TEXT, body: query.echostr };
  }

  /** The plaintext message XML and the mode it came in. */
  function open(request: CallbackRequest): { xml: string; root: XmlNode; mode: Mode } {
    const { query } = request;
    verify(query);
    const timestamp = /^\d{1,12}$/.test(query.timestamp ?? '') ? Number(query.timestamp) : NaN;
    if (!(Math.abs(seconds(clock) - timestamp) <= maxSkew)) throw new Refusal(UNAUTHORIZED, 'stale_timestamp');
    if (request.contentType && /json/i.test(request.contentType)) {
      throw new Refusal(refuse(415, 'The message server reads XML: set the message format to XML in the platform'), 'json_body');
    }
    const body = request.body ?? '';
    if (Buffer.byteLength(body, 'utf8') > maxBodyBytes) throw new Refusal(refuse(413, `Body is larger than ${maxBodyBytes} bytes`), 'too_large');
    const root = readXml(body);
    if (query.encrypt_type === undefined || query.encrypt_type === 'raw') {
      if (typeof root.Encrypt === 'string' && root.MsgType === undefined) {
        throw new Refusal(refuse(400, 'Encrypted message without encrypt_type=aes'), 'encrypted_without_encrypt_type');
      }
      return { xml: body, root, mode: 'plaintext' };
    }
    if (query.encrypt_type !== 'aes') throw new Refusal(refuse(400, 'encrypt_type must be aes'), 'bad_encrypt_type');
    if (typeof root.Encrypt !== 'string' || root.Encrypt === '') throw new Refusal(refuse(400, 'Encrypt is missing'), 'no_encrypt');
    if (!signatureMatches(query.msg_signature, token, query.timestamp ?? '', query.nonce ?? '', root.Encrypt)) {
      throw new Refusal(UNAUTHORIZED, 'bad_msg_signature');
    }
    if (!cipher) {
      throw new Refusal(refuse(500, 'Safe mode is not set up on this server'), 'safe_mode_without_encoding_aes_key');
    }
    let xml: string;
    try {
      xml = cipher.decrypt(root.Encrypt);
    } catch (error) {
      if (error instanceof DecryptError) throw new Refusal(UNAUTHORIZED, error.reason);
      throw error;
    }
    return { xml, root: readXml(xml), mode: root.MsgType === undefined ? 'safe' : 'compatible' };
  }

  function readXml(text: string): XmlNode {
    try {
      return parseXml(text, maxBodyBytes);
    } catch (error) {
      if (error instanceof XmlError) throw new Refusal(refuse(error.reason === 'too_large' ? 413 : 400, error.message), `xml_${error.reason}`);
      throw error;
    }
  }

  /** Rules, webhook and stream; never throws: every failure is logged with the request id. */
  async function process(message: InboundMessage, xml: string, requestId: string | undefined, ids: Record<string, unknown>): Promise<string> {
    const match = options.rules?.match(message);
    const [delivered, appended] = await Promise.all([
      options.webhook?.deliver(message, xml, requestId),
      options.stream?.append(message, xml, requestId).then(
        () => true,
        (error: unknown) => {
          logger.error({ ...ids, err: String((error as Error)?.message ?? error) }, 'callback: message not appended to the stream');
          return false;
        },
      ),
    ]);
    if (delivered && !delivered.ok) logger.warn({ ...ids, reason: delivered.reason, status: delivered.status }, 'callback: webhook failed');
    // A webhook that answered, even with something unusable, has the message.
    const received = delivered?.ok || delivered?.reason === 'invalid_reply';
    if ((options.webhook || options.stream) && !received && !appended) {
      logger.error(ids, 'callback: message is in neither the webhook\'s hands nor the stream');
    }
    let reply: Reply | undefined;
    let source: string | undefined;
    if (match && match.rule !== 'default') [reply, source] = [match.reply, match.rule];
    else if (delivered?.ok && delivered.reply) [reply, source] = [delivered.reply, 'webhook'];
    else if (match) [reply, source] = [match.reply, match.rule];
    logger.info({ ...ids, reply: source ?? 'none' }, 'callback: message handled');
    return reply ? replyXml(reply, message, seconds(clock)) : SUCCESS;
  }

  function respond(reply: string, mode: Mode): CallbackResponse {
    if (reply === SUCCESS) return ACK;
    if (mode === 'plaintext' || !cipher) return { status: 200, contentType: XML, body: reply };
    const nonce = String(randomInt(100_000_000, 1_000_000_000));
    return { status: 200, contentType: XML, body: encryptedEnvelope(cipher.encrypt(reply), token, String(seconds(clock)), nonce) };
  }

  function inBackground(work: Promise<unknown>): void {
    const tracked = work.catch(() => {}).finally(() => background.delete(tracked));
    background.add(tracked);
  }

  async function post(request: CallbackRequest): Promise<CallbackResponse> {
    const { xml, root, mode } = open(request);
    let message: InboundMessage;
    try {
      message = toMessage(root);
    } catch (error) {
      if (error instanceof MessageError) throw new Refusal(refuse(400, error.message), 'bad_message');
      throw error;
    }
    const key = dedupeKey(message);
    const ids = {
      requestId: request.requestId,
      mode,
      msgType: message.MsgType,
      ...(isEvent(message) ? { event: message.Event } : { msgId: (message as { MsgId?: string }).MsgId }),
    };
    // The budget: after it, WeChat is answered `success` and the handling goes on unawaited.
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<'expired'>((resolve) => (timer = setTimeout(resolve, budgetMs, 'expired')));
    const outcome = dedupe.once(key, () => process(message, xml, request.requestId, ids), expired);
    try {
      const first = await Promise.race([outcome, expired]);
      if (first === 'expired') {
        inBackground(outcome.catch((error: unknown) => logger.error({ ...ids, err: String(error) }, 'callback: handling failed')));
        logger.warn(ids, 'callback: budget spent, acknowledged with success; handling goes on');
        return ACK;
      }
      if (!first) return ACK; // a retry whose first delivery is still being handled elsewhere
      if (!first.handled) logger.info(ids, 'callback: retry answered with the first delivery\'s reply');
      return respond(first.reply, mode);
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    async handle(request) {
      try {
        if (request.method === 'GET' || request.method === 'HEAD') return verification(request.query);
        if (request.method === 'POST') return await post(request);
        return refuse(405, 'Method not allowed: use GET or POST');
      } catch (error) {
        if (error instanceof Refusal) {
          logger.warn({ requestId: request.requestId, reason: error.reason, status: error.response.status }, 'callback: request refused');
          return error.response;
        }
        logger.error({ requestId: request.requestId, err: String((error as Error)?.message ?? error) }, 'callback: handling failed');
        return refuse(500, 'Internal error');
      }
    },
    async settled() {
      while (background.size) await Promise.all([...background]);
    },
  };
}
