/**
 * Path-mean plume kernel: the mean of the plume kernel along a straight beam, for open-path sensors
 * that report the mean mole fraction over their beam.
 *
 *   mean = (1/|P2−P1|) ∫ K(P) dℓ = ∫₀¹ K(P1 + s·(P2−P1)) ds
 *
 * in the plume frame (x downwind, y crosswind, z up, source at (0, 0, H)). The parts of the beam at
 * or upwind of the source (x <= 0) add 0 but still count in the length.
 *
 * Quadrature. Along a beam the kernel is a narrow bump where the beam crosses the plume (width ~σy
 * or σz there, which can be centimetres near the source on a kilometre beam) and smooth elsewhere.
 * A fixed rule would miss such bumps, so the integral is taken in a stretched variable u,
 *
 *   s = c + w·sinh(u),   ds = w·cosh(u) du,
 *
 * centred on the bump c with its width w: the bump spans a few units of u whatever its width, and
 * the rest of the beam costs only ln(length/w) more. The centre is the narrower of two features:
 * - the plume crossing: the s minimising (y/σy)² + ((z−H)/σz)² (the direct term of the kernel;
 *   every image term, ground or lid, is smaller than it at each point of the beam), with the sigmas
 *   taken where the beam crosses (three fixed-point rounds);
 * - the point of the beam closest to the source (width = that distance), which matters for beams
 *   running nearly along the wind close to the source.
 * When the two lie far apart for their widths, the beam is split between them and each part gets
 * its own stretch. The lid height is a breakpoint too (the kernel jumps there). Then a globally
 * adaptive Gauss–Kronrod 7/15 rule (QUADPACK QAG style) bisects the panel with the largest error
 * estimate |K15 − G7| until the sum of estimates is below relTol·|mean|.
 *
 * Cost: about 60–75 kernel evaluations per beam on average (15 per panel; 1–3 panels to start, a
 * few bisections), some 4–6 µs in Node 20. Nothing is allocated per call (the panel store and the
 * beam scratch belong to the closure); with the Briggs curves V8 inlines the whole kernel into the
 * rule, so not even doubles are boxed (with ISC3 sigmas and a lid some are).
 *
 * Accuracy: see PATH_MEAN_REL_TOL. The ISC3 sigma_z fits jump by up to 0.5 % where their distance
 * segments meet; the rule places no breakpoints there, which cost up to ~2e-4 (relative) on beams
 * that span such a downwind distance.
 *
 * A beam passing exactly through the source has an infinite path mean (the kernel grows like 1/x²
 * along the axis); such a beam gets a large, finite, meaningless number.
 */

import { PlumetraceError } from '../errors.ts';
import {
  type DecodedPlumeOptions,
  decodePlumeOptions,
  decodedSigmaY,
  decodedSigmaZ,
  makePlumeKernel,
} from './plume.ts';
import type { PlumeOptions } from './sigmas.ts';

/**
 * Path-mean kernel with its options fixed: the mean concentration (kg/m³) per unit emission rate
 * (1 kg/s) along the beam from (x1M, y1M, z1M) to (x2M, y2M, z2M), plume frame.
 */
export type PathMeanKernelFn = (
  x1M: number,
  y1M: number,
  z1M: number,
  x2M: number,
  y2M: number,
  z2M: number,
  sourceHeightM: number,
  windSpeedMps: number,
) => number;

/**
 * Default relative tolerance of the adaptive rule, on its error estimate |K15 − G7| (which bounds the
 * G7 error; the K15 result is usually far better). Over 20,000 random beams it gave a worst error of
 * 1.6e-4 (the ISC3 sigma_z fits jump by up to 0.5 % between their distance segments, which the
 * error estimate does not see) and below 1e-8 with the continuous Briggs curves;
 * 3e-3 gave errors near 1e-2, so do not loosen it much.
 */
export const PATH_MEAN_REL_TOL = 1e-5;

// Gauss–Kronrod 15-point nodes on [−1, 1] (descending; the last is the centre), Kronrod weights,
// and the weights of the embedded 7-point Gauss rule at nodes 1, 3, 5 and the centre (Piessens et
// al. 1983, *QUADPACK*, qk15). The tests check K15 is exact to degree 22 and G7 to degree 13.
const XK = Float64Array.of(
  0.9914553711208126,
  0.9491079123427585,
  0.8648644233597691,
  0.7415311855993945,
  0.5860872354676911,
  0.4058451513773972,
  0.20778495500789848,
  0,
);
const WK = Float64Array.of(
  0.022935322010529224,
  0.06309209262997856,
  0.10479001032225019,
  0.14065325971552592,
  0.1690047266392679,
  0.19035057806478542,
  0.20443294007529889,
  0.20948214108472782,
);
const WG = Float64Array.of(0.1294849661688697, 0.27970539148927664, 0.3818300505051189, 0.4179591836734694);
/** The Gauss–Kronrod 7/15 rule, for the tests: nodes, Kronrod weights, Gauss weights (see above). */
export const GAUSS_KRONROD_15: {
  readonly nodes: Float64Array;
  readonly kronrod: Float64Array;
  readonly gauss: Float64Array;
} = Object.freeze({ nodes: XK, kronrod: WK, gauss: WG });

