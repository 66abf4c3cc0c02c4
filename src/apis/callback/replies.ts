/**
 * Passive replies (wechat-oa-api.md §14.8): what a rule or the webhook asks for, as the XML
 * WeChat takes in the response to its push.
 */
import * as v from 'valibot';
import { isEvent, type InboundMessage } from './messages.js';
import { buildXml, type XmlOut } from './xml.js';

const text = (max: number) => v.pipe(v.string(), v.minLength(1), v.maxLength(max));
const optionalText = (max: number) => v.optional(v.pipe(v.string(), v.maxLength(max)));

const ArticleSchema = v.strictObject({
  title: text(256),
  description: optionalText(1024),
  picUrl: optionalText(2048),
  url: optionalText(2048),
});

export const ReplySchema = v.variant('type', [
  // 2048 bytes is the commonly cited limit; 2048 characters keeps a clear margin for most text.
  v.strictObject({ type: v.literal('text'), content: text(2048) }),
  v.strictObject({ type: v.literal('image'), mediaId: text(256) }),
  v.strictObject({ type: v.literal('voice'), mediaId: text(256) }),
  v.strictObject({ type: v.literal('video'), mediaId: text(256), title: optionalText(256), description: optionalText(1024) }),
  v.strictObject({
    type: v.literal('music'),
    /** The thumbnail's media id (ThumbMediaId). */
    mediaId: text(256),
    title: optionalText(256),
    description: optionalText(1024),
    musicUrl: optionalText(2048),
    hqMusicUrl: optionalText(2048),
  }),
  v.strictObject({ type: v.literal('news'), articles: v.pipe(v.array(ArticleSchema), v.minLength(1), v.maxLength(8)) }),
  v.strictObject({ type: v.literal('transfer_customer_service'), kfAccount: optionalText(64) }),
]);

export type Reply = v.InferOutput<typeof ReplySchema>;

/** The acknowledgement that asks nothing more of WeChat (§14.9). */
export const SUCCESS = 'success';

/**
 * The reply's XML, addressed back to the sender. A news reply to a user message carries one
 * article: WeChat allows more only in answer to events.
 */
export function replyXml(reply: Reply, to: InboundMessage, now: number): string {
  const head: Record<string, XmlOut> = { ToUserName: to.FromUserName, FromUserName: to.ToUserName, CreateTime: now, MsgType: reply.type };
  return buildXml('xml', { ...head, ...body(reply, isEvent(to) ? 8 : 1) });
}

function body(reply: Reply, maxArticles: number): Record<string, XmlOut | undefined> {
  switch (reply.type) {
    case 'text':
      return { Content: reply.content };
    case 'image':
      return { Image: { MediaId: reply.mediaId } };
    case 'voice':
      return { Voice: { MediaId: reply.mediaId } };
    case 'video':
      return { Video: { MediaId: reply.mediaId, Title: reply.title, Description: reply.description } };
    case 'music':
      return {
        Music: {
          Title: reply.title,
          Description: reply.description,
          MusicUrl: reply.musicUrl,
          HQMusicUrl: reply.hqMusicUrl,
          ThumbMediaId: reply.mediaId,
        },
      };
    case 'news': {
      const articles = reply.articles.slice(0, maxArticles);
      return {
        ArticleCount: articles.length,
        Articles: { item: articles.map((a) => ({ Title: a.title, Description: a.description, PicUrl: a.picUrl, Url: a.url })) },
      };
    }
    case 'transfer_customer_service':
      return reply.kfAccount ? { TransInfo: { KfAccount: reply.kfAccount } } : {};
  }
}
