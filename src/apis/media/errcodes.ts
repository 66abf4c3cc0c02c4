/** The errcodes of uploads and material (wechat-oa-api.md §1.5, §10). */
import type { ErrcodeTable } from '../../wechat/errcodes.js';

const LIMITS = 'See docs/apis/media.md for the types, formats and sizes WeChat takes.';

export const errcodes: ErrcodeTable = {
  40004: { kind: 'caller', hint: 'The media type is not one of image, voice, video, thumb.' },
  40005: { kind: 'caller', hint: `WeChat does not take this file format; give the file a name with the right extension. ${LIMITS}` },
  40006: { kind: 'caller', hint: `The file is larger than WeChat takes for its type. ${LIMITS}` },
  40009: { kind: 'caller', hint: 'The image is empty or larger than WeChat takes (10 MB for temporary media).' },
  40010: { kind: 'caller', hint: 'The voice file is empty or larger than WeChat takes (2 MB, 60 s).' },
  40011: { kind: 'caller', hint: 'The video is empty or larger than WeChat takes (10 MB).' },
  40012: { kind: 'caller', hint: 'The thumbnail is empty or larger than WeChat takes (64 KB JPG).' },
  40137: { kind: 'caller', hint: 'WeChat does not take this image format (PNG, JPEG, GIF; JPG or PNG for article images).' },
  41005: { kind: 'caller', hint: 'The upload carried no file: send it in the part named media.' },
  44001: { kind: 'caller', hint: 'The uploaded file is empty.' },
  45001: { kind: 'caller', hint: `The file is larger than WeChat takes. ${LIMITS}` },
  45007: { kind: 'caller', hint: 'Voice files may play for at most 60 seconds.' },
  46001: { kind: 'caller', hint: 'The media no longer exists: temporary media are kept 3 days; upload it again.' },
  48005: { kind: 'caller', hint: 'An auto-reply or the menu still uses this material: remove it there first.' },
};
