/**
 * Reading WeChat's XML into typed messages, hostile XML refused, and passive replies written.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dedupeKey, MessageError, toMessage } from '../src/apis/callback/messages.js';
import { replyXml, type Reply } from '../src/apis/callback/replies.js';
import { cdata, parseXml, XmlError } from '../src/apis/callback/xml.js';
import { ACCOUNT, EVENTS, MESSAGES, USER } from './support/callback-messages.js';

const T = 1_767_225_600;

function xmlFailure(text: string, maxBytes?: number): string {
  try {
    parseXml(text, maxBytes);
  } catch (error) {
    assert.ok(error instanceof XmlError, String(error));
    assert.doesNotMatch(error.message, /line|col|char '/, 'the parser\'s own words do not leak');
    return error.reason;
  }
  return 'accepted';
}

describe('typed messages', () => {
  for (const fixture of [...MESSAGES, ...EVENTS]) {
    it(`reads ${fixture.name}`, () => {
      const message = toMessage(parseXml(fixture.xml(T))) as unknown as Record<string, unknown>;
      assert.equal(message.ToUserName, ACCOUNT);
      assert.equal(message.FromUserName, USER);
      assert.equal(message.CreateTime, T);
      for (const [field, value] of Object.entries(fixture.expect)) assert.deepEqual(message[field], value, field);
    });
  }

  it('keeps a 64-bit MsgId exactly, as a string', () => {
    const message = toMessage(parseXml(MESSAGES[0].xml(T, '9223372036854775807')));
    assert.equal((message as { MsgId: string }).MsgId, '9223372036854775807');
    assert.equal(dedupeKey(message), 'msg:9223372036854775807');
  });

  it('keys events by sender, time and event', () => {
    const message = toMessage(parseXml(EVENTS[0].xml(T)));
    assert.equal(dedupeKey(message), `event:${USER}:${T}:subscribe`);
  });

  it('decodes entities outside CDATA and leaves CDATA as written', () => {
    const root = parseXml('<xml><A>a &amp; b &#20013;&#x6587;</A><B><![CDATA[x &amp; <y>]]></B><C><![CDATA[1]]><![CDATA[2]]></C></xml>');
    assert.deepEqual(root, { A: 'a & b 中文', B: 'x &amp; <y>', C: '12' });
  });

  it('names what a message lacks', () => {
    assert.throws(() => toMessage(parseXml('<xml><ToUserName>a</ToUserName><FromUserName>b</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType><MsgId>1</MsgId></xml>')), (e: unknown) => e instanceof MessageError && /Content/.test(e.message));
    assert.throws(() => toMessage(parseXml('<xml><ToUserName>a</ToUserName><FromUserName>b</FromUserName><MsgType>text</MsgType></xml>')), /CreateTime/);
  });
});

describe('hostile and malformed XML', () => {
  it('refuses a billion-laughs body without expanding it', () => {
    const lol = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">${Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i || ''};`.repeat(10)}">`).join('')}]><xml><Content>&lol9;</Content></xml>`;
    assert.equal(xmlFailure(lol), 'doctype');
  });

  it('refuses an external entity (XXE)', () => {
    assert.equal(xmlFailure('<!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><xml><Content>&xxe;</Content></xml>'), 'doctype');
  });

  it('leaves an undeclared entity as text', () => {
    assert.deepEqual(parseXml('<xml><Content>&xxe;</Content></xml>'), { Content: '&xxe;' });
  });

  it('refuses a body over the limit before parsing it', () => {
    assert.equal(xmlFailure(`<xml><Content>${'a'.repeat(2000)}</Content></xml>`, 1024), 'too_large');
  });

  it('refuses malformed XML, JSON, deep nesting and reserved element names with a clear reason', () => {
    for (const text of ['<xml><a></xml>', '{"MsgType":"text"}', '', 'hello', '<xml>text only</xml>', `${'<a>'.repeat(1000)}${'</a>'.repeat(1000)}`, '<xml><__proto__>x</__proto__></xml>']) {
      assert.equal(xmlFailure(text), 'malformed', text.slice(0, 40));
    }
  });
});

describe('passive replies', () => {
  const text = toMessage(parseXml(MESSAGES[0].xml(T)));
  const click = toMessage(parseXml(EVENTS.find((f) => f.name === 'CLICK')!.xml(T)));
  const reply = (r: Reply, to = text) => parseXml(replyXml(r, to, T + 1));

  it('addresses the reply back to the sender', () => {
    assert.deepEqual(reply({ type: 'text', content: 'hi' }), { ToUserName: USER, FromUserName: ACCOUNT, CreateTime: String(T + 1), MsgType: 'text', Content: 'hi' });
  });

  it('writes every reply type in WeChat\'s layout', () => {
    assert.deepEqual(reply({ type: 'image', mediaId: 'm1' }).Image, { MediaId: 'm1' });
    assert.deepEqual(reply({ type: 'voice', mediaId: 'm2' }).Voice, { MediaId: 'm2' });
    assert.deepEqual(reply({ type: 'video', mediaId: 'm3', title: 't', description: 'd' }).Video, { MediaId: 'm3', Title: 't', Description: 'd' });
    assert.deepEqual(reply({ type: 'music', mediaId: 'thumb', title: 't', musicUrl: 'http://m/1.mp3', hqMusicUrl: 'http://m/1hq.mp3' }).Music, {
      Title: 't',
      MusicUrl: 'http://m/1.mp3',
      HQMusicUrl: 'http://m/1hq.mp3',
      ThumbMediaId: 'thumb',
    });
    const news = reply({ type: 'news', articles: [{ title: 'A', description: 'a', picUrl: 'http://p/a.jpg', url: 'http://u/a' }] });
    assert.equal(news.ArticleCount, '1');
    assert.deepEqual(news.Articles, { item: { Title: 'A', Description: 'a', PicUrl: 'http://p/a.jpg', Url: 'http://u/a' } });
    assert.equal(reply({ type: 'transfer_customer_service' }).MsgType, 'transfer_customer_service');
    assert.deepEqual(reply({ type: 'transfer_customer_service', kfAccount: 'test1@test' }).TransInfo, { KfAccount: 'test1@test' });
  });

  it('sends one article in answer to a message and up to eight in answer to an event', () => {
    const articles = [{ title: 'A' }, { title: 'B' }, { title: 'C' }];
    assert.equal(reply({ type: 'news', articles }).ArticleCount, '1');
    assert.equal(reply({ type: 'news', articles }, click).ArticleCount, '3');
  });

  it('keeps text with ]]> and markup intact inside CDATA', () => {
    const content = 'a ]]> b <xml> & ]]]]> c';
    assert.equal(reply({ type: 'text', content }).Content, content);
    assert.equal(cdata('x]]>y'), '<![CDATA[x]]]]><![CDATA[>y]]>');
  });
});
