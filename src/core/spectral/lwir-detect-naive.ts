/**
 * Naive reference of the LWIR clutter matched filter: one pass over all pixels (no exclusion),
 * written the plain way — float64, the full covariance with both triangles, the same diagonal
 * loading, Σ⁻¹ made explicit by Gaussian elimination of each unit vector, then Σ⁻¹(x − μ) of every
 * pixel as a full matrix–vector product and tᵀ of that for every gas — and the
 * targets t_g = τ·(B(T_g) − L_s)·ln10·A_g from the scene mean exactly as lwir-detect.ts defines them.
 * Slow on purpose: tests compare `detectLwirGases(…, { passes: 1 })` against it and bench/lwir-detect.ts
 * times both. Returns the column (ppm·m) of each gas per pixel and its NEC.
 */

import { gaussianSolve } from '../linalg.ts';
import type { LwirDetectInput } from './lwir-detect.ts';
import { brightnessTemperature, LN10, planckRadiance } from './lwir-forward.ts';

export function lwirMatchedFilterNaive(
  input: LwirDetectInput,
  options: { gasTemperatureK?: number; contrastK?: number; loading?: number } = {},
): { columnPpmM: Float64Array[]; necPpmM: number[] } {
  const { lines, samples, bands: nb, radiance: x } = input;
  const npx = lines * samples;
  const loading = options.loading ?? 1e-6;
  const mean = new Array<number>(nb).fill(0);
  for (let p = 0; p < npx; p++) for (let k = 0; k < nb; k++) mean[k] += x[p * nb + k] / npx;
  const cov = new Float64Array(nb * nb);
  for (let i = 0; i < nb; i++) {
    for (let j = 0; j < nb; j++) {
      let s = 0;
      for (let p = 0; p < npx; p++) s += (x[p * nb + i] - mean[i]) * (x[p * nb + j] - mean[j]);
      cov[i * nb + j] = s / (npx - 1);
    }
  }
  let tr = 0;
  for (let i = 0; i < nb; i++) tr += cov[i * nb + i];
  for (let i = 0; i < nb; i++) cov[i * nb + i] += (loading * tr) / nb;
  const targets = input.gases.map((gas) =>
    Float64Array.from({ length: nb }, (_, k) => {
      const t = input.transmittance ? input.transmittance[k] : 1;
      const ls = (mean[k] - (input.pathRadiance ? input.pathRadiance[k] : 0)) / t;
      const v = input.centerCm1[k];
      const tb = brightnessTemperature(v, ls);
      if (!Number.isFinite(tb)) return 0;
      const tg = options.gasTemperatureK ?? tb + (options.contrastK ?? 5);
      return t * (planckRadiance(v, tg) - ls) * LN10 * gas.absorbancePerPpmM[k];
    }),
  );
  const inv = new Float64Array(nb * nb);
  for (let j = 0; j < nb; j++) {
    const col = gaussianSolve(
      cov,
      nb,
      Float64Array.from({ length: nb }, (_, i) => (i === j ? 1 : 0)),
    );
    for (let i = 0; i < nb; i++) inv[i * nb + j] = col[i];
  }
  const tst = targets.map((t) => {
    let s = 0;
    for (let i = 0; i < nb; i++) for (let j = 0; j < nb; j++) s += t[i] * inv[i * nb + j] * t[j];
    return s;
  });
  const columnPpmM = targets.map(() => new Float64Array(npx));
  const d = new Float64Array(nb);
  const sd = new Float64Array(nb);
  for (let p = 0; p < npx; p++) {
    for (let k = 0; k < nb; k++) d[k] = x[p * nb + k] - mean[k];
    for (let i = 0; i < nb; i++) {
      let s = 0;
      for (let j = 0; j < nb; j++) s += inv[i * nb + j] * d[j];
      sd[i] = s;
    }
    targets.forEach((t, g) => {
      let s = 0;
      for (let k = 0; k < nb; k++) s += t[k] * sd[k];
      columnPpmM[g][p] = s / tst[g];
    });
  }
  return { columnPpmM, necPpmM: tst.map((v) => 1 / Math.sqrt(v)) };
}
