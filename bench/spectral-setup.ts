/**
 * The cube both spectral benchmarks run on (bench/spectral-cmf.ts, bench/spectral-mag1c.ts): a
 * seeded 512 × 512 × 72-band synthetic background over the CH4 window 2122–2484 nm (5.1 nm apart,
 * FWHM 6 nm) with 200 pixels implanted at 1,500 ppm·m, and the CH4 target for those bands.
 */
import { implantEnhancement, syntheticBackgroundCube } from '../src/core/spectral/synthetic-cube.ts';
import { unitAbsorptionTarget } from '../src/core/spectral/target.ts';
import { readMag1cLut } from '../src/io/lut/read.ts';

export const LINES = 512;
export const SAMPLES = 512;
export const BANDS = 72;
export const REPEATS = 3;
export const IMPLANT_PPM_M = 1500;

const lut = await readMag1cLut(new URL('../data/detection/mag1c_ch4.lut', import.meta.url).pathname);
export const target = unitAbsorptionTarget(lut, {
  centerNm: Float64Array.from({ length: BANDS }, (_, i) => 2122 + 5.1 * i),
  fwhmNm: new Float64Array(BANDS).fill(6),
}).targetPerPpmM;

export const cube = syntheticBackgroundCube({ lines: LINES, samples: SAMPLES, bands: BANDS, seed: 20240601 });
/** 1 at the implanted pixels. */
export const plume = new Uint8Array(LINES * SAMPLES);
for (let i = 0; i < 200; i++) {
  const p = ((37 * i) % LINES) * SAMPLES + ((101 * i) % SAMPLES);
  implantEnhancement(cube, p, target, IMPLANT_PPM_M);
  plume[p] = 1;
}

/** Runs `f`, returning its result and the wall time in ms. */
export function time<T>(f: () => T): [T, number] {
  const t0 = performance.now();
  const r = f();
  return [r, performance.now() - t0];
}
