// Stable ordering of record indices by a numeric key (a start time), fast enough for a million
// records: integer keys are packed with their index into one float and sorted natively (no
// comparator call per pair); anything else falls back to a stable comparator sort.

/**
 * The indices `of` (default 0..n-1) ordered by `key(i)` ascending; equal keys keep the order they
 * had in `of`.
 */
export function sortIndicesBy(n: number, key: (i: number) => number, of?: ArrayLike<number>): Uint32Array {
  const input = of ?? identity(n);
  const count = input.length;
  const out = new Uint32Array(count);
  if (count === 0) return out;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let integral = true;
  for (let j = 0; j < count; j++) {
    const k = key(input[j] as number);
    if (!Number.isInteger(k)) integral = false;
    if (k < min) min = k;
    if (k > max) max = k;
  }
  // key - min in the high bits, the position in `of` in the low ones: exact below 2^53.
  const shift = 2 ** Math.max(1, Math.ceil(Math.log2(count + 1)));
  if (integral && (max - min + 1) * shift < Number.MAX_SAFE_INTEGER) {
    const packed = new Float64Array(count);
    for (let j = 0; j < count; j++) packed[j] = (key(input[j] as number) - min) * shift + j;
    packed.sort();
    for (let j = 0; j < count; j++) {
      const v = packed[j] as number;
      out[j] = input[v - Math.floor(v / shift) * shift] as number;
    }
    return out;
  }
  const positions = Array.from({ length: count }, (_, j) => j);
  const keys = Float64Array.from({ length: count }, (_, j) => key(input[j] as number));
  positions.sort((a, b) => (keys[a] as number) - (keys[b] as number) || a - b);
  for (let j = 0; j < count; j++) out[j] = input[positions[j] as number] as number;
  return out;
}

function identity(n: number): Uint32Array {
  const out = new Uint32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  return out;
}
