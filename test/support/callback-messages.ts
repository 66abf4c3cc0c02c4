/**
 * One push of every message type and event WeChat sends (wechat-oa-api.md §14.5–§14.7), as the
 * XML WeChat writes, with what each must read as once parsed. Field values follow the official
 * examples and the fixtures of wechatpy and WxJava where those exist.
 */
export const ACCOUNT = 'gh_123456789abc';
export const USER = 'otFpruAK8D-E6EfStSYonYSBZ8_4';

export interface Fixture {
  name: string;
  xml: (createTime: number, msgId?: string) => string;
  /** Fields of the parsed message to compare. */
  expect: Record<string, unknown>;
}

const c = (value: string) => `<![CDATA[${value}]]>`;
const head = (type: string, createTime: number) =>
  `<ToUserName>${c(ACCOUNT)}</ToUserName>\n<FromUserName>${c(USER)}</FromUserName>\n<CreateTime>${createTime}</CreateTime>\n<MsgType>${c(type)}</MsgType>\n`;
const message = (type: string, body: string) => (createTime: number, msgId = '23637352235060880') =>
  `<xml>\n${head(type, createTime)}${body}\n<MsgId>${msgId}</MsgId>\n</xml>`;
const event = (name: string, body = '') => (createTime: number) => `<xml>${head('event', createTime)}<Event>${c(name)}</Event>${body}</xml>`;

export const MESSAGES: Fixture[] = [
  { name: 'text', xml: message('text', `<Content>${c('hello')}</Content>`), expect: { MsgType: 'text', Content: 'hello', MsgId: '23637352235060880' } },
  {
    name: 'text from a msgmenu option',
    xml: message('text', `<Content>${c('yes')}</Content><bizmsgmenuid>101</bizmsgmenuid>`),
    expect: { Content: 'yes', bizmsgmenuid: '101' },
  },
  {
    name: 'image',
    xml: message('image', `<PicUrl>${c('http://mmbiz.qpic.cn/x.jpg')}</PicUrl><MediaId>${c('media_id_1')}</MediaId>`),
    expect: { MsgType: 'image', PicUrl: 'http://mmbiz.qpic.cn/x.jpg', MediaId: 'media_id_1' },
  },
  {
    name: 'voice',
    xml: message('voice', `<MediaId>${c('media_id_2')}</MediaId><Format>${c('amr')}</Format><Recognition>${c('腾讯微信团队')}</Recognition>`),
    expect: { MsgType: 'voice', MediaId: 'media_id_2', Format: 'amr', Recognition: '腾讯微信团队' },
  },
  {
    name: 'video',
    xml: message('video', `<MediaId>${c('media_id_3')}</MediaId><ThumbMediaId>${c('thumb_1')}</ThumbMediaId>`),
    expect: { MsgType: 'video', MediaId: 'media_id_3', ThumbMediaId: 'thumb_1' },
  },
  {
    name: 'shortvideo',
    xml: message('shortvideo', `<MediaId>${c('media_id_4')}</MediaId><ThumbMediaId>${c('thumb_2')}</ThumbMediaId>`),
    expect: { MsgType: 'shortvideo', MediaId: 'media_id_4' },
  },
  {
    name: 'location',
    xml: message('location', `<Location_X>23.134521</Location_X><Location_Y>113.358803</Location_Y><Scale>20</Scale><Label>${c('位置信息')}</Label>`),
    expect: { MsgType: 'location', Location_X: 23.134521, Location_Y: 113.358803, Scale: 20, Label: '位置信息' },
  },
  {
    name: 'link',
    xml: message('link', `<Title>${c('公众平台官网链接')}</Title><Description>${c('公众平台官网链接')}</Description><Url>${c('https://mp.weixin.qq.com')}</Url>`),
    expect: { MsgType: 'link', Title: '公众平台官网链接', Url: 'https://mp.weixin.qq.com' },
  },
  {
    name: 'text from an article',
    xml: message('text', `<Content>${c('nice')}</Content><MsgDataId>2247483700</MsgDataId><Idx>1</Idx>`),
    expect: { MsgDataId: '2247483700', Idx: '1' },
  },
];

