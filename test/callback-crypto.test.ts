/**
 * Signatures and safe-mode crypto against the published vectors (wechat-oa-api.md §15).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DecryptError, encryptedEnvelope, MessageCipher, signature, signatureMatches } from '../src/apis/callback/crypto.js';

const SAMPLE = { key: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG', token: 'pamtest', appId: 'wxb11529c136998cb6' };
const V1_CIPHERTEXT = 'jn1L23DB+6ELqJ+6bruv21Y6MD7KeIfP82D6gU39rmkgczbWwt5+3bnyg5K55bgVtVzd832WzZGMhkP72vVOfg==';
const V2_MESSAGE =
  '<xml><ToUserName><![CDATA[oia2Tj我是中文jewbmiOUlr6X-1crbLOvLw]]></ToUserName><FromUserName><![CDATA[gh_7f083739789a]]></FromUserName><CreateTime>1407743423</CreateTime><MsgType><![CDATA[video]]></MsgType><Video><MediaId><![CDATA[eYJ1MbwPRJtOvIEabaxHs7TX2D-HV71s79GUxqdUkjm6Gs2Ed1KF3ulAOA9H1xG0]]></MediaId><Title><![CDATA[testCallBackReplyVideo]]></Title><Description><![CDATA[testCallBackReplyVideo]]></Description></Video></xml>';
const V2_CIPHERTEXT =
  'jn1L23DB+6ELqJ+6bruv23M2GmYfkv0xBh2h+XTBOKVKcgDFHle6gqcZ1cZrk3e1qjPQ1F4RsLWzQRG9udbKWesxlkupqcEcW7ZQweImX9+wLMa0GaUzpkycA8+IamDBxn5loLgZpnS7fVAbExOkK5DYHBmv5tptA9tklE/fTIILHR8HLXa5nQvFb3tYPKAlHF3rtTeayNf0QuM+UW/wM9enGIDIJHF7CLHiDNAYxr+r+OrJCmPQyTy8cVWlu9iSvOHPT/77bZqJucQHQ04sq7KZI27OcqpQNSto2OdHCoTccjggX5Z9Mma0nMJBU+jLKJ38YB1fBIz+vBzsYjrTmFQ44YfeEuZ+xRTQwr92vhA9OxchWVINGC50qE/6lmkwWTwGX9wtQpsJKhP+oS7rvTY8+VdzETdfakjkwQ5/Xka042OlUb1/slTwo4RscuQ+RdxSGvDahxAJ6+EAjLt9d8igHngxIbf6YyqqROxuxqIeIch3CssH/LqRs+iAcILvApYZckqmA7FNERspKA5f8GoJ9sv8xmGvZ9Yrf57cExWtnX8aCMMaBropU/1k+hKP5LVdzbWCG0hGwx/dQudYR/eXp3P0XxjlFiy+9DMlaFExWUZQDajPkdPrEeOwofJb';
const EASYWECHAT_ENCRYPT =
  'rTNFcsut4LfGuAFKEUVVpwcaCOTJzOd9twZdIW910jb3k+iicx2uvhttIZ3Qg9Qgty3BEF2xbOrz6boTfb30dMomcgrkTqdFPwnhqbk+kIQ7rZiwny9D7NUrTgA5kpX3KsZvrXzUZyP2x9YOlxbgm572lmxKvM7HAQQhIQ/p6HBmoY30bGXFK0BtIu1pW9TjhOYrLQoU18nWYjWqDA1ynkmOytpv7QRI1P1+0NoxL0q2zO1DgeSvnE8CZGo/o5Ap/WHK5W2RAsinpzN4/LjPnmB6U01I5XCoJoC0GK/yMZycd2Oh8Nq6+wBkC1U85oy0ktOY4nLvsQMLrourmMGdZHuTbqpeJ8Ao/5PRYJ+WBvRUwPfGKBL2+2IKZF49vAJqkcGWSHGE76ZN2erXeuNazf/o9o3lIE3q739o4c8t9QGPe31GT2Go/rOz1BsrASwvauNulCh+++yz+CQzBIuikA==';
const WECOM = { key: 'kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR', token: '123456', id: 'wx49f0ab532d5d035a' };
const WECOM_ENCRYPT =
  'RgqEoJj5A4EMYlLvWO1F86ioRjZfaex/gePD0gOXTxpsq5Yj4GNglrBb8I2BAJVODGajiFnXBu7mCPatfjsu6IHCrsTyeDXzF6Bv283dGymzxh6ydJRvZsryDyZbLTE7rhnus50qGPMfp2wASFlzEgMW9z1ef/RD8XzaFYgm7iTdaXpXaG4+BiYyolBug/gYNx410cvkKR2/nPwBiT+P4hIiOAQqGp/TywZBtDh1yCF2KOd0gpiMZ5jSw3e29mTvmUHzkVQiMS6td7vXUaWOMZnYZlF3So2SjHnwh4jYFxdgpkHHqIrH/54SNdshoQgWYEvccTKe7FS709/5t6NMxuGhcUGAPOQipvWTT4dShyqio7mlsl5noTrb++x6En749zCpQVhDpbV6GDnTbcX2e8K9QaNWHp91eBdCRxthuL0=';
const WECOM_REPLY =
  '<xml>\n<MsgType><![CDATA[text]]></MsgType>\n<Content><![CDATA[test]]></Content>\n<FromUserName><![CDATA[wx49f0ab532d5d035a]]></FromUserName>\n<ToUserName><![CDATA[messense]]></ToUserName>\n<AgentID>1</AgentID>\n<CreateTime>1411525903</CreateTime>\n</xml>';
const WECOM_REPLY_ENCRYPT =
  '9s4gMv99m88kKTh/H8IdkOiMg6bisoy3ypwy9H4hvSPe9nsGaqyw5hhSjdYbcrKk+j3nba4HMOTzHrluLBYqxgNcBqGsL8GqxlhZgURnAtObvesEl5nZ+uBE8bviY0LWke8Zy9V/QYKxNV2FqllNXcfmstttyIkMKCCmVbCFM2JTF5wY0nFhHZSjPUL2Q1qvSUCUld+/WIXrx0oyKQmpB6o8NRrrNrsDf03oxI1p9FxUgMnwKKZeOA/uu+2IEvEBtb7muXsVbwbgX05UPPJvFurDXafG0RQyPR+mf1nDnAtQmmNOuiR5MIkdQ39xn1vWwi1O5oazPoQJz0nTYjxxEE8kv3kFxtAGVRe3ypD3WeK2XeFYFMNMpatF9XiKzHo3';

describe('plain signature (§15.1)', () => {
  it('matches the published signatures and refuses an altered one', () => {
    assert.equal(signature('test', '1410685589', 'test'), 'f21891de399b4e33a1a93c9a7b8a8fffb5a443ff');
    assert.equal(signatureMatches('f21891de399b4e33a1a93c9a7b8a8fffb5a443ff', 'test', '1410685589', 'test'), true);
    assert.equal(signatureMatches('f21891de399b4e33a1a93c9a7b8a8fffb5a443fe', 'test', '1410685589', 'test'), false);
    assert.equal(signature('c', 'a', 'b'), 'a9993e364706816aba3e25717850c26c9cd0d89d');
  });

  it('refuses a missing or wrongly sized signature', () => {
    assert.equal(signatureMatches(undefined, 'test', '1410685589', 'test'), false);
    assert.equal(signatureMatches('f21891de', 'test', '1410685589', 'test'), false);
  });
});

describe('safe mode (§15.2–§15.4)', () => {
  const cipher = new MessageCipher(SAMPLE.key, SAMPLE.appId);
  const random = Buffer.from('aaaabbbbccccdddd');

  it('encrypts Tencent\'s sample messages to the published ciphertexts, and decrypts them back', () => {
    assert.equal(cipher.encrypt('我是中文abcd123', random), V1_CIPHERTEXT);
    assert.equal(cipher.encrypt(V2_MESSAGE, random), V2_CIPHERTEXT);
    assert.equal(cipher.decrypt(V1_CIPHERTEXT), '我是中文abcd123');
    assert.equal(cipher.decrypt(V2_CIPHERTEXT), V2_MESSAGE);
  });

  it('signs the ciphertexts as derived in §15.2', () => {
    assert.equal(signature(SAMPLE.token, '1409304348', 'xxxxxx', V1_CIPHERTEXT), '82c962d39941aa48552f90ef55aa323dc620cc10');
    assert.equal(signature(SAMPLE.token, '1409304348', 'xxxxxx', V2_CIPHERTEXT), 'ea88b765074e41eb8c7a75b449db34fa2fd560d5');
  });

  it('verifies and decrypts the easywechat vector (§15.3)', () => {
    assert.equal(signatureMatches('4f3ad57b6989f09f4eb392acce4f9e93942ed890', SAMPLE.token, '1458300676', '260774613', EASYWECHAT_ENCRYPT), true);
    assert.equal(signatureMatches('invalid-signature', SAMPLE.token, '1458300676', '260774613', EASYWECHAT_ENCRYPT), false);
    assert.equal(
      cipher.decrypt(EASYWECHAT_ENCRYPT),
      '<xml><URL><![CDATA[http://wechat.laravel.so/server]]></URL><ToUserName><![CDATA[asdasdasd]]></ToUserName><FromUserName><![CDATA[asdasdasdsadasd]]></FromUserName><CreateTime>1234567898</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[hello]]></Content><MsgId>12345</MsgId></xml>',
    );
  });

  it('refuses a message encrypted for another AppID', () => {
    const other = new MessageCipher(SAMPLE.key, 'invalid appid');
    assert.throws(() => other.decrypt(EASYWECHAT_ENCRYPT), (error: unknown) => error instanceof DecryptError && error.reason === 'appid_mismatch');
  });

  it('refuses ciphertext that is not base64, not whole blocks, or badly padded', () => {
    const reason = (value: string) => {
      try {
        cipher.decrypt(value);
      } catch (error) {
        return (error as DecryptError).reason;
      }
      return 'accepted';
    };
    assert.equal(reason('not base64!'), 'not_base64');
    assert.equal(reason(Buffer.alloc(20).toString('base64')), 'bad_length');
    assert.equal(reason(Buffer.alloc(64).toString('base64')), 'bad_padding');
  });

  it('decrypts and encrypts the WeCom vectors, whole reply envelope included (§15.4)', () => {
    const wecom = new MessageCipher(WECOM.key, WECOM.id);
    assert.equal(signatureMatches('74d92dfeb87ba7c714f89d98870ae5eb62dff26d', WECOM.token, '1411525903', '461056294', WECOM_ENCRYPT), true);
    const xml = wecom.decrypt(WECOM_ENCRYPT);
    assert.match(xml, /<Content><!\[CDATA\[test\]\]><\/Content>/);
    assert.match(xml, /<FromUserName><!\[CDATA\[messense\]\]><\/FromUserName>/);
    const encrypt = wecom.encrypt(WECOM_REPLY, Buffer.from('1234567890123456'));
    assert.equal(encrypt, WECOM_REPLY_ENCRYPT);
    assert.equal(
      encryptedEnvelope(encrypt, WECOM.token, '1411525903', '461056294'),
      `<xml>\n<Encrypt><![CDATA[${WECOM_REPLY_ENCRYPT}]]></Encrypt>\n<MsgSignature><![CDATA[407518b7649e86ef23978113f92d27afa9296533]]></MsgSignature>\n<TimeStamp>1411525903</TimeStamp>\n<Nonce><![CDATA[461056294]]></Nonce>\n</xml>`,
    );
  });

  it('signs over an encrypted echostr with four strings (§15.4)', () => {
    const echostr = '4ByGGj+sVCYcvGeQYhaKIk1o0pQRNbRjxybjTGblXrBaXlTXeOo1+bXFXDQQb1o6co6Yh9Bv41n7hOchLF6p+Q==';
    assert.equal(signatureMatches('dd6b9c95b495b3f7e2901bfbc76c664930ffdb96', WECOM.token, '1411443780', '437374425', echostr), true);
    assert.equal(signatureMatches('dd6b9c95b495b3f7e2901bfbc76c664930ffdb96', WECOM.token, '1411443780', '437374424', echostr), false);
  });

  it('refuses an EncodingAESKey that is not 43 letters and digits', () => {
    assert.throws(() => new MessageCipher('short', SAMPLE.appId));
    assert.throws(() => new MessageCipher(`${SAMPLE.key.slice(0, 42)}+`, SAMPLE.appId));
  });
});
