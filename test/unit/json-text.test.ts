import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ObjectEvent } from '../../src/function/event';
import {
  exactJson,
  jsonObject,
  jsonScalar,
  MAX_JSON_DEPTH,
  toJsonText,
  withMembers,
} from '../../src/basics/json-text';
import { parseJsonContent } from '../../src/function/storage/content';

const nested = (depth: number, open = '[', close = ']', inner = '1'): string =>
  `${open.repeat(depth)}${inner}${close.repeat(depth)}`;

describe('exactJson: every token as written (issue 9, item 5)', () => {
  // [input, the exact text carried]
  const table: [string, string][] = [
    ['9007199254740993', '9007199254740993'],
    ['1234567890123456789', '1234567890123456789'],
    ['-12345678901234567890123456789', '-12345678901234567890123456789'],
    ['12345678901234567890.123456789', '12345678901234567890.123456789'],
    ['0.1000000000000000055511151231257827', '0.1000000000000000055511151231257827'],
    ['1e400', '1e400'],
    ['-1E-400', '-1E-400'],
    ['1E5', '1E5'],
    ['2.50', '2.50'],
    ['-0', '-0'],
    ['-0.0e0', '-0.0e0'],
    [
      '{ "order_id": 9007199254740993, "tweet_id": 1234567890123456789,\n  "amount": 12345678901234567890.123456789 }',
      '{"order_id":9007199254740993,"tweet_id":1234567890123456789,"amount":12345678901234567890.123456789}',
    ],
    ['[ {"a": [1e400, {"b": -0}]}, [] , {} ]', '[{"a":[1e400,{"b":-0}]},[],{}]'],
    ['"\\u00e9\\ud83d\\ude00 \\n\\t\\/"', '"\\u00e9\\ud83d\\ude00 \\n\\t\\/"'],
    ['"\\ud800"', '"\\ud800"'],
    ['{"k e y": "a  b", "q": "say \\"[[ {\\" "}', '{"k e y":"a  b","q":"say \\"[[ {\\" "}'],
    ['"é 😀"', '"é 😀"'],
    ['\r\n\t true \n', 'true'],
    ['null', 'null'],
  ];
  for (const [input, exact] of table) {
    it(`${JSON.stringify(input)} → ${exact}`, () => {
      const result = exactJson(input);
      assert.deepEqual(result, { ok: true, text: exact });
      // Same value for a reader as the original, and usable inside a larger text.
      assert.deepEqual(JSON.parse(exact), JSON.parse(input));
      const outer = jsonObject([['content', result.text]]);
      assert.equal(outer, `{"content":${exact}}`);
    });
  }

  // [input, what the reason says]
  const refused: [string, RegExp][] = [
    ['', /^not JSON: Unexpected end of JSON input/],
    ['date=2026-11-24', /^not JSON: Unexpected token/],
    ['1 2', /^not JSON/], // compacted it would be 12: validation is on the text as written
    ['tr ue', /^not JSON/],
    ['{"a":1,}', /^not JSON/],
    ['NaN', /^not JSON/],
    ['"unterminated [[[', /^not JSON/],
  ];
  for (const [input, reason] of refused) {
    it(`refuses ${JSON.stringify(input)}`, () => {
      const result = exactJson(input);
      assert.equal(result.ok, false);
      assert.match(result.reason, reason);
    });
  }
});

describe(`exactJson depth limit (${MAX_JSON_DEPTH}, issue 9, item 4)`, () => {
  const deepReason = new RegExp(`^nested deeper than ${MAX_JSON_DEPTH} levels`);
  // `[[1]]` is 2 levels: only arrays and objects count, the innermost value is not a level.
  const cases: [string, string, boolean][] = [
    ['arrays exactly at the limit', nested(MAX_JSON_DEPTH), true],
    ['arrays one past the limit', nested(MAX_JSON_DEPTH + 1), false],
    ['objects exactly at the limit', nested(MAX_JSON_DEPTH, '{"a":', '}'), true],
    ['objects one past the limit', nested(MAX_JSON_DEPTH + 1, '{"a":', '}'), false],
    ['objects at the limit, innermost empty', nested(MAX_JSON_DEPTH - 1, '{"a":', '}', '{}'), true],
    [
      'objects one past the limit, innermost empty',
      nested(MAX_JSON_DEPTH, '{"a":', '}', '{}'),
      false,
    ],
    ['mixed at the limit', nested(MAX_JSON_DEPTH / 2, '[{"a":', '}]'), true],
    ['mixed one past the limit', nested(MAX_JSON_DEPTH / 2, '[{"a":', '}]', '[]'), false],
    ['siblings do not add up', `[${Array(1000).fill(nested(10)).join(',')}]`, true],
    ['brackets inside strings are not nesting', JSON.stringify('['.repeat(5000)), true],
    [
      'an escaped quote does not end the string',
      `["\\"${'['.repeat(100)}", ${nested(MAX_JSON_DEPTH - 1)}]`,
      true,
    ],
    ['5,000 deep', nested(5000, '[', ']', ''), false],
    ['500,000 deep (1 MB)', nested(500_000, '[', ']', ''), false],
  ];
  for (const [name, text, passes] of cases) {
    it(`${name}: ${passes ? 'carried' : 'refused'}`, () => {
      const result = exactJson(text);
      if (result.ok) assert.equal(passes, true, 'carried');
      else assert.match(result.reason, passes ? /^$/ : deepReason);
    });
  }

  it('the limit is a parameter', () => {
    assert.equal(exactJson('[[1]]', 2).ok, true);
    assert.equal(exactJson('[[1]]', 1).ok, false);
  });
});

