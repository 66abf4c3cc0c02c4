/**
 * The emulator's public library of subscription-notification templates: the account's categories,
 * their titles and each title's keywords (wechat-oa-api.md §4.2). A small, fixed sample.
 */
export interface LibraryKeyword {
  kid: number;
  name: string;
  example: string;
  /** The placeholder type (keywords.ts). */
  rule: string;
  /** For an enum keyword: the values allowed. */
  enumValues?: string[];
}

export interface LibraryTitle {
  tid: number;
  title: string;
  /** 2: one acceptance allows one send; 3: long-term. */
  type: 2 | 3;
  categoryId: number;
  keywords: LibraryKeyword[];
}

export const CATEGORIES = [
  { id: 307, name: '快递/物流' },
  { id: 411, name: '教育信息服务' },
  { id: 616, name: '餐饮服务' },
];

export const TITLES: LibraryTitle[] = [
  {
    tid: 1001,
    title: '订单发货通知',
    type: 2,
    categoryId: 307,
    keywords: [
      { kid: 1, name: '订单号', example: 'D20261124001', rule: 'character_string' },
      { kid: 2, name: '商品名称', example: '保温杯', rule: 'thing' },
      { kid: 3, name: '发货时间', example: '2026-11-24 12:00', rule: 'time' },
      { kid: 4, name: '快递公司', example: '顺丰速运', rule: 'thing' },
      { kid: 5, name: '快递单号', example: 'SF1234567890', rule: 'character_string' },
    ],
  },
  {
    tid: 1002,
    title: '包裹签收提醒',
    type: 2,
    categoryId: 307,
    keywords: [
      { kid: 1, name: '快递单号', example: 'SF1234567890', rule: 'character_string' },
      { kid: 2, name: '签收时间', example: '2026-11-25 09:30', rule: 'time' },
      { kid: 3, name: '签收人', example: '张三', rule: 'name' },
    ],
  },
  {
    tid: 2001,
    title: '课程开课提醒',
    type: 3,
    categoryId: 411,
    keywords: [
      { kid: 1, name: '课程名称', example: '初级英语', rule: 'thing' },
      { kid: 2, name: '上课时间', example: '2026-11-25 19:00', rule: 'time' },
      { kid: 3, name: '授课老师', example: '王老师', rule: 'name' },
      { kid: 4, name: '课程状态', example: '已开课', rule: 'enum', enumValues: ['已开课', '已取消', '已延期'] },
      { kid: 5, name: '联系电话', example: '021-12345678', rule: 'phone_number' },
    ],
  },
  {
    tid: 3001,
    title: '取餐提醒',
    type: 2,
    categoryId: 616,
    keywords: [
      { kid: 1, name: '取餐号', example: 'A023', rule: 'character_string' },
      { kid: 2, name: '门店', example: '人民路店', rule: 'thing' },
      { kid: 3, name: '取餐时间', example: '12:30', rule: 'time' },
      { kid: 4, name: '订单金额', example: '¥23.50', rule: 'amount' },
      { kid: 5, name: '订单状态', example: '已完成', rule: 'phrase' },
    ],
  },
];
