/** /publish/*: a draft published as a job that finishes on the emulator's clock, its articles read and deleted. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Stack } from './support/stack.js';
import { ADMIN, assertFailure, assertNoCredentials, mediaStack, thumbMaterial } from './support/media.js';
import { PUBLISH_DURATION_MS } from '../src/apis/media/library.js';
import type { PublishEmulatorPart } from '../src/apis/publish/emulator.js';

let stack: Stack & { appId: string };
let thumb: string;
before(async () => {
  stack = await mediaStack();
  thumb = await thumbMaterial(stack);
});
after(() => stack.close());

async function draft(...titles: string[]): Promise<string> {
  const added = await stack.call('/draft/add', { articles: titles.map((title) => ({ title, thumb_media_id: thumb, content: `<p>${title}</p>` })) }, ADMIN);
  assert.equal(added.status, 200, added.text);
  return added.body.data.media_id;
}

describe('/publish/*', () => {
  it('publishes a draft: publishing, then published with its article, listed as a finished job', async () => {
    const mediaId = await draft('News', 'More');
    const submitted = await stack.call('/publish/submit', { media_id: mediaId }, ADMIN);
    assert.equal(submitted.status, 200, submitted.text);
    const publishId = submitted.body.data.publish_id;
    assert.equal(typeof publishId, 'string');
    assert.equal(typeof submitted.body.data.msg_data_id, 'string');
    assert.deepEqual((await stack.call('/draft/count', {}, ADMIN)).body.data, { total_count: 0 }, 'the draft left the draft box');

    const library = stack.emulator.part<PublishEmulatorPart>('publish')!.library;
    const publishing = await stack.call('/publish/get', { publish_id: publishId }, ADMIN);
    assert.equal(publishing.body.data.publish_status, 1);
    assert.deepEqual(library.finishedJobs(stack.appId), []);

    stack.clock.advance(PUBLISH_DURATION_MS);
    const done = (await stack.call('/publish/get', { publish_id: publishId }, ADMIN)).body.data;
    assert.equal(done.publish_status, 0);
    assert.equal(typeof done.article_id, 'string');
    assert.equal(done.article_detail.count, 2);
    assert.deepEqual(done.fail_idx, []);
    assert.deepEqual(
      library.finishedJobs(stack.appId).map((job) => [job.publish_id, job.publish_status, job.article_id]),
      [[publishId, 0, done.article_id]],
    );

    const article = (await stack.call('/publish/getarticle', { article_id: done.article_id }, ADMIN)).body.data;
    assert.deepEqual(article.news_item.map((item: any) => [item.title, item.is_deleted]), [['News', false], ['More', false]]);
    assert.equal(article.news_item[0].url, done.article_detail.item[0].article_url);

    const listed = await stack.call('/publish/batchget', { offset: 0, count: 10, no_content: 1 }, ADMIN);
    assert.equal(listed.status, 200, listed.text);
    assert.equal(listed.body.data.total_count, 1);
    assert.equal(listed.body.data.item[0].article_id, done.article_id);
    assert.equal(listed.body.data.item[0].content.news_item[0].content, '');

    assert.equal((await stack.call('/publish/delete', { article_id: done.article_id, index: 2 }, ADMIN)).status, 200);
    const after = (await stack.call('/publish/getarticle', { article_id: done.article_id }, ADMIN)).body.data;
    assert.deepEqual(after.news_item.map((item: any) => item.is_deleted), [false, true]);
    assert.equal((await stack.call('/publish/delete', { article_id: done.article_id }, ADMIN)).status, 200);
    assert.equal((await stack.call('/publish/get', { publish_id: publishId }, ADMIN)).body.data.publish_status, 5);
    assert.equal((await stack.call('/publish/batchget', {}, ADMIN)).body.data.total_count, 0);
  });

  it('answers WeChat’s refusals: an unknown draft, job or article', async () => {
    assertFailure(await stack.call('/publish/submit', { media_id: 'nope' }, ADMIN), 400, /\[40007\]/, 40007);
    assertFailure(await stack.call('/publish/get', { publish_id: '123' }, ADMIN), 400, /\[40035\]/, 40035);
    assertFailure(await stack.call('/publish/getarticle', { article_id: 'nope' }, ADMIN), 400, /\[40035\]/, 40035);
    assertFailure(await stack.call('/publish/delete', { article_id: 'nope' }, ADMIN), 400, /\[40035\]/, 40035);
    // An article is not readable while its job is still publishing.
    const submitted = await stack.call('/publish/submit', { media_id: await draft('Soon') }, ADMIN);
    const job = stack.emulator.part<PublishEmulatorPart>('publish')!.library.of(stack.appId).jobs.get(submitted.body.data.publish_id)!;
    assertFailure(await stack.call('/publish/getarticle', { article_id: job.article_id }, ADMIN), 400, /\[40035\]/, 40035);
  });

  it('refuses bodies WeChat would refuse with a 400 naming the field, before any call', async () => {
    const before = { ...stack.emulator.counts() };
    assertFailure(await stack.call('/publish/submit', {}, ADMIN), 400, /media_id is required/);
    assertFailure(await stack.call('/publish/get', { publish_id: 5 }, ADMIN), 400, /publish_id must be a string/);
    assertFailure(await stack.call('/publish/delete', { article_id: 'a', index: -1 }, ADMIN), 400, /index must be at least 0/);
    assertFailure(await stack.call('/publish/batchget', { count: 21 }, ADMIN), 400, /count must be at most 20/);
    assertFailure(await stack.call('/publish/submit', { media_id: 'x' }), 403, /X-Api-Key/);
    assert.deepEqual(stack.emulator.counts(), before);
  });

  it('no response or log line carries the global access_token or the AppSecret', async () => {
    await assertNoCredentials(stack);
  });
});
