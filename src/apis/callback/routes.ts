/**
 * The server URL of the platform's server configuration: WeChat verifies it with a GET and pushes
 * every message and event to it with a POST. Public, since WeChat sends no Bearer token: the
 * signature over the server token is the credential. The work is the message server's
 * (handler.ts); these routes only carry WeChat's request to it and its answer back.
 */
import * as v from 'valibot';
import { AppError, type ErrorKind } from '../../errors.js';
import { defineRoute, type RawBody, type RouteContext } from '../../function/route.js';
import { MAX_XML_BYTES } from './limits.js';
import type { CallbackResponse } from './handler.js';

const KIND_BY_STATUS: Record<number, ErrorKind> = {
  400: 'bad_request',
  401: 'unauthenticated',
  404: 'not_found',
  405: 'method_not_allowed',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
};

/** The message server's answer as the route's: a refusal becomes the envelope with its status. */
async function serve(method: 'GET' | 'POST', body: string | undefined, { services, query, requestId }: RouteContext): Promise<RawBody> {
  const server = services.messages;
  if (!server) {
    throw new AppError('not_found', `No route ${method} /callback: the message server is off`, {
      hint: 'Set serverToken (SERVER_TOKEN) to the Token of the platform\'s server configuration.',
    });
  }
  const answer: CallbackResponse = await server.handler.handle({ method, query, body, requestId });
  if (answer.status === 200) return { body: answer.body, contentType: answer.contentType };
  let msg = 'Refused';
  try {
    msg = (JSON.parse(answer.body) as { msg?: string }).msg ?? msg;
  } catch {
    // The handler's refusals are JSON; anything else keeps the general word.
  }
  throw new AppError(KIND_BY_STATUS[answer.status] ?? 'internal', msg, { status: answer.status });
}

const signed = {
  signature: v.optional(v.string()),
  timestamp: v.optional(v.string()),
  nonce: v.optional(v.string()),
};

export const callbackRoutes = [
  defineRoute({
    path: '/callback',
    methods: ['GET'],
    access: 'public',
    output: 'xml',
    summary:
      "WeChat's verification of the server URL: answers echostr as text when signature (SHA1 over the server token, timestamp and nonce) matches; 401 otherwise, 404 when no server token is configured.",
    body: v.object({ ...signed, echostr: v.optional(v.string()) }),
    handler: (_query, context) => serve('GET', undefined, context),
  }),
  defineRoute({
    path: '/callback',
    methods: ['POST'],
    access: 'public',
    input: 'xml',
    output: 'xml',
    bodyLimit: MAX_XML_BYTES,
    summary:
      'Messages and events pushed by WeChat (plaintext, compatible or safe mode with encrypt_type=aes and msg_signature), signed in the query. Answers the passive reply as XML (encrypted in the mode the message came in) or `success`; 401 for a bad signature or a timestamp more than 5 minutes off, 400 for malformed XML, 404 when no server token is configured.',
    body: v.string(),
    handler: (xml, context) => serve('POST', xml, context),
  }),
];
