/**
 * /media/*: uploads of the file itself (multipart and base64), downloads returning the exact
 * bytes, permanent material, CloudBase's bodies, WeChat's refusals and the emulator's own
 * checks, over real HTTP against the emulator; no credential in any answer or log line.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Stack } from './support/stack.js';
import { TEST_APP_SECRET } from './support/stack.js';
import { ADMIN, assertFailure, assertNoCredentials, bytes, mediaStack, upload } from './support/media.js';
import { UPLOAD_BODY_LIMIT } from '../src/apis/media/limits.js';

const MB = 1024 * 1024;

let stack: Stack & { appId: string };
before(async () => {
  stack = await mediaStack();
});
after(() => stack.close());

async function download(path: string, mediaId: string) {
  const response = await fetch(`${stack.fn.url}${path}`, { method: 'POST', headers: { ...ADMIN, 'content-type': 'application/json' }, body: JSON.stringify({ media_id: mediaId }) });
  const body = new Uint8Array(await response.arrayBuffer());
  stack.responses.push(Buffer.from(body).toString('latin1'));
  return { status: response.status, type: response.headers.get('content-type'), body };
}

/** Calls the emulator itself with a live global token, as WeChat would be called. */
async function wechat(path: string, query: Record<string, string>, init: RequestInit = {}) {
  const token = await (await fetch(`${stack.emulatorUrl}/cgi-bin/token?grant_type=client_credential&appid=${stack.appId}&secret=${TEST_APP_SECRET}`)).json();
  const response = await fetch(`${stack.emulatorUrl}${path}?${new URLSearchParams({ ...query, access_token: token.access_token })}`, { method: 'POST', ...init });
  return response.json();
}

function wechatForm(file?: { name: string; bytes: Uint8Array }, fields: Record<string, string> = {}): FormData {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  if (file) form.append('media', new Blob([file.bytes as Uint8Array<ArrayBuffer>]), file.name);
  return form;
}

