/**
 * IEEE 754 binary16 ("half precision") <-> binary32 conversion, bit for bit, for storing weight
 * files at half their size (lib/diffusion/tensor-file.ts). JavaScript has no Float16Array in
 * Node 20, so the conversion works on the bit patterns: 1 sign bit, 5 exponent bits (bias 15),
 * 10 mantissa bits.
 *
 * float32 -> float16 rounds to nearest, ties to even, as the hardware does: values past the largest
 * finite half (65504; from 65520 on) become +-Infinity, values below the smallest normal
 * (2^-14 = 6.1035e-5) become subnormals (multiples of 2^-24 = 5.96e-8) or +-0, and NaN stays
 * NaN (keeping its sign and the top 10 bits of its payload). float16 -> float32 is exact, so
 * float16 -> float32 -> float16 is the identity on all 65536 patterns. The conversions work on
 * the arrays' bits (never through a JS number), so no engine can rewrite a NaN on the way.
 */

/** The float16 bit pattern nearest the float32 whose bit pattern is `bits` (round to nearest, ties to even). */
export function float16BitsOf(bits: number): number {
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  const mantissa = bits & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa === 0 ? 0 : mantissa >>> 13 || 0x200); // Inf; NaN stays NaN
  const e = exponent - 112; // the float16 exponent field this magnitude would have
  if (e >= 31) return sign | 0x7c00;
  if (e >= 1) return sign | roundShift((e << 23) | mantissa, 13); // a carry out of the mantissa is the next exponent (or Inf)
  // subnormal half: the 24-bit significand in units of 2^-24 (a float32 subnormal is far below)
  const shift = 14 - e;
  if (shift > 24) return sign;
  return sign | roundShift(mantissa | 0x800000, shift);
}

/** `x` / 2^`shift` rounded to the nearest integer, ties to even (0 < shift < 31, x >= 0). */
function roundShift(x: number, shift: number): number {
  const kept = x >>> shift;
  const rest = x & ((1 << shift) - 1);
  const half = 1 << (shift - 1);
  return kept + (rest > half || (rest === half && (kept & 1) === 1) ? 1 : 0);
}

/** The float32 bit pattern of the float16 whose bit pattern is `h` (exact: every half is a float). */
export function float32BitsOf(h: number): number {
  const sign = (h & 0x8000) << 16;
  const exponent = (h >>> 10) & 0x1f;
  const mantissa = h & 0x3ff;
  if (exponent === 0x1f) return (sign | 0x7f800000 | (mantissa << 13)) >>> 0;
  if (exponent !== 0) return (sign | ((exponent + 112) << 23) | (mantissa << 13)) >>> 0;
  if (mantissa === 0) return sign >>> 0;
  // subnormal half: normalise; the value mantissa * 2^-24 has its top bit at 2^(p - 24)
  const p = 31 - Math.clz32(mantissa);
  return (sign | ((p + 103) << 23) | ((mantissa << (23 - p)) & 0x7fffff)) >>> 0;
}

let table: Uint32Array | null = null;

/** float32 bits of every float16 pattern, made on first use (256 KB). */
function float32Table(): Uint32Array {
  if (table === null) {
    table = new Uint32Array(65536);
    for (let h = 0; h < 65536; h++) table[h] = float32BitsOf(h);
  }
  return table;
}

/** Each value of `values` rounded to the nearest float16 (the stored form of a float16 weights file). */
export function toFloat16(values: Float32Array): Uint16Array {
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  const out = new Uint16Array(values.length);
  for (let i = 0; i < bits.length; i++) out[i] = float16BitsOf(bits[i]);
  return out;
}

/** float16 values widened to float32 (exactly). */
export function fromFloat16(halves: Uint16Array): Float32Array {
  const t = float32Table();
  const out = new Float32Array(halves.length);
  const bits = new Uint32Array(out.buffer);
  for (let i = 0; i < halves.length; i++) bits[i] = t[halves[i]];
  return out;
}

/** The values a float16 file gives back for `values`: each rounded to the nearest float16, as float32. */
export function roundToFloat16(values: Float32Array): Float32Array {
  return fromFloat16(toFloat16(values));
}
