/** The codes of parameterised QR codes (wechat-oa-api.md §11.1). */
import type { ErrcodeTable } from '../../wechat/errcodes.js';

export const errcodes: ErrcodeTable = {
  40053: {
    kind: 'caller',
    hint: 'The scene does not fit action_name: QR_SCENE and QR_LIMIT_SCENE take scene_id, QR_STR_SCENE and QR_LIMIT_STR_SCENE take scene_str (1 to 64 characters).',
  },
  45029: {
    kind: 'quota',
    hint: 'The account holds 100,000 permanent QR codes, the most WeChat allows: reuse one of the same scene, or make temporary codes (QR_SCENE, QR_STR_SCENE).',
  },
};
