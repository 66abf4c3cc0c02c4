/** The menu's errcodes (wechat-oa-api.md §1.5, §6): the caller's to fix, with what to do. */
import type { ErrcodeTable } from '../../wechat/errcodes.js';

const LIMITS = 'WeChat allows 1–3 buttons, up to 5 sub-buttons each, names of at most 16 bytes (60 for sub-buttons), keys of 128 bytes and URLs of 1024.';

export const errcodes: ErrcodeTable = {
  40016: { kind: 'caller', hint: 'A menu has 1 to 3 buttons. ' + LIMITS },
  40017: { kind: 'caller', hint: 'A button type is not one WeChat knows (click, view, miniprogram, scancode_push, scancode_waitmsg, pic_sysphoto, pic_photo_or_album, pic_weixin, location_select, media_id, article_id, article_view_limited).' },
  40018: { kind: 'caller', hint: 'A button name is empty or longer than 16 bytes (about 5 Chinese characters).' },
  40019: { kind: 'caller', hint: 'A button key is missing or longer than 128 bytes.' },
  40020: { kind: 'caller', hint: 'A button url is missing or longer than 1024 bytes.' },
  40023: { kind: 'caller', hint: 'A button has more than 5 sub-buttons. ' + LIMITS },
  40024: { kind: 'caller', hint: 'A sub-button type is not one WeChat knows.' },
  40025: { kind: 'caller', hint: 'A sub-button name is empty or longer than 60 bytes.' },
  40026: { kind: 'caller', hint: 'A sub-button key is missing or longer than 128 bytes.' },
  40027: { kind: 'caller', hint: 'A sub-button url is missing or longer than 1024 bytes.' },
  40054: { kind: 'caller', hint: 'A sub-button url has a domain WeChat does not accept.' },
  40055: { kind: 'caller', hint: 'A button url has a domain WeChat does not accept.' },
  45010: { kind: 'quota', hint: 'The account has as many menus as WeChat allows; delete a conditional menu first.' },
  45064: { kind: 'configuration', hint: 'The menu opens a mini program not linked to this Official Account: link it in the MP console first.' },
  46002: { kind: 'caller', hint: 'The menu version does not exist.' },
  46003: { kind: 'caller', status: 404, hint: 'The account has no menu created through the API: create one with /menu/create (a menu built in the MP console shows in /menu/current).' },
  65301: { kind: 'caller', status: 404, hint: 'No conditional menu has this menuid: /menu/get lists them.' },
  65302: { kind: 'caller', status: 404, hint: 'No follower has this openid or WeChat ID.' },
  65303: { kind: 'caller', hint: 'Create the default menu with /menu/create before adding a conditional menu.' },
  65304: { kind: 'caller', hint: 'Set at least one matchrule field (tag_id, sex, country, province, city, client_platform_type, language).' },
  65305: { kind: 'quota', hint: 'The account has as many conditional menus as WeChat allows; delete one first.' },
  65306: { kind: 'configuration', hint: 'This account does not support conditional menus.' },
  65307: { kind: 'caller', hint: 'A conditional menu needs at least one button.' },
  65308: { kind: 'caller', hint: 'A button has neither an action nor sub-buttons.' },
  65309: { kind: 'configuration', hint: 'Conditional menus are switched off for this account.' },
  65310: { kind: 'caller', hint: 'matchrule.province needs matchrule.country.' },
  65311: { kind: 'caller', hint: 'matchrule.city needs matchrule.province.' },
  65312: { kind: 'caller', hint: 'matchrule.country is not a country WeChat knows.' },
  65313: { kind: 'caller', hint: 'matchrule.province is not a province WeChat knows.' },
  65314: { kind: 'caller', hint: 'matchrule.city is not a city WeChat knows.' },
  65316: { kind: 'caller', hint: 'Links in the menu may point to at most 3 domains.' },
  65317: { kind: 'caller', hint: 'A button url is not a valid URL.' },
};
