/**
 * Spectral extension of a reflectance background beyond its last measured band (the Moffett Field
 * cube stops near 2.26 µm, short of the 2.3 µm CH4 bands; src/sim/swir/README.md).
 *
 * Per pixel: the measured reflectance on the fit bands (channels ≥ `fitFromChannel`, the SWIR) is
 * fitted as a non-negative mixture Σ w_j·r_j of library spectra r_j that span 0.4–2.5 µm
 * (Lawson–Hanson NNLS); the channels after the last measured one, up to `toChannel`, get that
 * mixture times c = Σ measured / Σ mixture over the last `continuityBands` measured bands (c clamped
 * to [0.5, 2]), so the extension joins the measurement without a step. The measured bands are kept
 * unchanged. What this assumes: the surface's spectrum beyond the last band is a non-negative
 * mixture of the library's, as its measured SWIR is; the extension carries none of the old
 * sensor's noise and only the library's spectral variety, so the CH4 window's clutter then comes
 * from the library mixture, not from a measurement.
 *
 * Pure (no Node APIs).
 */

import { PlumetraceError } from '../../core/errors.ts';
import type { SwirBackground } from './scene.ts';

/** Library spectra on AVIRIS channels: `spectra[j][k]` is spectrum j at `channel[k]`. */
export interface SpectralLibrary {
  readonly name: string;
  readonly channel: Int32Array;
  readonly spectraNames: readonly string[];
  readonly spectra: readonly Float64Array[];
}

export interface ExtendOptions {
  /** First channel of the fit (the measured bands from here on are fitted). */
  readonly fitFromChannel: number;
  /** Last channel of the extended background. */
  readonly toChannel: number;
  /** Measured bands at the end used for the continuity factor. Default 3. */
  readonly continuityBands?: number;
}

export interface ExtensionInfo {
  readonly library: string;
  readonly librarySpectra: number;
  /** First and last added channel. */
  readonly firstChannel: number;
  readonly lastChannel: number;
  readonly fitFromChannel: number;
  readonly fitBands: number;
  /** Median over pixels of the RMS fit residual on the fit bands (reflectance). */
  readonly medianFitRmsReflectance: number;
  /** Median over pixels of the continuity factor c. */
  readonly medianContinuityFactor: number;
}

/**
 * Lawson–Hanson non-negative least squares on the normal equations: min ‖A x − b‖², x ≥ 0, given
 * AtA (n × n, row-major) and Atb (n). Returns x.
 */
export function nnlsNormal(ata: Float64Array, atb: Float64Array, n: number, maxIterations = 3 * n + 30): Float64Array {
  const x = new Float64Array(n);
  const passive = new Uint8Array(n);
  const w = new Float64Array(n);
  const z = new Float64Array(n);
  let scale = 0;
  for (let i = 0; i < n; i++) scale = Math.max(scale, ata[i * n + i]);
  const tol = 1e-12 * Math.max(1e-300, scale) * n;
  const gradient = () => {
    for (let i = 0; i < n; i++) {
      let s = atb[i];
      for (let j = 0; j < n; j++) if (x[j] !== 0) s -= ata[i * n + j] * x[j];
      w[i] = s;
    }
  };
  gradient();
  for (let outer = 0; outer < maxIterations; outer++) {
    let jMax = -1;
    let wMax = tol;
    for (let j = 0; j < n; j++) {
      if (!passive[j] && w[j] > wMax) {
        wMax = w[j];
        jMax = j;
      }
    }
    if (jMax < 0) break;
    passive[jMax] = 1;
    for (let inner = 0; inner < maxIterations; inner++) {
      if (!solvePassive(ata, atb, n, passive, z)) {
        // Singular subproblem: the new column depends on the others; drop it.
        passive[jMax] = 0;
        break;
      }
      let allPositive = true;
      for (let j = 0; j < n; j++) if (passive[j] && z[j] <= 0) allPositive = false;
      if (allPositive) {
        for (let j = 0; j < n; j++) x[j] = passive[j] ? z[j] : 0;
        break;
      }
      let alpha = 1;
      for (let j = 0; j < n; j++) {
        if (passive[j] && z[j] <= 0) {
          const a = x[j] / (x[j] - z[j]);
          if (a < alpha) alpha = a;
        }
      }
      for (let j = 0; j < n; j++) {
        x[j] += alpha * ((passive[j] ? z[j] : 0) - x[j]);
        if (passive[j] && x[j] <= 1e-15) {
          passive[j] = 0;
          x[j] = 0;
        }
      }
    }
    gradient();
  }
  return x;
}

/** Solves AtA[P,P] z_P = Atb[P] by Cholesky; z outside P = 0. False when singular. */
function solvePassive(ata: Float64Array, atb: Float64Array, n: number, passive: Uint8Array, z: Float64Array): boolean {
  const idx: number[] = [];
  for (let j = 0; j < n; j++) if (passive[j]) idx.push(j);
  const m = idx.length;
  const c = new Float64Array(m * m);
  for (let a = 0; a < m; a++) for (let b = 0; b < m; b++) c[a * m + b] = ata[idx[a] * n + idx[b]];
  for (let a = 0; a < m; a++) {
    for (let b = 0; b <= a; b++) {
      let s = c[a * m + b];
      for (let k = 0; k < b; k++) s -= c[a * m + k] * c[b * m + k];
      if (a === b) {
        if (!(s > 1e-14 * ata[idx[a] * n + idx[a]])) return false;
        c[a * m + a] = Math.sqrt(s);
      } else {
        c[a * m + b] = s / c[b * m + b];
      }
    }
  }
  const y = new Float64Array(m);
  for (let a = 0; a < m; a++) {
    let s = atb[idx[a]];
    for (let k = 0; k < a; k++) s -= c[a * m + k] * y[k];
    y[a] = s / c[a * m + a];
  }
  for (let a = m - 1; a >= 0; a--) {
    let s = y[a];
    for (let k = a + 1; k < m; k++) s -= c[k * m + a] * y[k];
    y[a] = s / c[a * m + a];
  }
  z.fill(0);
  for (let a = 0; a < m; a++) z[idx[a]] = y[a];
  return true;
}

