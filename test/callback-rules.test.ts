/**
 * Reply rules: what answers which message, and rules refused at start with the rule named.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toMessage } from '../src/apis/callback/messages.js';
import { MAX_REGEX_INPUT, parseRules, RulesError } from '../src/apis/callback/rules.js';
import { parseXml } from '../src/apis/callback/xml.js';
import { EVENTS, MESSAGES } from './support/callback-messages.js';

const T = 1_767_225_600;
const say = (content: string) => ({ type: 'text', content });
const RULES = {
  subscribe: say('welcome'),
  keywords: [{ match: 'hello', reply: say('hi there') }, { regex: '^order \\d+$', reply: say('order received') }, { match: 'HELP', ignoreCase: true, reply: say('help') }],
  click: { V1001_TODAY_MUSIC: { type: 'music', mediaId: 'thumb', musicUrl: 'http://m/1.mp3' } },
  scan: { '123123': say('scene 123123'), '42': say('scene 42') },
  default: say('default'),
};

const textMessage = (content: string) => toMessage(parseXml(MESSAGES[0].xml(T).replace('hello', content)));
const eventNamed = (name: string) => toMessage(parseXml(EVENTS.find((f) => f.name === name)!.xml(T)));

function refusal(rules: unknown): RulesError {
  try {
    parseRules(JSON.stringify(rules));
  } catch (error) {
    assert.ok(error instanceof RulesError, String(error));
    return error;
  }
  assert.fail('rules were accepted');
}

describe('rules', () => {
  const rules = parseRules(JSON.stringify(RULES));

  it('answers keywords exactly, by regular expression, and ignoring case when asked', () => {
    assert.deepEqual(rules.match(textMessage('hello')), { rule: 'keywords[0]', reply: say('hi there') });
    assert.deepEqual(rules.match(textMessage(' hello ')), { rule: 'keywords[0]', reply: say('hi there') });
    assert.equal(rules.match(textMessage('order 66'))?.rule, 'keywords[1]');
    assert.equal(rules.match(textMessage('help'))?.rule, 'keywords[2]');
    assert.equal(rules.match(textMessage('hello world'))?.rule, 'default');
    assert.equal(rules.match(textMessage('Hello'))?.rule, 'default');
  });

  it('welcomes a follow, with the scene\'s rule on a qrscene_ follow', () => {
    assert.equal(rules.match(eventNamed('subscribe'))?.rule, 'subscribe');
    assert.deepEqual(rules.match(eventNamed('subscribe through a QR code')), { rule: 'scan.123123', reply: say('scene 123123') });
  });

  it('answers menu clicks by key and scans by scene', () => {
    assert.equal(rules.match(eventNamed('CLICK'))?.rule, 'click.V1001_TODAY_MUSIC');
    assert.equal(rules.match(eventNamed('SCAN'))?.rule, 'scan.123123');
  });

  it('gives the default to user messages and clicks with no rule, never to other events', () => {
    assert.equal(rules.match(toMessage(parseXml(MESSAGES[2].xml(T))))?.rule, 'default');
    for (const name of ['unsubscribe', 'VIEW', 'LOCATION', 'TEMPLATESENDJOBFINISH']) assert.equal(rules.match(eventNamed(name)), undefined, name);
    const noDefault = parseRules('{"click": {}}');
    assert.equal(noDefault.match(eventNamed('CLICK')), undefined);
    assert.equal(noDefault.match(textMessage('hello')), undefined);
  });

  it('does not run regular expressions on very long texts', () => {
    const long = parseRules(JSON.stringify({ keywords: [{ regex: 'a', reply: say('x') }] }));
    assert.equal(long.match(textMessage('a'.repeat(MAX_REGEX_INPUT)))?.rule, 'keywords[0]');
    assert.equal(long.match(textMessage('a'.repeat(MAX_REGEX_INPUT + 1))), undefined);
  });
});

describe('rules refused at start', () => {
  it('names the rule and the field at fault', () => {
    assert.equal(refusal({ keywords: [{ match: 'a', reply: say('x') }, { match: 'b', reply: { type: 'image' } }] }).message, 'keywords[1].reply.mediaId is required');
    assert.equal(refusal({ click: { MENU: { type: 'gif', mediaId: 'x' } } }).rule, 'click.MENU.type');
    assert.equal(refusal({ welcome: say('x') }).rule, 'welcome');
    assert.match(refusal({ default: say('') }).message, /^default\.content must not be empty/);
    assert.match(refusal({ keywords: [{ reply: say("x") }] }).message, /^keywords\[0\] must have either "match" or "regex"/);
    assert.match(refusal({ subscribe: { type: 'news', articles: [] } }).message, /^subscribe\.articles must have at least 1/);
    assert.equal(refusal([]).rule, 'rules');
    assert.match(new RulesError('rules', 'are not valid JSON').message, /JSON/);
    assert.throws(() => parseRules('{'), /rules are not valid JSON/);
  });

  it('refuses regular expressions that could backtrack without bound, or do not compile', () => {
    const regex = (pattern: string) => refusal({ keywords: [{ match: 'ok', reply: say('x') }, { regex: pattern, reply: say('x') }] });
    for (const pattern of ['(a+)+$', '(x|x)*y', '(.*a){20}', '(a)\\1', '(?<n>a)\\k<n>']) {
      assert.equal(regex(pattern).rule, 'keywords[1].regex', pattern);
    }
    assert.match(regex('([a-z]').message, /not a valid regular expression/);
    for (const pattern of ['^order \\d+$', '[a-z]+\\s*\\d+', '(ab)+', '^(?:yes|no)$', '\\p{Script=Han}+']) {
      assert.doesNotThrow(() => parseRules(JSON.stringify({ keywords: [{ regex: pattern, reply: say('x') }] })), pattern);
    }
  });
});
