/**
 * float16 conversion (lib/util/float16.ts): golden values checked by hand against the binary16
 * format, the round trip over every half pattern, and round-to-nearest-even on random floats
 * against a brute-force search of the neighbouring halves.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { float16BitsOf, float32BitsOf, fromFloat16, roundToFloat16, toFloat16 } from '../../lib/util/float16';

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
const bitsOf = (x: number) => {
  f32[0] = x;
  return u32[0];
};
const half = (x: number) => float16BitsOf(bitsOf(x));
const value = (h: number) => {
  u32[0] = float32BitsOf(h);
  return f32[0];
};

test('golden values: exact, rounded, largest, overflow, smallest normal and subnormal, zeros, NaN', () => {
  const cases: [number, number, number][] = [
    // [input, float16 bits, value read back]
    [1, 0x3c00, 1],
    [-2, 0xc000, -2],
    [0.5, 0x3800, 0.5],
    [65504, 0x7bff, 65504], // the largest finite half
    [65519, 0x7bff, 65504], // below the midpoint to 65536: rounds down
    [65520, 0x7c00, Infinity], // the midpoint: ties to even (0x7bff is odd) overflows
    [-1e6, 0xfc00, -Infinity],
    [2 ** -14, 0x0400, 2 ** -14], // 6.103515625e-5, the smallest normal
    [6.1e-5, 0x03ff, 1023 * 2 ** -24], // just below it: the largest subnormal, 6.0975551605224609e-5
    [2 ** -24, 0x0001, 5.960464477539063e-8], // the smallest subnormal
    [5.96e-8, 0x0001, 2 ** -24],
    [2 ** -25, 0x0000, 0], // half the smallest subnormal: a tie, to even (0)
    [1.5 * 2 ** -24, 0x0002, 2 ** -23], // a subnormal tie, to even (2)
    [2 ** -26, 0x0000, 0],
    [0.1, 0x2e66, 0.0999755859375],
    [1 / 3, 0x3555, 0.333251953125],
    [1 + 2 ** -11, 0x3c00, 1], // a tie between 1 (even) and 1 + 2^-10: down
    [1 + 3 * 2 ** -11, 0x3c02, 1 + 2 ** -9], // a tie between 1 + 2^-10 (odd) and 1 + 2^-9: up
    [Infinity, 0x7c00, Infinity],
    [0, 0x0000, 0],
  ];
  for (const [x, bits, back] of cases) {
    assert.equal(half(x).toString(16), bits.toString(16), `float16 bits of ${x}`);
    assert.equal(value(bits), back, `value of 0x${bits.toString(16)}`);
  }
  assert.equal(half(-0), 0x8000);
  assert.ok(Object.is(value(0x8000), -0), '-0 stays -0');
  assert.equal(half(1e-45), 0x0000, 'a float32 subnormal is far below the smallest half');
  const nan = half(NaN);
  assert.equal(nan & 0x7c00, 0x7c00);
  assert.notEqual(nan & 0x3ff, 0, 'NaN stays NaN');
  assert.ok(Number.isNaN(value(nan)));
  assert.equal(float16BitsOf(0x7f800001) & 0x7fff, 0x7e00, 'a NaN whose payload is all below the kept bits stays NaN');
});

test('float16 -> float32 -> float16 is the identity on all 65536 bit patterns', () => {
  const all = new Uint16Array(65536).map((_, i) => i);
  const back = toFloat16(fromFloat16(all));
  for (let h = 0; h < 65536; h++) {
    if (back[h] !== h) assert.fail(`0x${h.toString(16)} came back as 0x${back[h].toString(16)}`);
  }
  // and the widened values are the format's: sign * 2^(e - 15) * (1 + m/1024), subnormals m * 2^-24
  const wide = fromFloat16(all);
  for (let h = 0; h < 0x7c00; h++) {
    const e = h >> 10;
    const m = h & 0x3ff;
    const want = e === 0 ? m * 2 ** -24 : 2 ** (e - 15) * (1 + m / 1024);
    if (wide[h] !== want || wide[h | 0x8000] !== -want) assert.fail(`0x${h.toString(16)}: ${wide[h]}, want ${want}`);
  }
});

test('random floats round to the nearest half, ties to even', () => {
  // every finite positive half, in order, as numbers: the candidates a float can round to
  const halves = Array.from(fromFloat16(new Uint16Array(0x7c00).map((_, i) => i)));
  const nearest = (x: number): number => {
    let lo = 0;
    let hi = halves.length - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (halves[mid] <= x) lo = mid;
      else hi = mid;
    }
    if (x >= 65520) return 0x7c00;
    const dLo = x - halves[lo];
    const dHi = halves[hi] - x;
    return dLo < dHi ? lo : dHi < dLo ? hi : lo % 2 === 0 ? lo : hi;
  };
  let seed = 12345;
  const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const xs = new Float32Array(20000);
  for (let i = 0; i < xs.length; i++) xs[i] = (rand() < 0.5 ? -1 : 1) * 2 ** (-30 + 48 * rand()) * (1 + rand());
  const got = toFloat16(xs);
  const rounded = roundToFloat16(xs);
  for (let i = 0; i < xs.length; i++) {
    const want = nearest(Math.abs(xs[i])) | (xs[i] < 0 ? 0x8000 : 0);
    if (got[i] !== want) assert.fail(`${xs[i]}: 0x${got[i].toString(16)}, nearest is 0x${want.toString(16)}`);
    assert.equal(rounded[i], value(want));
  }
});