describe('/media/upload_temp and /media/get_temp', () => {
  it('uploads a multipart file and downloads the exact bytes with their content type', async () => {
    const png = bytes(5000);
    const uploaded = await upload(stack, '/media/upload_temp', { name: 'photo.png', bytes: png, type: 'image/png' }, { type: 'image' });
    assert.equal(uploaded.status, 200, uploaded.text);
    assert.equal(uploaded.body.code, 0);
    assert.equal(uploaded.body.data.type, 'image');
    assert.equal(typeof uploaded.body.data.media_id, 'string');
    assert.equal(uploaded.body.data.created_at, Math.floor(stack.clock.now() / 1000));

    const got = await download('/media/get_temp', uploaded.body.data.media_id);
    assert.equal(got.status, 200);
    assert.equal(got.type, 'image/png');
    assert.deepEqual(got.body, png);
  });

  it('uploads a file sent as base64 in JSON, with the content type its name says', async () => {
    const mp3 = bytes(3000);
    const uploaded = await stack.call('/media/upload_temp', { type: 'voice', filename: 'hello.mp3', content_base64: Buffer.from(mp3).toString('base64') }, ADMIN);
    assert.equal(uploaded.status, 200, uploaded.text);
    const got = await download('/media/get_temp', uploaded.body.data.media_id);
    assert.equal(got.type, 'audio/mpeg');
    assert.deepEqual(got.body, mp3);
  });

  it('answers a thumbnail with thumb_media_id, and a video download with WeChat’s JSON', async () => {
    const thumb = await upload(stack, '/media/upload_temp', { name: 'small.jpg', bytes: bytes(1000) }, { type: 'thumb' });
    assert.equal(thumb.status, 200, thumb.text);
    assert.equal(thumb.body.data.type, 'thumb');
    assert.equal(typeof thumb.body.data.thumb_media_id, 'string');

    const video = await upload(stack, '/media/upload_temp', { name: 'clip.mp4', bytes: bytes(4000), type: 'video/mp4' }, { type: 'video' });
    assert.equal(video.status, 200, video.text);
    const got = await download('/media/get_temp', video.body.data.media_id);
    assert.equal(got.status, 200);
    assert.match(got.type ?? '', /^application\/json/);
    assert.match(JSON.parse(Buffer.from(got.body).toString()).video_url, /^http/);
  });

  it('takes the largest file WeChat allows as base64 inside JSON', async () => {
    const largest = bytes(10 * MB);
    const uploaded = await stack.call('/media/upload_temp', { type: 'image', filename: 'big.jpg', content_base64: Buffer.from(largest).toString('base64') }, ADMIN);
    assert.equal(uploaded.status, 200, uploaded.text);
    const got = await download('/media/get_temp', uploaded.body.data.media_id);
    assert.equal(got.body.length, largest.length);
    assert.ok(Buffer.from(got.body).equals(Buffer.from(largest)));
  });

  it('refuses a file WeChat would refuse with a 400 naming the problem, before any call', async () => {
    const before = stack.emulator.counts()['/cgi-bin/media/upload'] ?? 0;
    assertFailure(await upload(stack, '/media/upload_temp', { name: 'a.png', bytes: bytes(10) }, { type: 'sticker' }), 400, /type must be one of "image", "voice", "video", "thumb"/);
    assertFailure(await upload(stack, '/media/upload_temp', undefined, { type: 'image' }), 400, /media is required/);
    assertFailure(await upload(stack, '/media/upload_temp', { name: 'a.png', bytes: new Uint8Array(0) }, { type: 'image' }), 400, /media is empty/);
    assertFailure(await upload(stack, '/media/upload_temp', { name: 'a.bmp', bytes: bytes(10) }, { type: 'image' }), 400, /\.png, \.jpeg, \.jpg, \.gif for an image/);
    assertFailure(await upload(stack, '/media/upload_temp', { name: 'a.wav', bytes: bytes(10) }, { type: 'voice' }), 400, /\.amr, \.mp3/);
    assertFailure(await upload(stack, '/media/upload_temp', { name: 'a.jpg', bytes: bytes(64 * 1024 + 1) }, { type: 'thumb' }), 400, /a thumbnail may be at most 64 KB/);
    assertFailure(await upload(stack, '/media/upload_temp', { name: 'a.mp3', bytes: bytes(2 * MB + 1) }, { type: 'voice' }), 400, /at most 2 MB/);
    assertFailure(await stack.call('/media/upload_temp', { type: 'image', filename: 'a.png', content_base64: 'not base64!' }, ADMIN), 400, /content_base64 must be base64/);
    assertFailure(await stack.call('/media/upload_temp', { type: 'image', content_base64: 'AAAA' }, ADMIN), 400, /filename is required/);
    // CloudBase's own body for this route asked for an upload URL: ours asks for the file instead.
    assertFailure(await stack.call('/media/upload_temp', { type: 'image' }, ADMIN), 400, /media is required: send the file as a multipart part named media, or as JSON/);
    assertFailure(await stack.raw('/media/upload_temp', { method: 'POST', headers: { ...ADMIN, 'content-type': 'text/plain' }, body: 'x' }), 415, /multipart\/form-data or application\/json/);
    const tooBig = await stack.raw('/media/upload_temp', { method: 'POST', headers: { ...ADMIN, 'content-type': 'application/json' }, body: 'x'.repeat(UPLOAD_BODY_LIMIT + 1) });
    assertFailure(tooBig, 413, /larger than/);
    assert.equal(stack.emulator.counts()['/cgi-bin/media/upload'] ?? 0, before);
  });

  it('needs the admin key', async () => {
    assertFailure(await stack.raw('/media/upload_temp', { method: 'POST', body: wechatForm({ name: 'a.png', bytes: bytes(10) }, { type: 'image' }) }), 403, /X-Api-Key/);
    assertFailure(await stack.call('/media/get_temp', { media_id: 'x' }), 403, /X-Api-Key/);
  });

  it('forgets temporary media after 3 days (40007), and answers an unknown id the same', async () => {
    const uploaded = await upload(stack, '/media/upload_temp', { name: 'old.gif', bytes: bytes(100) }, { type: 'image' });
    assert.equal((await download('/media/get_temp', uploaded.body.data.media_id)).status, 200);
    stack.clock.advance(3 * 86_400_000);
    const expired = await stack.call('/media/get_temp', { media_id: uploaded.body.data.media_id }, ADMIN);
    assertFailure(expired, 400, /\[40007\]/, 40007);
    assert.match(expired.body.hint, /3 days/);
    assertFailure(await stack.call('/media/get_temp', { media_id: 'never-issued' }, ADMIN), 400, /\[40007\]/, 40007);
    assertFailure(await stack.call('/media/get_temp', {}, ADMIN), 400, /media_id is required/);
  });

  it('passes WeChat’s daily-quota answer on as 503', async () => {
    stack.emulator.failNext('/cgi-bin/media/upload', 45009);
    assertFailure(await upload(stack, '/media/upload_temp', { name: 'a.png', bytes: bytes(10) }, { type: 'image' }), 503, /\[45009\]/, 45009);
    stack.emulator.failNext('/cgi-bin/media/get', 45009);
    assertFailure(await stack.call('/media/get_temp', { media_id: 'x' }, ADMIN), 503, /\[45009\]/, 45009);
  });
});

