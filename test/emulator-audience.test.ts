/**
 * The emulated account's followers and outbox, which the API groups and the simulated phone
 * share: following and unfollowing, the customer-service windows WeChat opens for each kind of
 * interaction, accepted subscription notifications, and what a test reads back of what was sent.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../src/clock.js';
import { Audience } from '../src/emulator/audience.js';
import { startEmulator, type RunningEmulator } from '../src/emulator/index.js';
import { openidFor } from '../src/emulator/users.js';

const APP = 'wx00000000000000aa';

describe('the audience', () => {
  it('gives a follower the openid the OAuth pages give the same user', () => {
    const audience = new Audience(new ManualClock());
    const alice = audience.follow(APP, 'alice');
    assert.equal(alice.openid, openidFor(APP, { name: 'alice', profile: 'full', snapshot: false }));
    assert.equal(alice.subscribed, true);
    assert.equal(alice.scene, 'ADD_SCENE_SEARCH');
  });

  it('records the QR scene of a follow through a QR code', () => {
    const audience = new Audience(new ManualClock());
    const bob = audience.follow(APP, 'bob', { qrSceneStr: 'spring-sale' });
    assert.deepEqual([bob.scene, bob.qrSceneStr, bob.qrScene], ['ADD_SCENE_QR_CODE', 'spring-sale', 0]);
  });

  it('opens 3 sends for a minute on follow and 5 for 48 hours on a message; 45047 when spent, 45015 when closed', () => {
    const clock = new ManualClock();
    const audience = new Audience(clock);
    const { openid } = audience.follow(APP, 'carol');
    for (let i = 0; i < 3; i++) assert.deepEqual(audience.takeKefuSend(APP, openid), { ok: true });
    assert.deepEqual(audience.takeKefuSend(APP, openid), { ok: false, errcode: 45047 });
    clock.advance(60_001);
    assert.deepEqual(audience.takeKefuSend(APP, openid), { ok: false, errcode: 45015 });
    audience.interact(APP, openid, 'message');
    for (let i = 0; i < 5; i++) assert.deepEqual(audience.takeKefuSend(APP, openid), { ok: true });
    assert.deepEqual(audience.takeKefuSend(APP, openid), { ok: false, errcode: 45047 });
    clock.advance(48 * 3600_000);
    assert.deepEqual(audience.takeKefuSend(APP, openid), { ok: false, errcode: 45015 });
  });

  it('closes every window and withdraws acceptances on unfollow; an unfollowed user opens none', () => {
    const audience = new Audience(new ManualClock());
    const { openid } = audience.follow(APP, 'dan');
    audience.accept(APP, openid, 'tpl-1');
    audience.unfollow(APP, openid);
    assert.deepEqual(audience.takeKefuSend(APP, openid), { ok: false, errcode: 45015 });
    assert.equal(audience.takeAcceptance(APP, openid, 'tpl-1'), false);
    audience.interact(APP, openid, 'message');
    assert.deepEqual(audience.takeKefuSend(APP, openid), { ok: false, errcode: 45015 });
  });

  it('spends one accepted notification per send', () => {
    const audience = new Audience(new ManualClock());
    const { openid } = audience.follow(APP, 'erin');
    audience.accept(APP, openid, 'tpl-1');
    assert.equal(audience.takeAcceptance(APP, openid, 'tpl-2'), false);
    assert.equal(audience.takeAcceptance(APP, openid, 'tpl-1'), true);
    assert.equal(audience.takeAcceptance(APP, openid, 'tpl-1'), false);
  });
});

describe('the audience controls over HTTP', () => {
  let running: RunningEmulator;
  before(async () => {
    running = await startEmulator({ port: 0, clock: new ManualClock(), apps: [{ appId: APP, appSecret: 'emulator-secret-for-audience' }] });
  });
  after(() => running.close());

  it('adds a follower, lists it, and reads back what was sent to it', async () => {
    const followed = await (await fetch(`${running.url}/__emulator/follow`, { method: 'POST', body: JSON.stringify({ appid: APP, user: 'frank', qr_scene: 42 }) })).json();
    assert.equal(followed.qrScene, 42);
    const listed = await (await fetch(`${running.url}/__emulator/followers?appid=${APP}`)).json();
    assert.deepEqual(listed.followers.map((f: { openid: string }) => f.openid), [followed.openid]);
    running.emulator.audience.deliver(APP, followed.openid, 'kefu', { msgtype: 'text', text: { content: 'hi' } });
    const sent = await (await fetch(`${running.url}/__emulator/sent?appid=${APP}&openid=${followed.openid}`)).json();
    assert.deepEqual(sent.sent.map((m: { via: string; message: unknown }) => [m.via, m.message]), [['kefu', { msgtype: 'text', text: { content: 'hi' } }]]);
    assert.equal((await fetch(`${running.url}/__emulator/follow`, { method: 'POST', body: JSON.stringify({ appid: 'wx-unknown', user: 'x' }) })).status, 400);
  });
});

describe('daily quotas and rids in the emulator core', () => {
  let running: RunningEmulator;
  const SECRET = 'emulator-secret-for-quotas';
  before(async () => {
    const { groups } = await import('../src/apis/index.js');
    const probe = { name: 'probe', description: 'a group for this test', routes: [] };
    running = await startEmulator({
      port: 0,
      clock: new ManualClock(),
      apps: [{ appId: APP, appSecret: SECRET }],
      groups: [...groups, probe],
      parts: { probe: () => ({ endpoints: [{ method: 'POST', path: '/cgi-bin/probe', token: 'global', dailyQuota: 2, answer: () => ({ errcode: 0, errmsg: 'ok' }) }] }) },
    });
  });
  after(() => running.close());

  it('answers 45009 past an endpoint’s daily quota, and remembers the failure under its rid', async () => {
    const token = await (
      await fetch(`${running.url}/cgi-bin/stable_token`, { method: 'POST', body: JSON.stringify({ grant_type: 'client_credential', appid: APP, secret: SECRET }) })
    ).json();
    const call = async () => (await fetch(`${running.url}/cgi-bin/probe?access_token=${token.access_token}`, { method: 'POST', body: '{"x":1}' })).json();
    assert.equal((await call()).errcode, 0);
    assert.equal((await call()).errcode, 0);
    const refused = await call();
    assert.equal(refused.errcode, 45009);
    const rid = /rid: ([\w-]+)/.exec(refused.errmsg)![1];
    const record = running.emulator.failure(rid)!;
    assert.equal(record.request_url, '/cgi-bin/probe?');
    assert.equal(record.request_body, '{"x":1}');
    assert.equal(JSON.parse(record.response_body).errcode, 45009);
    assert.ok(!JSON.stringify(record).includes(token.access_token), 'the token is not kept');
  });
});