// The same rule over all 15 nodes in order, with the Gauss weights 0 at the Kronrod-only nodes.
const NODES_15 = new Float64Array(15);
const KRONROD_15 = new Float64Array(15);
const GAUSS_ON_15 = new Float64Array(15);
for (let j = 0; j < 7; j++) {
  NODES_15[j] = -XK[j];
  NODES_15[14 - j] = XK[j];
  KRONROD_15[j] = KRONROD_15[14 - j] = WK[j];
  GAUSS_ON_15[j] = GAUSS_ON_15[14 - j] = j & 1 ? WG[j >> 1] : 0;
}
KRONROD_15[7] = WK[7];
GAUSS_ON_15[7] = WG[3];

/** Most panels the adaptive rule keeps; bounds the work on pathological beams. */
const MAX_PANELS = 256;
/** Narrowest stretch scale, as a fraction of the beam. */
const MIN_SCALE = 1e-12;
/** Smallest downwind distance (m) at which sigmas are taken for the scale estimate. */
const MIN_SCALE_X_M = 1e-3;
/** A second feature at distance D gets its own stretch when its width is below this fraction of D. */
const RESOLVED_WIDTH_RATIO = 0.25;

/**
 * makePathMeanKernel with its options decoded on every call (convenient, slower: prefer
 * makePathMeanKernel in loops).
 */
export function pathMeanKernel(
  x1M: number,
  y1M: number,
  z1M: number,
  x2M: number,
  y2M: number,
  z2M: number,
  sourceHeightM: number,
  windSpeedMps: number,
  opts: PlumeOptions,
): number {
  return makePathMeanKernel(opts)(x1M, y1M, z1M, x2M, y2M, z2M, sourceHeightM, windSpeedMps);
}

/**
 * The path-mean kernel for fixed options (see the file comment). Throws PT_ERR_BAD_REQUEST for bad
 * options or a relTol outside (0, 0.1]. The returned function allocates nothing; it is not
 * re-entrant (it keeps one panel store), which single-threaded callers never notice.
 */
