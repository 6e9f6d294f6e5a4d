/**
 * Linear interpolation of time series sampled at other instants (position at 10 Hz, gas at 1 Hz).
 * Pure, allocation per call only.
 */

/** Why a query got no value: inside the source's time range, before it, after it, or in a gap. */
export const INTERP_OK = 0;
export const INTERP_BEFORE = 1;
export const INTERP_AFTER = 2;
export const INTERP_GAP = 3;

export interface InterpolationResult {
  /** One array per input column, NaN where the query got no value. */
  values: Float64Array[];
  /** Per query: INTERP_OK, INTERP_BEFORE, INTERP_AFTER or INTERP_GAP. */
  status: Uint8Array;
}

/**
 * Interpolates `columns` (sampled at `t`, ascending, duplicates allowed) at each of `queryT`.
 * A query outside [t[0], t[last]] gets NaN (status BEFORE/AFTER); one between two samples more than
 * `maxGap` apart gets NaN (status GAP). At a duplicate time the later sample wins. Columns listed in
 * `longitudeColumns` are degrees of longitude: interpolated the short way across ±180°.
 */
export function interpolateLinear(
  t: Float64Array,
  columns: readonly Float64Array[],
  queryT: Float64Array,
  opts: { maxGap?: number; longitudeColumns?: readonly number[] } = {},
): InterpolationResult {
  const n = t.length;
  const m = queryT.length;
  const maxGap = opts.maxGap ?? Number.POSITIVE_INFINITY;
  const isLon = columns.map((_, c) => opts.longitudeColumns?.includes(c) ?? false);
  const values = columns.map(() => new Float64Array(m).fill(Number.NaN));
  const status = new Uint8Array(m);
  for (let q = 0; q < m; q++) {
    const tq = queryT[q];
    if (n === 0 || !(tq >= t[0])) {
      status[q] = n > 0 && tq > t[n - 1] ? INTERP_AFTER : INTERP_BEFORE;
      continue;
    }
    if (tq > t[n - 1]) {
      status[q] = INTERP_AFTER;
      continue;
    }
    // Largest i with t[i] <= tq (binary search), so t[i] <= tq and, unless i is last, tq < t[i + 1].
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (t[mid] <= tq) lo = mid;
      else hi = mid - 1;
    }
    const i = lo;
    if (i === n - 1 || t[i] === tq) {
      for (let c = 0; c < columns.length; c++) values[c][q] = columns[c][i];
      continue;
    }
    const dt = t[i + 1] - t[i];
    if (dt > maxGap) {
      status[q] = INTERP_GAP;
      continue;
    }
    const f = (tq - t[i]) / dt;
    for (let c = 0; c < columns.length; c++) {
      const a = columns[c][i];
      let b = columns[c][i + 1];
      if (isLon[c]) {
        if (b - a > 180) b -= 360;
        else if (a - b > 180) b += 360;
        let v = a + f * (b - a);
        if (v >= 180) v -= 360;
        else if (v < -180) v += 360;
        values[c][q] = v;
      } else {
        values[c][q] = a + f * (b - a);
      }
    }
  }
  return { values, status };
}
