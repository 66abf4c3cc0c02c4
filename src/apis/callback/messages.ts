/**
 * Parsed pushes as typed messages, under WeChat's own field names (wechat-oa-api.md §14.5–§14.7),
 * so what a rule, a webhook or a stream worker reads is what WeChat's documentation describes.
 * Identifiers (MsgId and the like) stay strings: they exceed 2^53. Elements that may repeat
 * are always lists.
 */
import type { XmlNode, XmlValue } from './xml.js';

interface Common {
  ToUserName: string;
  FromUserName: string;
  CreateTime: number;
}

/** Messages sent from within an article also say which one. */
interface UserMessage extends Common {
  MsgId: string;
  MsgDataId?: string;
  Idx?: string;
}

export interface TextMessage extends UserMessage {
  MsgType: 'text';
  Content: string;
  bizmsgmenuid?: string;
}
export interface ImageMessage extends UserMessage {
  MsgType: 'image';
  PicUrl: string;
  MediaId: string;
}
export interface VoiceMessage extends UserMessage {
  MsgType: 'voice';
  MediaId: string;
  Format: string;
  Recognition?: string;
}
export interface VideoMessage extends UserMessage {
  MsgType: 'video' | 'shortvideo';
  MediaId: string;
  ThumbMediaId: string;
}
export interface LocationMessage extends UserMessage {
  MsgType: 'location';
  Location_X: number;
  Location_Y: number;
  Scale: number;
  Label: string;
}
export interface LinkMessage extends UserMessage {
  MsgType: 'link';
  Title: string;
  Description: string;
  Url: string;
}

interface EventCommon extends Common {
  MsgType: 'event';
}
export interface SubscribeEvent extends EventCommon {
  Event: 'subscribe';
  /** `qrscene_` + the scene when followed through a parameterised QR code. */
  EventKey?: string;
  Ticket?: string;
}
export interface UnsubscribeEvent extends EventCommon {
  Event: 'unsubscribe';
}
export interface ScanEvent extends EventCommon {
  Event: 'SCAN';
  EventKey: string;
  Ticket?: string;
}
export interface LocationEvent extends EventCommon {
  Event: 'LOCATION';
  Latitude: number;
  Longitude: number;
  Precision: number;
}
export interface ClickEvent extends EventCommon {
  Event: 'CLICK';
  EventKey: string;
}
export interface ViewEvent extends EventCommon {
  Event: 'VIEW' | 'view_miniprogram';
  EventKey: string;
  MenuId?: string;
}
export interface ScanCodeEvent extends EventCommon {
  Event: 'scancode_push' | 'scancode_waitmsg';
  EventKey: string;
  ScanCodeInfo: { ScanType: string; ScanResult: string };
}
export interface PicEvent extends EventCommon {
  Event: 'pic_sysphoto' | 'pic_photo_or_album' | 'pic_weixin';
  EventKey: string;
  SendPicsInfo: { Count: number; PicList: Array<{ PicMd5Sum: string }> };
}
export interface LocationSelectEvent extends EventCommon {
  Event: 'location_select';
  EventKey: string;
  SendLocationInfo: { Location_X: number; Location_Y: number; Scale: number; Label: string; Poiname: string };
}
export interface TemplateSendJobFinishEvent extends EventCommon {
  Event: 'TEMPLATESENDJOBFINISH';
  MsgID: string;
  Status: string;
}
export interface MassSendJobFinishEvent extends EventCommon {
  Event: 'MASSSENDJOBFINISH';
  MsgID: string;
  Status: string;
  TotalCount: number;
  FilterCount: number;
  SentCount: number;
  ErrorCount: number;
  CopyrightCheckResult?: {
    Count: number;
    ResultList: Array<Record<string, string>>;
    CheckState: number;
  };
  ArticleUrlResult?: { Count: number; ResultList: Array<{ ArticleIdx: string; ArticleUrl: string }> };
}
export interface SubscribeMsgPopupEvent extends EventCommon {
  Event: 'subscribe_msg_popup_event';
  SubscribeMsgPopupEvent: { List: Array<{ TemplateId: string; SubscribeStatusString: string; PopupScene: string }> };
}
export interface SubscribeMsgChangeEvent extends EventCommon {
  Event: 'subscribe_msg_change_event';
  SubscribeMsgChangeEvent: { List: Array<{ TemplateId: string; SubscribeStatusString: string }> };
}
export interface SubscribeMsgSentEvent extends EventCommon {
  Event: 'subscribe_msg_sent_event';
  SubscribeMsgSentEvent: { List: Array<{ TemplateId: string; MsgID: string; ErrorCode: string; ErrorStatus: string }> };
}
export interface PublishJobFinishEvent extends EventCommon {
  Event: 'PUBLISHJOBFINISH';
  PublishEventInfo: {
    publish_id: string;
    publish_status: number;
    article_id?: string;
    article_detail?: { count: number; item: Array<{ idx: number; article_url: string }> };
    fail_idx?: number[];
  };
}
/** Customer-service session, card, store and device events, and any added later. */
export interface OtherEvent extends EventCommon {
  Event: string;
  [field: string]: unknown;
}
/** A MsgType this version does not know. */
export interface OtherMessage extends Common {
  MsgType: string;
  MsgId?: string;
  [field: string]: unknown;
}