/** `bg` with channels last+1 … toChannel appended per pixel (see the file comment), and what was done. */
export function extendBackground(
  bg: SwirBackground,
  lib: SpectralLibrary,
  o: ExtendOptions,
): { background: SwirBackground; extension: ExtensionInfo } {
  const nb = bg.bands;
  const lastChannel = bg.channel[nb - 1];
  for (let k = 1; k < nb; k++) {
    if (bg.channel[k] <= bg.channel[k - 1]) {
      throw new PlumetraceError('PT_ERR_BAD_REQUEST', `background ${bg.name}: channels must increase (band ${k})`);
    }
  }
  if (!(o.toChannel > lastChannel)) {
    throw new PlumetraceError(
      'PT_ERR_BAD_REQUEST',
      `background ${bg.name} already reaches channel ${lastChannel} ≥ toChannel ${o.toChannel}`,
    );
  }
  const libIndex = new Map<number, number>();
  for (let k = 0; k < lib.channel.length; k++) libIndex.set(lib.channel[k], k);
  const fit: number[] = [];
  for (let k = 0; k < nb; k++) if (bg.channel[k] >= o.fitFromChannel) fit.push(k);
  const added: number[] = [];
  for (let c = lastChannel + 1; c <= o.toChannel; c++) added.push(c);
  for (const c of [...fit.map((k) => bg.channel[k]), ...added]) {
    if (!libIndex.has(c)) {
      throw new PlumetraceError('PT_ERR_BAD_REQUEST', `library ${lib.name} has no channel ${c}`);
    }
  }
  const nj = lib.spectra.length;
  const nf = fit.length;
  if (nj === 0 || nf < 2) {
    throw new PlumetraceError('PT_ERR_BAD_REQUEST', `extension needs library spectra and ≥ 2 fit bands (${nj}, ${nf})`);
  }
  const cont = Math.min(o.continuityBands ?? 3, nb);
  // A (nf × nj) and its normal matrix.
  const a = new Float64Array(nf * nj);
  for (let f = 0; f < nf; f++) {
    const kl = libIndex.get(bg.channel[fit[f]]) as number;
    for (let j = 0; j < nj; j++) a[f * nj + j] = lib.spectra[j][kl];
  }
  const ata = new Float64Array(nj * nj);
  for (let i = 0; i < nj; i++) {
    for (let j = 0; j < nj; j++) {
      let s = 0;
      for (let f = 0; f < nf; f++) s += a[f * nj + i] * a[f * nj + j];
      ata[i * nj + j] = s;
    }
  }
  const contLib = Array.from({ length: cont }, (_, q) => libIndex.get(bg.channel[nb - cont + q]) as number);
  const addLib = added.map((c) => libIndex.get(c) as number);
  const nbOut = nb + added.length;
  const n = bg.lines * bg.samples;
  const out = new Float32Array(n * nbOut);
  const atb = new Float64Array(nj);
  const rms: number[] = [];
  const factors: number[] = [];
  for (let p = 0; p < n; p++) {
    const src = bg.reflectance.subarray(p * nb, (p + 1) * nb);
    out.set(src, p * nbOut);
    atb.fill(0);
    for (let f = 0; f < nf; f++) {
      const v = src[fit[f]];
      for (let j = 0; j < nj; j++) atb[j] += a[f * nj + j] * v;
    }
    const x = nnlsNormal(ata, atb, nj);
    let r2 = 0;
    for (let f = 0; f < nf; f++) {
      let m = 0;
      for (let j = 0; j < nj; j++) m += a[f * nj + j] * x[j];
      r2 += (m - src[fit[f]]) ** 2;
    }
    rms.push(Math.sqrt(r2 / nf));
    let meas = 0;
    let mix = 0;
    for (let q = 0; q < cont; q++) {
      meas += src[nb - cont + q];
      for (let j = 0; j < nj; j++) mix += lib.spectra[j][contLib[q]] * x[j];
    }
    const c = mix > 0 && meas > 0 ? Math.min(2, Math.max(0.5, meas / mix)) : 1;
    factors.push(c);
    for (let q = 0; q < added.length; q++) {
      let m = 0;
      for (let j = 0; j < nj; j++) m += lib.spectra[j][addLib[q]] * x[j];
      out[p * nbOut + nb + q] = c * m;
    }
  }
  const channel = new Int32Array(nbOut);
  channel.set(bg.channel);
  added.forEach((c, q) => {
    channel[nb + q] = c;
  });
  return {
    background: { ...bg, bands: nbOut, reflectance: out, channel },
    extension: {
      library: lib.name,
      librarySpectra: nj,
      firstChannel: added[0],
      lastChannel: added[added.length - 1],
      fitFromChannel: o.fitFromChannel,
      fitBands: nf,
      medianFitRmsReflectance: median(rms),
      medianContinuityFactor: median(factors),
    },
  };
}

function median(v: number[]): number {
  const a = [...v].sort((x, y) => x - y);
  return a.length % 2 ? a[a.length >> 1] : 0.5 * (a[a.length / 2 - 1] + a[a.length / 2]);
}
