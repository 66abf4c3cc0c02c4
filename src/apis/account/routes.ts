/**
 * CloudBase's /account/shorturl, which WeChat retired (forwarded, so the caller sees WeChat's
 * answer, with a hint naming the replacement), and the short keys that replace it.
 */
import * as v from 'valibot';
import { defineRoute, type RouteDef } from '../../function/route.js';
import { forward, hinted } from '../group.js';
import { LONG_DATA_MAX_BYTES, SHORT_KEY_MAX_EXPIRE_S, wechat } from './endpoints.js';

const RETIRED_HINT =
  'WeChat retired long2short in 2021: no short URL comes back any more. Keep the long data with /account/shorten_gen and put its short_key in your link or QR code; /account/shorten_fetch reads it back.';

export const accountRoutes: RouteDef[] = [
  defineRoute({
    path: '/account/shorturl',
    access: 'admin',
    summary: `CloudBase's route, forwarded to cgi-bin/shorturl {action: 'long2short', long_url}, which WeChat retired: its refusal comes back with a hint naming /account/shorten_gen. ${RETIRED_HINT}`,
    body: v.object({
      long_url: v.pipe(v.string(), v.regex(/^https?:\/\/\S+$/i, 'long_url: an http:// or https:// URL'), v.maxLength(4096)),
    }),
    response: v.object({ errcode: v.number(), errmsg: v.string(), short_url: v.string() }),
    calls: [wechat.shorturl],
    // Whatever WeChat refuses it with (45103 today, 48001 for some accounts), the way out is the same.
    handler: ({ long_url }, { services, signal }) => hinted(services.account.post(wechat.shorturl.path, { action: 'long2short', long_url }, { signal }), RETIRED_HINT),
  }),
  forward(wechat.shortenGen, {
    path: '/account/shorten_gen',
    summary: `Stores long_data (at most ${LONG_DATA_MAX_BYTES} bytes) under a new 15-character short_key for expire_seconds (at most ${SHORT_KEY_MAX_EXPIRE_S}, the default) (cgi-bin/shorten/gen).`,
    body: v.object({
      long_data: v.pipe(v.string(), v.minLength(1, 'long_data: must not be empty'), v.maxBytes(LONG_DATA_MAX_BYTES, `long_data: at most ${LONG_DATA_MAX_BYTES} bytes (UTF-8)`)),
      expire_seconds: v.optional(
        v.pipe(v.number(), v.integer('expire_seconds: whole seconds'), v.minValue(1), v.maxValue(SHORT_KEY_MAX_EXPIRE_S, `expire_seconds: at most ${SHORT_KEY_MAX_EXPIRE_S} (30 days)`)),
      ),
    }),
    response: v.object({ errcode: v.number(), errmsg: v.string(), short_key: v.string() }),
  }),
  defineRoute({
    path: '/account/shorten_fetch',
    access: 'admin',
    summary: 'The long_data stored under a short_key, with create_time and the seconds it has left (expire_seconds) (cgi-bin/shorten/fetch).',
    body: v.object({ short_key: v.pipe(v.string(), v.regex(/^[0-9a-zA-Z]{1,64}$/, 'short_key: the letters and digits shorten_gen returned')) }),
    response: v.object({ errcode: v.number(), errmsg: v.string(), long_data: v.string(), create_time: v.number(), expire_seconds: v.number() }),
    calls: [wechat.shortenFetch],
    handler: ({ short_key }, { services, signal }) =>
      hinted(services.account.post(wechat.shortenFetch.path, { short_key }, { signal }), 'The short key is unknown or expired: keys live expire_seconds from /account/shorten_gen. Generate a new one.', [40035]),
  }),
];
