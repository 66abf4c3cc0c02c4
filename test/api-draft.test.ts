/** /draft/*: the draft box against the emulator, WeChat's limits checked before the call. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Stack } from './support/stack.js';
import { ADMIN, assertFailure, assertNoCredentials, mediaStack, thumbMaterial, upload, bytes } from './support/media.js';

let stack: Stack & { appId: string };
let thumb: string;
before(async () => {
  stack = await mediaStack();
  thumb = await thumbMaterial(stack);
});
after(() => stack.close());

const article = (title: string, extra: Record<string, unknown> = {}) => ({ title, thumb_media_id: thumb, content: `<p>${title}</p>`, ...extra });

describe('/draft/*', () => {
  it('adds, reads, updates, counts, lists and deletes a draft', async () => {
    const added = await stack.call('/draft/add', { articles: [article('One', { author: 'Ann', pic_crop_235_1: '0_0_1_0.5' }), article('Two')] }, ADMIN);
    assert.equal(added.status, 200, added.text);
    const mediaId = added.body.data.media_id;
    assert.equal(typeof mediaId, 'string');

    const got = await stack.call('/draft/get', { media_id: mediaId }, ADMIN);
    assert.equal(got.status, 200, got.text);
    assert.deepEqual(got.body.data.news_item.map((item: any) => item.title), ['One', 'Two']);
    assert.equal(got.body.data.news_item[0].author, 'Ann');
    // Fields the schema does not name reach WeChat as sent.
    assert.equal(got.body.data.news_item[0].pic_crop_235_1, '0_0_1_0.5');

    const updated = await stack.call('/draft/update', { media_id: mediaId, index: 1, articles: article('Two, again') }, ADMIN);
    assert.equal(updated.status, 200, updated.text);
    assert.equal((await stack.call('/draft/get', { media_id: mediaId }, ADMIN)).body.data.news_item[1].title, 'Two, again');

    const second = await stack.call('/draft/add', { articles: [article('Later')] }, ADMIN);
    stack.clock.advance(1000);
    await stack.call('/draft/update', { media_id: second.body.data.media_id, index: 0, articles: article('Later, edited') }, ADMIN);
    assert.deepEqual((await stack.call('/draft/count', {}, ADMIN)).body.data, { total_count: 2 });
    const listed = await stack.call('/draft/batchget', { offset: 0, count: 20, no_content: 1 }, ADMIN);
    assert.equal(listed.status, 200, listed.text);
    assert.equal(listed.body.data.total_count, 2);
    assert.equal(listed.body.data.item[0].media_id, second.body.data.media_id, 'the latest edited first');
    assert.equal(listed.body.data.item[0].content.news_item[0].content, '');
    const page = await stack.call('/draft/batchget', { offset: 1, count: 1 }, ADMIN);
    assert.equal(page.body.data.item_count, 1);
    assert.equal(page.body.data.item[0].content.news_item[0].content, '<p>One</p>');

    assert.equal((await stack.call('/draft/delete', { media_id: second.body.data.media_id }, ADMIN)).status, 200);
    assert.deepEqual((await stack.call('/draft/count', {}, ADMIN)).body.data, { total_count: 1 });
  });

  it('answers WeChat’s refusals: a cover that is not permanent material, an unknown draft, an index past its articles', async () => {
    const temp = await upload(stack, '/media/upload_temp', { name: 'c.jpg', bytes: bytes(100) }, { type: 'thumb' });
    const notPermanent = await stack.call('/draft/add', { articles: [article('X', { thumb_media_id: temp.body.data.thumb_media_id })] }, ADMIN);
    assertFailure(notPermanent, 400, /\[40007\]/, 40007);
    assert.ok(notPermanent.body.rid);
    for (const path of ['/draft/get', '/draft/delete']) assertFailure(await stack.call(path, { media_id: 'nope' }, ADMIN), 400, /\[40007\]/, 40007);
    assertFailure(await stack.call('/draft/update', { media_id: 'nope', index: 0, articles: article('X') }, ADMIN), 400, /\[40007\]/, 40007);
    const one = await stack.call('/draft/add', { articles: [article('Only')] }, ADMIN);
    assertFailure(await stack.call('/draft/update', { media_id: one.body.data.media_id, index: 3, articles: article('X') }, ADMIN), 400, /\[40035\]/, 40035);
  });

  it('refuses bodies WeChat would refuse with a 400 naming the field, before any call', async () => {
    const before = { ...stack.emulator.counts() };
    const nine = Array.from({ length: 9 }, (_, index) => article(`A${index}`));
    assertFailure(await stack.call('/draft/add', { articles: nine }, ADMIN), 400, /articles must have at most 8 items/);
    assertFailure(await stack.call('/draft/add', { articles: [] }, ADMIN), 400, /articles must have at least 1 items/);
    assertFailure(await stack.call('/draft/add', { articles: [article('X', { content: 'x'.repeat(20_001) })] }, ADMIN), 400, /articles\[0\]\.content must be at most 20000 characters/);
    assertFailure(await stack.call('/draft/add', { articles: [{ content: 'x', thumb_media_id: thumb }] }, ADMIN), 400, /articles\[0\]\.title is required/);
    assertFailure(await stack.call('/draft/add', { articles: [article('X', { need_open_comment: 2 })] }, ADMIN), 400, /need_open_comment must be one of/);
    assertFailure(await stack.call('/draft/update', { media_id: 'm', index: 8, articles: article('X') }, ADMIN), 400, /index must be at most 7/);
    assertFailure(await stack.call('/draft/batchget', { count: 0 }, ADMIN), 400, /count must be at least 1/);
    assertFailure(await stack.call('/draft/get', {}, ADMIN), 400, /media_id is required/);
    assertFailure(await stack.call('/draft/count', {}), 403, /X-Api-Key/);
    assert.deepEqual(stack.emulator.counts(), before);
  });

  it('the emulator answers 44003, 45008 and 45002 as WeChat does', async () => {
    const { access_token } = await stack.fn.composed.services.credentials.accessToken();
    const add = async (articles: unknown) =>
      (await fetch(`${stack.emulatorUrl}/cgi-bin/draft/add?access_token=${access_token}`, { method: 'POST', body: JSON.stringify({ articles }) })).json();
    assert.equal((await add([])).errcode, 44003);
    assert.equal((await add(Array.from({ length: 9 }, () => article('A')))).errcode, 45008);
    assert.equal((await add([article('A', { content: 'x'.repeat(20_001) })])).errcode, 45002);
  });

  it('no response or log line carries the global access_token or the AppSecret', async () => {
    await assertNoCredentials(stack);
  });
});