describe('/media/uploadimg', () => {
  it('answers the image URL for article content', async () => {
    const uploaded = await upload(stack, '/media/uploadimg', { name: 'inline.png', bytes: bytes(2000) });
    assert.equal(uploaded.status, 200, uploaded.text);
    assert.match(uploaded.body.data.url, /^http:\/\/mmbiz\.qpic\.cn\//);
    const base64 = await stack.call('/media/uploadimg', { filename: 'inline.jpg', content_base64: Buffer.from(bytes(100)).toString('base64') }, ADMIN);
    assert.equal(base64.status, 200, base64.text);
  });

  it('refuses what WeChat refuses (JPG/PNG up to 1 MB) before calling it', async () => {
    const before = stack.emulator.counts()['/cgi-bin/media/uploadimg'] ?? 0;
    assertFailure(await upload(stack, '/media/uploadimg', { name: 'a.gif', bytes: bytes(10) }), 400, /\.jpg, \.jpeg, \.png/);
    assertFailure(await upload(stack, '/media/uploadimg', { name: 'a.png', bytes: bytes(MB + 1) }), 400, /at most 1 MB/);
    assert.equal(stack.emulator.counts()['/cgi-bin/media/uploadimg'] ?? 0, before);
  });
});

describe('permanent material', () => {
  it('adds, reads (bytes or JSON), counts, lists and deletes material', async () => {
    const countBefore = (await stack.call('/media/count', {}, ADMIN)).body.data;
    const jpeg = bytes(3000);
    const image = await upload(stack, '/media/add_material', { name: 'keep.jpg', bytes: jpeg, type: 'image/jpeg' }, { type: 'image' });
    assert.equal(image.status, 200, image.text);
    assert.match(image.body.data.url, /^http/);
    const video = await upload(stack, '/media/add_material', { name: 'talk.mp4', bytes: bytes(5000), type: 'video/mp4' }, { type: 'video', description: JSON.stringify({ title: 'A talk', introduction: 'About it' }) });
    assert.equal(video.status, 200, video.text);
    const voice = await stack.call('/media/add_material', { type: 'voice', filename: 'x.amr', content_base64: Buffer.from(bytes(10)).toString('base64') }, ADMIN);
    assert.equal(voice.status, 200, voice.text);

    const gotImage = await download('/media/get_material', image.body.data.media_id);
    assert.equal(gotImage.type, 'image/jpeg');
    assert.deepEqual(gotImage.body, jpeg);
    const gotVideo = await download('/media/get_material', video.body.data.media_id);
    assert.match(gotVideo.type ?? '', /^application\/json/);
    const videoInfo = JSON.parse(Buffer.from(gotVideo.body).toString());
    assert.equal(videoInfo.title, 'A talk');
    assert.equal(videoInfo.description, 'About it');
    assert.match(videoInfo.down_url, /^http/);

    const count = (await stack.call('/media/count', {}, ADMIN)).body.data;
    assert.deepEqual(count, { ...countBefore, image_count: countBefore.image_count + 1, video_count: countBefore.video_count + 1, voice_count: countBefore.voice_count + 1 });

    const listed = await stack.call('/media/batchget_material', { type: 'image', offset: 0, count: 20 }, ADMIN);
    assert.equal(listed.status, 200, listed.text);
    assert.equal(listed.body.data.total_count, count.image_count);
    assert.equal(listed.body.data.item[0].media_id, image.body.data.media_id);
    assert.equal(listed.body.data.item[0].name, 'keep.jpg');

    const deleted = await stack.call('/media/del_material', { media_id: image.body.data.media_id }, ADMIN);
    assert.equal(deleted.status, 200, deleted.text);
    assert.equal(deleted.body.data.errcode, 0);
    assertFailure(await stack.call('/media/get_material', { media_id: image.body.data.media_id }, ADMIN), 400, /\[40007\]/, 40007);
    assertFailure(await stack.call('/media/del_material', { media_id: image.body.data.media_id }, ADMIN), 400, /\[40007\]/, 40007);
  });

  it('refuses a video without its description, a bad list page and a bad type before calling WeChat', async () => {
    const before = { ...stack.emulator.counts() };
    assertFailure(await upload(stack, '/media/add_material', { name: 'v.mp4', bytes: bytes(10) }, { type: 'video' }), 400, /description is required for a video/);
    assertFailure(await upload(stack, '/media/add_material', { name: 'v.mp4', bytes: bytes(10) }, { type: 'video', description: 'not json' }), 400, /description must be/);
    assertFailure(await upload(stack, '/media/add_material', { name: 'a.png', bytes: bytes(64 * 1024 + 1) }, { type: 'thumb' }), 400, /\.jpg, \.jpeg for a thumbnail/);
    assertFailure(await stack.call('/media/batchget_material', { type: 'image', count: 21 }, ADMIN), 400, /count must be at most 20/);
    assertFailure(await stack.call('/media/batchget_material', { type: 'thumb' }, ADMIN), 400, /type must be one of "image", "video", "voice", "news"/);
    assertFailure(await stack.call('/media/del_material', {}, ADMIN), 400, /media_id is required/);
    assert.deepEqual(stack.emulator.counts(), before);
  });
});

describe('CloudBase’s bodies for /media/*', () => {
  it('answers code 0 with WeChat’s fields for batchget_material (with and without paging) and for an upload with its file', async () => {
    for (const body of [{ type: 'image', offset: 0, count: 20 }, { type: 'news', offset: 0, count: 20 }, { type: 'voice' }]) {
      const result = await stack.call('/media/batchget_material', body, ADMIN);
      assert.equal(result.status, 200, result.text);
      assert.equal(result.body.code, 0);
      assert.deepEqual(Object.keys(result.body.data).sort(), ['item', 'item_count', 'total_count']);
    }
    const uploaded = await upload(stack, '/media/upload_temp', { name: 'a.jpg', bytes: bytes(10) }, { type: 'image' });
    assert.equal(uploaded.body.code, 0);
    assert.deepEqual(Object.keys(uploaded.body.data).sort(), ['created_at', 'media_id', 'type']);
  });

  it('forwards add_news to WeChat, which has retired it, with a hint naming /draft/add', async () => {
    const body = { articles: [{ title: 'Hello', thumb_media_id: 'THUMB', author: 'me', digest: 'short', show_cover_pic: 1, content: '<p>hi</p>', content_source_url: 'https://example.com' }] };
    const result = await stack.call('/media/add_news', body, ADMIN);
    assertFailure(result, 410, /\[45103\]/, 45103);
    assert.match(result.body.hint, /\/draft\/add/);
    assert.equal(stack.emulator.counts()['/cgi-bin/material/add_news'], 1);
    assertFailure(await stack.call('/media/add_news', { articles: [] }, ADMIN), 400, /articles must have at least 1 items/);
    assert.equal(stack.emulator.counts()['/cgi-bin/material/add_news'], 1);
  });
});

describe('the emulator answers bad uploads as WeChat does', () => {
  it('40004, 41005, 44001, 40005, 40009–40012, 40006, 40137, 45001', async () => {
    const file = (name: string, size: number) => ({ name, bytes: bytes(size) });
    const upload = (type: string, form: FormData) => wechat('/cgi-bin/media/upload', { type }, { body: form });
    assert.equal((await upload('sticker', wechatForm(file('a.png', 10)))).errcode, 40004);
    assert.equal((await upload('image', wechatForm())).errcode, 41005);
    assert.equal((await upload('image', wechatForm(file('a.png', 0)))).errcode, 44001);
    assert.equal((await upload('image', wechatForm(file('a.tiff', 10)))).errcode, 40005);
    assert.equal((await upload('image', wechatForm(file('a.png', 10 * MB + 1)))).errcode, 40009);
    assert.equal((await upload('voice', wechatForm(file('a.mp3', 2 * MB + 1)))).errcode, 40010);
    assert.equal((await upload('video', wechatForm(file('a.mp4', 10 * MB + 1)))).errcode, 40011);
    assert.equal((await upload('thumb', wechatForm(file('a.jpg', 64 * 1024 + 1)))).errcode, 40012);
    assert.equal((await wechat('/cgi-bin/material/add_material', { type: 'voice' }, { body: wechatForm(file('a.mp3', 2 * MB + 1)) })).errcode, 40006);
    assert.equal((await wechat('/cgi-bin/material/add_material', { type: 'video' }, { body: wechatForm(file('a.mp4', 10)) })).errcode, 40035);
    assert.equal((await wechat('/cgi-bin/media/uploadimg', {}, { body: wechatForm(file('a.gif', 10)) })).errcode, 40137);
    assert.equal((await wechat('/cgi-bin/media/uploadimg', {}, { body: wechatForm(file('a.png', MB + 1)) })).errcode, 45001);
    assert.equal((await wechat('/cgi-bin/material/batchget_material', {}, { body: JSON.stringify({ type: 'image', offset: 0, count: 21 }) })).errcode, 40035);
  });
});

describe('credentials', () => {
  it('no response or log line of these routes carries the global access_token or the AppSecret', async () => {
    assert.ok(stack.responses.length > 40);
    await assertNoCredentials(stack);
  });
});