describe('toJsonText: serialization that never throws', () => {
  it('a plain object', () => {
    assert.deepEqual(toJsonText({ a: 'x', b: [1, null] }), {
      ok: true,
      text: '{"a":"x","b":[1,null]}',
    });
  });

  const deep = (): unknown => {
    let v: unknown = [];
    for (let i = 0; i < 1_000_000; i += 1) v = [v];
    return v;
  };
  const cyclic: Record<string, unknown> = {};
  cyclic['self'] = cyclic;
  const failures: [string, () => unknown, RegExp][] = [
    ['a stack overflow (RangeError)', deep, /^not serializable as JSON: Maximum call stack/],
    ['a cycle', () => cyclic, /^not serializable as JSON: .*circular/i],
    ['a BigInt', () => ({ n: 1n }), /^not serializable as JSON: .*BigInt/],
    [
      'a throwing toJSON',
      () => ({
        toJSON() {
          throw new Error('no');
        },
      }),
      /^not serializable as JSON: no$/,
    ],
    ['undefined', () => undefined, /^nothing JSON can represent$/],
  ];
  for (const [name, make, reason] of failures) {
    it(`${name}: a reason`, () => {
      const result = toJsonText(make());
      assert.equal(result.ok, false);
      assert.match(result.reason, reason);
    });
  }
});

describe('jsonObject and withMembers: concatenation', () => {
  const raw = exactJson('[9007199254740993, 1e400]');
  assert.ok(raw.ok);

  it('jsonObject quotes keys and embeds values as is', () => {
    assert.equal(
      jsonObject([
        ['k"ey', raw.text],
        ['b', jsonScalar(true)],
      ]),
      '{"k\\"ey":[9007199254740993,1e400],"b":true}',
    );
    assert.equal(jsonObject([]), '{}');
  });

  it('withMembers appends to an empty and a non-empty object', () => {
    const empty = toJsonText({});
    const one = toJsonText({ a: 1 });
    assert.ok(empty.ok && one.ok);
    assert.equal(withMembers(empty.text, [['c', raw.text]]), '{"c":[9007199254740993,1e400]}');
    assert.equal(withMembers(one.text, [['c', raw.text]]), '{"a":1,"c":[9007199254740993,1e400]}');
    assert.equal(withMembers(one.text, []), '{"a":1}');
  });
});

describe('parseJsonContent keeps its BOM and not-JSON behaviour', () => {
  const event: ObjectEvent = {
    meta: { id: '1', type: 't', time: null, source: null },
    data: {},
    bucket: 'b',
    name: 't/run.json',
    generation: '7',
  };

  it('a UTF-8 byte order mark is dropped', () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"n": 1e400}\n')]);
    assert.deepEqual(parseJsonContent(bytes, event), { ok: true, content: '{"n":1e400}' });
  });

  it('not JSON names the object', () => {
    const result = parseJsonContent(Buffer.from('date=2026-11-24'), event);
    assert.equal(result.ok, false);
    assert.match(
      result.reason,
      /^gs:\/\/b\/t\/run\.json \(generation 7\) is not JSON: Unexpected token/,
    );
  });

  it('too deep names the object and the limit', () => {
    const result = parseJsonContent(Buffer.from(nested(MAX_JSON_DEPTH + 1)), event);
    assert.equal(result.ok, false);
    assert.match(
      result.reason,
      new RegExp(`^gs://b/t/run\\.json \\(generation 7\\) is nested deeper than ${MAX_JSON_DEPTH}`),
    );
  });
});