export const EVENTS: Fixture[] = [
  { name: 'subscribe', xml: event('subscribe', `<EventKey>${c('')}</EventKey>`), expect: { Event: 'subscribe', EventKey: '' } },
  {
    name: 'subscribe through a QR code',
    xml: event('subscribe', `<EventKey>${c('qrscene_123123')}</EventKey><Ticket>${c('TICKET')}</Ticket>`),
    expect: { Event: 'subscribe', EventKey: 'qrscene_123123', Ticket: 'TICKET' },
  },
  { name: 'unsubscribe', xml: event('unsubscribe'), expect: { Event: 'unsubscribe' } },
  { name: 'SCAN', xml: event('SCAN', `<EventKey>${c('123123')}</EventKey><Ticket>${c('TICKET')}</Ticket>`), expect: { Event: 'SCAN', EventKey: '123123' } },
  {
    name: 'LOCATION',
    xml: event('LOCATION', '<Latitude>23.137466</Latitude><Longitude>113.352425</Longitude><Precision>119.385040</Precision>'),
    expect: { Event: 'LOCATION', Latitude: 23.137466, Longitude: 113.352425, Precision: 119.38504 },
  },
  { name: 'CLICK', xml: event('CLICK', `<EventKey>${c('V1001_TODAY_MUSIC')}</EventKey>`), expect: { Event: 'CLICK', EventKey: 'V1001_TODAY_MUSIC' } },
  {
    name: 'VIEW',
    xml: event('VIEW', `<EventKey>${c('https://example.com/')}</EventKey><MenuId>${c('')}</MenuId>`),
    expect: { Event: 'VIEW', EventKey: 'https://example.com/', MenuId: '' },
  },
  {
    name: 'view_miniprogram',
    xml: event('view_miniprogram', `<EventKey>${c('pages/index/index')}</EventKey><MenuId>${c('MENUID')}</MenuId>`),
    expect: { Event: 'view_miniprogram', EventKey: 'pages/index/index', MenuId: 'MENUID' },
  },
  ...['scancode_push', 'scancode_waitmsg'].map((name) => ({
    name,
    xml: event(name, `<EventKey>${c('6')}</EventKey><ScanCodeInfo><ScanType>${c('qrcode')}</ScanType><ScanResult>${c('1')}</ScanResult></ScanCodeInfo>`),
    expect: { Event: name, EventKey: '6', ScanCodeInfo: { ScanType: 'qrcode', ScanResult: '1' } },
  })),
  ...['pic_sysphoto', 'pic_photo_or_album', 'pic_weixin'].map((name) => ({
    name,
    xml: event(name, `<EventKey>${c('6')}</EventKey><SendPicsInfo><Count>1</Count><PicList><item><PicMd5Sum>${c('1b5f7c23b5bf75682a53e7b6d163e185')}</PicMd5Sum></item></PicList></SendPicsInfo>`),
    expect: { Event: name, SendPicsInfo: { Count: 1, PicList: [{ PicMd5Sum: '1b5f7c23b5bf75682a53e7b6d163e185' }] } },
  })),
  {
    name: 'location_select',
    xml: event(
      'location_select',
      `<EventKey>${c('6')}</EventKey><SendLocationInfo><Location_X>${c('23')}</Location_X><Location_Y>${c('113')}</Location_Y><Scale>${c('15')}</Scale><Label>${c(' 广州市海珠区客村艺苑路 106号')}</Label><Poiname>${c('')}</Poiname></SendLocationInfo>`,
    ),
    expect: { Event: 'location_select', SendLocationInfo: { Location_X: 23, Location_Y: 113, Scale: 15, Label: ' 广州市海珠区客村艺苑路 106号', Poiname: '' } },
  },
  {
    name: 'TEMPLATESENDJOBFINISH',
    xml: event('TEMPLATESENDJOBFINISH', `<MsgID>200163836</MsgID><Status>${c('success')}</Status>`),
    expect: { Event: 'TEMPLATESENDJOBFINISH', MsgID: '200163836', Status: 'success' },
  },
  {
    name: 'MASSSENDJOBFINISH',
    xml: event(
      'MASSSENDJOBFINISH',
      `<MsgID>1988</MsgID><Status>${c('err(30003)')}</Status><TotalCount>100</TotalCount><FilterCount>80</FilterCount><SentCount>75</SentCount><ErrorCount>5</ErrorCount>` +
        `<CopyrightCheckResult><Count>2</Count><ResultList><item><ArticleIdx>1</ArticleIdx><UserDeclareState>0</UserDeclareState><AuditState>2</AuditState><OriginalArticleUrl>${c('Url_1')}</OriginalArticleUrl><OriginalArticleType>1</OriginalArticleType><CanReprint>1</CanReprint><NeedReplaceContent>1</NeedReplaceContent><NeedShowReprintSource>1</NeedShowReprintSource></item>` +
        `<item><ArticleIdx>2</ArticleIdx><UserDeclareState>0</UserDeclareState><AuditState>2</AuditState><OriginalArticleUrl>${c('Url_2')}</OriginalArticleUrl><OriginalArticleType>1</OriginalArticleType><CanReprint>1</CanReprint><NeedReplaceContent>1</NeedReplaceContent><NeedShowReprintSource>1</NeedShowReprintSource></item></ResultList><CheckState>2</CheckState></CopyrightCheckResult>` +
        `<ArticleUrlResult><Count>1</Count><ResultList><item><ArticleIdx>1</ArticleIdx><ArticleUrl>${c('http://mp.weixin.qq.com/s?a')}</ArticleUrl></item></ResultList></ArticleUrlResult>`,
    ),
    expect: {
      Event: 'MASSSENDJOBFINISH',
      MsgID: '1988',
      Status: 'err(30003)',
      TotalCount: 100,
      FilterCount: 80,
      SentCount: 75,
      ErrorCount: 5,
      ArticleUrlResult: { Count: 1, ResultList: [{ ArticleIdx: '1', ArticleUrl: 'http://mp.weixin.qq.com/s?a' }] },
    },
  },
  {
    name: 'subscribe_msg_popup_event',
    xml: event(
      'subscribe_msg_popup_event',
      `<SubscribeMsgPopupEvent><List><TemplateId>${c('VRR0UEO9VJOLs0MHlU0OilqX6MVFDwH3_3gz3Oc0NIc')}</TemplateId><SubscribeStatusString>${c('accept')}</SubscribeStatusString><PopupScene>2</PopupScene></List>` +
        `<List><TemplateId>${c('9nLIlbOQZC5Y89AZteFEux3WCXRRRG5Wfzkpssu4bLI')}</TemplateId><SubscribeStatusString>${c('reject')}</SubscribeStatusString><PopupScene>2</PopupScene></List></SubscribeMsgPopupEvent>`,
    ),
    expect: {
      SubscribeMsgPopupEvent: {
        List: [
          { TemplateId: 'VRR0UEO9VJOLs0MHlU0OilqX6MVFDwH3_3gz3Oc0NIc', SubscribeStatusString: 'accept', PopupScene: '2' },
          { TemplateId: '9nLIlbOQZC5Y89AZteFEux3WCXRRRG5Wfzkpssu4bLI', SubscribeStatusString: 'reject', PopupScene: '2' },
        ],
      },
    },
  },
  {
    name: 'subscribe_msg_change_event (one List)',
    xml: event(
      'subscribe_msg_change_event',
      `<SubscribeMsgChangeEvent><List><TemplateId>${c('VRR0UEO9VJOLs0MHlU0OilqX6MVFDwH3_3gz3Oc0NIc')}</TemplateId><SubscribeStatusString>${c('reject')}</SubscribeStatusString></List></SubscribeMsgChangeEvent>`,
    ),
    expect: { SubscribeMsgChangeEvent: { List: [{ TemplateId: 'VRR0UEO9VJOLs0MHlU0OilqX6MVFDwH3_3gz3Oc0NIc', SubscribeStatusString: 'reject' }] } },
  },
  {
    name: 'subscribe_msg_sent_event',
    xml: event(
      'subscribe_msg_sent_event',
      `<SubscribeMsgSentEvent><List><TemplateId>${c('VRR0UEO9VJOLs0MHlU0OilqX6MVFDwH3_3gz3Oc0NIc')}</TemplateId><MsgID>1700827132819554304</MsgID><ErrorCode>0</ErrorCode><ErrorStatus>${c('success')}</ErrorStatus></List></SubscribeMsgSentEvent>`,
    ),
    expect: { SubscribeMsgSentEvent: { List: [{ TemplateId: 'VRR0UEO9VJOLs0MHlU0OilqX6MVFDwH3_3gz3Oc0NIc', MsgID: '1700827132819554304', ErrorCode: '0', ErrorStatus: 'success' }] } },
  },
  {
    name: 'PUBLISHJOBFINISH',
    xml: event(
      'PUBLISHJOBFINISH',
      `<PublishEventInfo><publish_id>2247503051</publish_id><publish_status>0</publish_status><article_id>${c('b5O2OUs25HBxRceL7hfReg-U9QGeq9zQjiDvy')}</article_id><article_detail><count>1</count><item><idx>1</idx><article_url>${c('ARTICLE_URL')}</article_url></item></article_detail></PublishEventInfo>`,
    ),
    expect: {
      PublishEventInfo: {
        publish_id: '2247503051',
        publish_status: 0,
        article_id: 'b5O2OUs25HBxRceL7hfReg-U9QGeq9zQjiDvy',
        article_detail: { count: 1, item: [{ idx: 1, article_url: 'ARTICLE_URL' }] },
      },
    },
  },
  {
    name: 'PUBLISHJOBFINISH that failed',
    xml: event('PUBLISHJOBFINISH', '<PublishEventInfo><publish_id>2247503052</publish_id><publish_status>2</publish_status><fail_idx>1</fail_idx><fail_idx>2</fail_idx></PublishEventInfo>'),
    expect: { PublishEventInfo: { publish_id: '2247503052', publish_status: 2, fail_idx: [1, 2] } },
  },
  { name: 'kf_create_session (unknown to this version)', xml: event('kf_create_session', `<KfAccount>${c('test1@test')}</KfAccount>`), expect: { Event: 'kf_create_session', KfAccount: 'test1@test' } },
];
