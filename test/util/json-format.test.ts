/**
 * formatJson: the results/ layout. It parses back to what JSON.stringify gives for any value, and
 * it differs from JSON.stringify(v, null, 2) only in putting lists of plain values on one line.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatJson } from '../../lib/util/json-format';

test('lists of plain values on one line, everything else indented as JSON.stringify does', () => {
  const v = { kind: 'x', schedule: [1, 0, 2], ids: ['a', 'b'], flags: [true, null], empty: [], none: {}, points: [{ x: 1, y: [0.5, -1e-7] }], nested: [[1, 2], [3]] };
  assert.equal(
    formatJson(v),
    [
      '{',
      '  "kind": "x",',
      '  "schedule": [1, 0, 2],',
      '  "ids": ["a", "b"],',
      '  "flags": [true, null],',
      '  "empty": [],',
      '  "none": {},',
      '  "points": [',
      '    {',
      '      "x": 1,',
      '      "y": [0.5, -1e-7]',
      '    }',
      '  ],',
      '  "nested": [',
      '    [1, 2],',
      '    [3]',
      '  ]',
      '}',
      '',
    ].join('\n'),
  );
});

test('parses back to the value JSON.stringify keeps (toJSON, undefined members, NaN), and lays out like it apart from the lists', () => {
  const cases: unknown[] = [
    { a: undefined, b: NaN, c: [undefined, Infinity], d: new Date(0), e: 'line\n"quoted"', f: -0.1 + 0.3 },
    [1, [2, [3, { z: [] }]]],
    'just a string',
    42,
    null,
    { deep: { deeper: { list: Array.from({ length: 50 }, (_, i) => i / 7) } } },
  ];
  for (const v of cases) {
    const text = formatJson(v);
    assert.deepEqual(JSON.parse(text), JSON.parse(JSON.stringify(v)));
    const joinLists = (s: string) => s.replace(/\s+/g, '');
    assert.equal(joinLists(text), joinLists(JSON.stringify(v, null, 2)), 'only whitespace differs');
  }
  assert.throws(() => formatJson(undefined), /no JSON form/);
});