export type KnownUserMessage = TextMessage | ImageMessage | VoiceMessage | VideoMessage | LocationMessage | LinkMessage;
export type KnownEvent =
  | SubscribeEvent
  | UnsubscribeEvent
  | ScanEvent
  | LocationEvent
  | ClickEvent
  | ViewEvent
  | ScanCodeEvent
  | PicEvent
  | LocationSelectEvent
  | TemplateSendJobFinishEvent
  | MassSendJobFinishEvent
  | SubscribeMsgPopupEvent
  | SubscribeMsgChangeEvent
  | SubscribeMsgSentEvent
  | PublishJobFinishEvent;
export type InboundMessage = KnownUserMessage | KnownEvent | OtherEvent | OtherMessage;

export class MessageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MessageError';
  }
}

/** Fields that must be present (as text) for each message type; events need only `Event`. */
const REQUIRED: Record<string, string[]> = {
  text: ['MsgId', 'Content'],
  image: ['MsgId', 'MediaId'],
  voice: ['MsgId', 'MediaId'],
  video: ['MsgId', 'MediaId'],
  shortvideo: ['MsgId', 'MediaId'],
  location: ['MsgId', 'Location_X', 'Location_Y'],
  link: ['MsgId', 'Url'],
  event: ['Event'],
};

/** Elements holding numbers, wherever they appear. Identifiers are not among them. */
const NUMBERS = new Set([
  'CreateTime',
  'Location_X',
  'Location_Y',
  'Scale',
  'Latitude',
  'Longitude',
  'Precision',
  'Count',
  'TotalCount',
  'FilterCount',
  'SentCount',
  'ErrorCount',
  'CheckState',
  'publish_status',
  'count',
  'idx',
  'fail_idx',
]);

/** Elements that repeat, and the lists their single occurrence becomes. */
const LISTS = new Set(['List', 'item', 'fail_idx']);

/** Lists WeChat wraps in an element of `item`s, unwrapped to a plain list under the wrapper's name. */
const ITEM_WRAPPERS = new Set(['PicList', 'ResultList']);

/** The root element of a plaintext push to a typed message, or MessageError naming what is missing. */
export function toMessage(root: XmlNode): InboundMessage {
  const message = shape(root) as Record<string, unknown>;
  for (const field of ['ToUserName', 'FromUserName', 'MsgType']) {
    if (typeof message[field] !== 'string' || message[field] === '') throw new MessageError(`${field} is missing`);
  }
  if (!Number.isInteger(message.CreateTime)) throw new MessageError('CreateTime is missing or not a whole number');
  for (const field of REQUIRED[message.MsgType as string] ?? []) {
    if (message[field] === undefined || message[field] === '') throw new MessageError(`${field} is missing`);
  }
  return message as unknown as InboundMessage;
}

function shape(node: XmlNode): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(node)) {
    if (ITEM_WRAPPERS.has(name) && isNode(value)) {
      out[name] = asList(value.item ?? []).map((item) => shapeValue('item', item));
    } else if (LISTS.has(name)) {
      out[name] = asList(value).map((item) => shapeValue(name, item));
    } else {
      out[name] = shapeValue(name, value);
    }
  }
  return out;
}

function shapeValue(name: string, value: XmlValue): unknown {
  if (Array.isArray(value)) return value.map((item) => shapeValue(name, item));
  if (typeof value === 'string') {
    if (!NUMBERS.has(name)) return value;
    const number = Number(value);
    return value.trim() !== '' && Number.isFinite(number) ? number : value;
  }
  return shape(value);
}

function asList(value: XmlValue): XmlValue[] {
  if (Array.isArray(value)) return value;
  return value === '' ? [] : [value];
}

function isNode(value: XmlValue): value is XmlNode {
  return typeof value === 'object' && !Array.isArray(value);
}

/** Events carry `MsgType` = `event`. */
export function isEvent(message: InboundMessage): message is KnownEvent | OtherEvent {
  return message.MsgType === 'event';
}

/**
 * What makes a push the same push on a retry: MsgId for a message; sender, time and event for
 * an event, which has no MsgId of its own (§14.9).
 */
export function dedupeKey(message: InboundMessage): string {
  if (isEvent(message)) return `event:${message.FromUserName}:${message.CreateTime}:${message.Event}`;
  return `msg:${String((message as OtherMessage).MsgId ?? `${message.FromUserName}:${message.CreateTime}`)}`;
}