export function makePathMeanKernel(opts: PlumeOptions, relTol: number = PATH_MEAN_REL_TOL): PathMeanKernelFn {
  if (!(relTol > 0 && relTol <= 0.1)) {
    throw new PlumetraceError('PT_ERR_BAD_REQUEST', `relTol must be in (0, 0.1] (got ${relTol})`);
  }
  const d: DecodedPlumeOptions = decodePlumeOptions(opts);
  const kernel = makePlumeKernel(opts);
  const lidM = d.lidM;

  // Panel store: stretch centre and scale (in s), u-interval, K15 estimate and error estimate.
  const pc = new Float64Array(MAX_PANELS);
  const pw = new Float64Array(MAX_PANELS);
  const pa = new Float64Array(MAX_PANELS);
  const pb = new Float64Array(MAX_PANELS);
  const pr = new Float64Array(MAX_PANELS);
  const pe = new Float64Array(MAX_PANELS);
  let n = 0;
  // Beam of the current call: P1 (x, y, z), P2 − P1 (x, y, z), source height, wind speed. A typed
  // array rather than captured variables, so that storing doubles allocates nothing.
  const beam = new Float64Array(8);
  // Panel breakpoints (u) of one stretch, sorted before use.
  const brk = new Float64Array(4);

  /**
   * GK15 on panel i; stores the estimate and the error estimate |K15 − G7|. The integrand,
   * K(P(s))·ds/du with s = c + w·sinh(u), is written out in the loop (one kernel call per node) so
   * that no double crosses a call boundary other than the kernel's.
   */
  function rule(i: number): void {
    const c = pc[i];
    const hw = 0.5 * pw[i];
    const half = 0.5 * (pb[i] - pa[i]);
    const mid = 0.5 * (pb[i] + pa[i]);
    const x0 = beam[0];
    const y0 = beam[1];
    const z0 = beam[2];
    const dx = beam[3];
    const dy = beam[4];
    const dz = beam[5];
    const h = beam[6];
    const windMps = beam[7];
    let rk = 0;
    let rg = 0;
    for (let j = 0; j < 15; j++) {
      const e = Math.exp(mid + half * NODES_15[j]);
      const ei = 1 / e;
      const s = c + hw * (e - ei);
      const f = kernel(x0 + s * dx, y0 + s * dy, z0 + s * dz, h, windMps) * hw * (e + ei);
      rk += KRONROD_15[j] * f;
      rg += GAUSS_ON_15[j] * f;
    }
    pr[i] = rk * half;
    pe[i] = Math.abs((rk - rg) * half);
  }

  function addPanel(c: number, w: number, ua: number, ub: number): void {
    if (!(ub > ua) || n >= MAX_PANELS) return;
    pc[n] = c;
    pw[n] = w;
    pa[n] = ua;
    pb[n] = ub;
    rule(n);
    n++;
  }

  /** Panels of one stretch (centre c, scale w) over [p, q] ∋ c, split at c and at the lid. */
  function addStretch(c: number, w: number, p: number, q: number): void {
    const ua = Math.asinh((p - c) / w);
    const ub = Math.asinh((q - c) / w);
    let m = 0;
    brk[m++] = ua;
    if (ua < 0 && ub > 0) brk[m++] = 0;
    if (lidM < Number.POSITIVE_INFINITY && beam[5] !== 0) {
      const sL = (lidM - beam[2]) / beam[5];
      if (sL > p && sL < q) brk[m++] = Math.asinh((sL - c) / w);
    }
    brk[m++] = ub;
    // Insertion sort of at most 4 numbers.
    for (let i = 1; i < m; i++) {
      const v = brk[i];
      let j = i - 1;
      while (j >= 0 && brk[j] > v) {
        brk[j + 1] = brk[j];
        j--;
      }
      brk[j + 1] = v;
    }
    for (let i = 0; i + 1 < m; i++) addPanel(c, w, brk[i], brk[i + 1]);
  }

  return (x1M, y1M, z1M, x2M, y2M, z2M, h, windMps) => {
    const dx = x2M - x1M;
    const dy = y2M - y1M;
    const dz = z2M - z1M;
    const len2 = dx * dx + dy * dy + dz * dz;
    if (!(len2 > 0)) return kernel(x1M, y1M, z1M, h, windMps);
    // Downwind part [sa, sb] of s ∈ [0, 1].
    let sa = 0;
    let sb = 1;
    if (dx === 0) {
      if (!(x1M > 0)) return 0;
    } else {
      const s0 = -x1M / dx;
      if (dx > 0) sa = Math.max(0, s0);
      else sb = Math.min(1, s0);
    }
    if (!(sb > sa)) return 0;
    beam[0] = x1M;
    beam[1] = y1M;
    beam[2] = z1M;
    beam[3] = dx;
    beam[4] = dy;
    beam[5] = dz;
    beam[6] = h;
    beam[7] = windMps;
    const len = Math.sqrt(len2);

    // Feature 1: the point of the beam closest to the source.
    let sc = -(x1M * dx + y1M * dy + (z1M - h) * dz) / len2;
    sc = Math.min(Math.max(sc, sa), sb);
    const ex = x1M + sc * dx;
    const ey = y1M + sc * dy;
    const ez = z1M + sc * dz - h;
    const wc = Math.max(Math.sqrt(ex * ex + ey * ey + ez * ez) / len, MIN_SCALE);

    // Feature 2: the plume crossing, with sigmas where the beam crosses (fixed point, 3 rounds).
    let xr = Math.max(ex, MIN_SCALE_X_M);
    let sx = Number.NaN;
    let wx = Number.POSITIVE_INFINITY;
    for (let it = 0; it < 3; it++) {
      const sy = decodedSigmaY(d, xr, windMps);
      const sz = decodedSigmaZ(d, xr);
      const ay = dy / sy;
      const az = dz / sz;
      const a = ay * ay + az * az;
      if (!(a > 0) || !Number.isFinite(a)) {
        sx = Number.NaN;
        break;
      }
      const s = -((y1M * dy) / (sy * sy) + ((z1M - h) * dz) / (sz * sz)) / a;
      sx = Math.min(Math.max(s, sa), sb);
      wx = Math.max(1 / Math.sqrt(a), MIN_SCALE);
      xr = Math.max(x1M + sx * dx, MIN_SCALE_X_M);
    }

    n = 0;
    if (Number.isNaN(sx)) {
      addStretch(sc, wc, sa, sb);
    } else {
      const crossingNarrower = wx <= wc;
      const narrowC = crossingNarrower ? sx : sc;
      const narrowW = Math.min(wx, wc);
      const otherC = crossingNarrower ? sc : sx;
      const otherW = Math.max(wx, wc);
      const dist = Math.abs(otherC - narrowC);
      if (otherW >= RESOLVED_WIDTH_RATIO * Math.sqrt(dist * dist + narrowW * narrowW)) {
        addStretch(narrowC, narrowW, sa, sb);
      } else {
        const lo = Math.min(narrowC, otherC);
        const hi = Math.max(narrowC, otherC);
        const mid = 0.5 * (lo + hi);
        addStretch(lo, lo === narrowC ? narrowW : otherW, sa, mid);
        addStretch(hi, hi === narrowC ? narrowW : otherW, mid, sb);
      }
    }

    // Global adaptive bisection of the worst panel.
    for (;;) {
      let total = 0;
      let err = 0;
      let worst = 0;
      for (let i = 0; i < n; i++) {
        total += pr[i];
        err += pe[i];
        if (pe[i] > pe[worst]) worst = i;
      }
      if (err <= relTol * Math.abs(total) || n >= MAX_PANELS || Number.isNaN(err)) return total;
      const ua = pa[worst];
      const ub = pb[worst];
      const um = 0.5 * (ua + ub);
      pb[worst] = um;
      rule(worst);
      pc[n] = pc[worst];
      pw[n] = pw[worst];
      pa[n] = um;
      pb[n] = ub;
      rule(n);
      n++;
    }
  };
}
