/** The emulator's industries and public template-message library (wechat-oa-api.md §7.2): a small, fixed sample. */

/** WeChat's industry codes: id → first and second class. */
export const INDUSTRIES: Record<string, { first_class: string; second_class: string }> = {
  '1': { first_class: 'IT科技', second_class: '互联网|电子商务' },
  '2': { first_class: 'IT科技', second_class: 'IT软件与服务' },
  '3': { first_class: 'IT科技', second_class: 'IT硬件与设备' },
  '4': { first_class: 'IT科技', second_class: '电子技术' },
  '5': { first_class: 'IT科技', second_class: '通信与运营商' },
  '6': { first_class: 'IT科技', second_class: '网络游戏' },
  '7': { first_class: '金融业', second_class: '银行' },
  '8': { first_class: '金融业', second_class: '基金理财信托' },
  '9': { first_class: '金融业', second_class: '保险' },
  '10': { first_class: '餐饮', second_class: '餐饮' },
  '11': { first_class: '酒店旅游', second_class: '酒店' },
  '12': { first_class: '酒店旅游', second_class: '旅游' },
  '13': { first_class: '运输与仓储', second_class: '快递' },
  '14': { first_class: '运输与仓储', second_class: '物流' },
  '15': { first_class: '运输与仓储', second_class: '仓储' },
  '16': { first_class: '教育', second_class: '培训' },
  '17': { first_class: '教育', second_class: '院校' },
  '41': { first_class: '其它', second_class: '其它' },
};

export interface LibraryTemplate {
  /** template_id_short */
  id: string;
  title: string;
  industry: string;
  keywords: Array<{ name: string; rule: string; example: string }>;
}

export const LIBRARY: LibraryTemplate[] = [
  {
    id: 'TM00015',
    title: '订单支付成功',
    industry: '1',
    keywords: [
      { name: '订单号', rule: 'character_string', example: 'D20261124001' },
      { name: '支付金额', rule: 'amount', example: '¥99.00' },
      { name: '商品名称', rule: 'thing', example: '保温杯' },
      { name: '支付时间', rule: 'time', example: '2026-11-24 12:00' },
    ],
  },
  {
    id: 'TM00303',
    title: '快递签收通知',
    industry: '13',
    keywords: [
      { name: '快递单号', rule: 'character_string', example: 'SF1234567890' },
      { name: '签收时间', rule: 'time', example: '2026-11-25 09:30' },
      { name: '签收人', rule: 'name', example: '张三' },
    ],
  },
  {
    id: 'TM00850',
    title: '课程预约成功',
    industry: '16',
    keywords: [
      { name: '课程名称', rule: 'thing', example: '初级英语' },
      { name: '上课时间', rule: 'time', example: '2026-11-25 19:00' },
      { name: '联系电话', rule: 'phone_number', example: '021-12345678' },
    ],
  },
];
