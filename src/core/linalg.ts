/**
 * Small dense linear algebra for the detectors and the source inversion (matrices from 2×2 to a
 * few hundred rows): Cholesky factorisation and triangular solves, row-major Float64Array,
 * `a[i * n + j]`. A matrix may sit at an offset inside a larger buffer (one factor per column
 * group, back to back).
 */

/**
 * Factors the symmetric positive-definite n×n matrix at `a[off…]` as L·Lᵀ, in place: on return the
 * lower triangle (diagonal included) holds L and the strict upper triangle is zeroed. Only the
 * lower triangle is read. Returns false (matrix left partly overwritten) when a pivot is not
 * positive, i.e. the matrix is not numerically positive definite.
 */
export function choleskyInPlace(a: Float64Array, n: number, off = 0): boolean {
  for (let j = 0; j < n; j++) {
    const rj = off + j * n;
    let d = a[rj + j];
    for (let k = 0; k < j; k++) d -= a[rj + k] * a[rj + k];
    if (!(d > 0)) return false;
    const ljj = Math.sqrt(d);
    a[rj + j] = ljj;
    const inv = 1 / ljj;
    for (let i = j + 1; i < n; i++) {
      const ri = off + i * n;
      let s = a[ri + j];
      for (let k = 0; k < j; k++) s -= a[ri + k] * a[rj + k];
      a[ri + j] = s * inv;
    }
    for (let k = j + 1; k < n; k++) a[rj + k] = 0;
  }
  return true;
}

/** Solves L·y = b (L lower triangular at `l[off…]`), writing y into `out` (may alias b). */
export function forwardSubstitute(l: Float64Array, n: number, b: ArrayLike<number>, out: Float64Array, off = 0): void {
  for (let i = 0; i < n; i++) {
    const ri = off + i * n;
    let s = b[i];
    for (let k = 0; k < i; k++) s -= l[ri + k] * out[k];
    out[i] = s / l[ri + i];
  }
}

/** Solves Lᵀ·x = y (L lower triangular at `l[off…]`), writing x into `out` (may alias y). */
export function backSubstituteTransposed(
  l: Float64Array,
  n: number,
  y: ArrayLike<number>,
  out: Float64Array,
  off = 0,
): void {
  for (let i = n - 1; i >= 0; i--) {
    let s = y[i];
    for (let k = i + 1; k < n; k++) s -= l[off + k * n + i] * out[k];
    out[i] = s / l[off + i * n + i];
  }
}

/** Solves (L·Lᵀ)·x = b given the Cholesky factor L. Returns x. */
export function choleskySolve(l: Float64Array, n: number, b: ArrayLike<number>, off = 0): Float64Array {
  const x = new Float64Array(n);
  forwardSubstitute(l, n, b, x, off);
  backSubstituteTransposed(l, n, x, x, off);
  return x;
}

/**
 * Solves A·x = b by Gaussian elimination with partial pivoting (A n×n row-major, not modified).
 * The plain textbook method, used by the naive reference filter as an independent check on the
 * Cholesky path. Returns NaNs when A is singular.
 */
export function gaussianSolve(a: ArrayLike<number>, n: number, b: ArrayLike<number>): Float64Array {
  const m = new Float64Array(n * (n + 1));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) m[i * (n + 1) + j] = a[i * n + j];
    m[i * (n + 1) + n] = b[i];
  }
  const w = n + 1;
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r * w + c]) > Math.abs(m[piv * w + c])) piv = r;
    if (m[piv * w + c] === 0) return new Float64Array(n).fill(Number.NaN);
    if (piv !== c) {
      for (let j = 0; j < w; j++) {
        const t = m[c * w + j];
        m[c * w + j] = m[piv * w + j];
        m[piv * w + j] = t;
      }
    }
    for (let r = c + 1; r < n; r++) {
      const f = m[r * w + c] / m[c * w + c];
      if (f === 0) continue;
      for (let j = c; j < w; j++) m[r * w + j] -= f * m[c * w + j];
    }
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = m[i * w + n];
    for (let j = i + 1; j < n; j++) s -= m[i * w + j] * x[j];
    x[i] = s / m[i * w + i];
  }
  return x;
}

/** log det of L·Lᵀ from its Cholesky factor L (n×n at `l[off…]`). */
export function choleskyLogDet(l: Float64Array, n: number, off = 0): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += 2 * Math.log(l[off + i * n + i]);
  return s;
}
