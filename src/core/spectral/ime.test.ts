import { describe, expect, it } from 'vitest';
import { PlumetraceError } from '../errors.ts';
import { Rng } from '../random.ts';
import {
  CH4_KG_PER_M2_PER_PPM_M,
  DEFAULT_UEFF_CALIBRATION,
  emissionRateKgPerHour,
  kgPerM2PerPpmM,
  quantifyPlumes,
} from './ime.ts';
import { plumeMask } from './plumes.ts';

const N = 128;
const PIXEL_M = 30;

function noise(seed: number, sigmaPpmM: number): Float64Array {
  return new Rng(seed).fillNormal(new Float64Array(N * N), 0, sigmaPpmM);
}

/** Adds a Gaussian blob; returns Σ of what it added (ppm·m · pixels). */
function addBlob(f: Float64Array, l0: number, s0: number, peakPpmM: number, widthPx: number): number {
  let sum = 0;
  for (let l = 0; l < N; l++) {
    for (let s = 0; s < N; s++) {
      const v = peakPpmM * Math.exp(-((l - l0) ** 2 + (s - s0) ** 2) / (2 * widthPx * widthPx));
      f[l * N + s] += v;
      sum += v;
    }
  }
  return sum;
}

describe('constants', () => {
  it('1 ppm·m of CH4 is 7.1575e-7 kg/m² at 101325 Pa, 273.15 K', () => {
    // 1e-6 · 101325 / (8.314462618 · 273.15) mol/m³ · 0.01604246 kg/mol, by hand: 44.6150 mol/m³.
    expect(CH4_KG_PER_M2_PER_PPM_M).toBeCloseTo(44.615 * 0.01604246 * 1e-6, 10);
    expect(CH4_KG_PER_M2_PER_PPM_M).toBeCloseTo(7.1575e-7, 10);
    expect(kgPerM2PerPpmM(101325, 288.15) / CH4_KG_PER_M2_PER_PPM_M).toBeCloseTo(273.15 / 288.15, 12);
  });

  it('Q = U_eff · IME / L reproduces a hand calculation', () => {
    // U10 4 m/s: U_eff = 0.43 + 0.36·4 = 1.87 m/s; 100 kg over 300 m: 1.87·100/300 = 0.62333 kg/s = 2244 kg/h.
    expect(emissionRateKgPerHour(100, 300, 4)).toBeCloseTo(2244, 9);
    expect(emissionRateKgPerHour(100, 300, 4, { aMps: 0, b: 1 })).toBeCloseTo(4800, 9);
    expect(DEFAULT_UEFF_CALIBRATION).toEqual({ aMps: 0.43, b: 0.36 });
  });
});

describe('quantifyPlumes', () => {
  it('recovers the IME of a Gaussian blob on noise within 5 %', () => {
    const f = noise(11, 25);
    const trueSum = addBlob(f, 60, 70, 2000, 3);
    const trueImeKg = trueSum * PIXEL_M * PIXEL_M * CH4_KG_PER_M2_PER_PPM_M;
    const m = plumeMask(f, N, N);
    expect(m.plumes.length).toBe(1);
    const [q] = quantifyPlumes(m, f, { pixelSizeM: PIXEL_M, windSpeedMps: 3 });
    expect(Math.abs(q.imeKg / trueImeKg - 1)).toBeLessThan(0.05);
    expect(q.originLine).toBe(60); // no wind direction: the maximum
    expect(q.originSample).toBe(70);
    expect(q.maxEnhancementPpmM).toBeGreaterThan(1900);
    expect(q.maxEnhancementPpmM).toBeLessThan(2100);
    // By hand from the mask's sums.
    const p = m.plumes[0];
    const ime = p.sumEnhancementPpmM * 900 * CH4_KG_PER_M2_PER_PPM_M;
    const l = Math.sqrt(p.pixelCount * 900);
    expect(q.imeKg).toBeCloseTo(ime, 12);
    expect(q.lengthM).toBeCloseTo(l, 9);
    expect(q.rateKgPerHour).toBeCloseTo((((0.43 + 0.36 * 3) * ime) / l) * 3600, 9);
    expect(q.algorithmVersion).toMatch(/ime/);
  });

  it('a weaker blob loses its sub-threshold tail (the IME test can fail)', () => {
    const f = noise(12, 25);
    const trueSum = addBlob(f, 60, 70, 300, 3); // peak z = 12: the z < 2 tail holds ~17 % of the mass
    const m = plumeMask(f, N, N);
    expect(m.plumes.length).toBe(1);
    const [q] = quantifyPlumes(m, f, { pixelSizeM: PIXEL_M, windSpeedMps: 3 });
    expect(q.imeKg / (trueSum * 900 * CH4_KG_PER_M2_PER_PPM_M)).toBeLessThan(0.95);
  });

  it('puts the origin at the upwind end when the wind direction is given', () => {
    const f = noise(13, 20);
    // A bar along the samples (west–east), lines 60–66, samples 30–90, 400 ppm·m, with its maximum at 60.
    for (let l = 60; l <= 66; l++) for (let s = 30; s <= 90; s++) f[l * N + s] += 400;
    f[63 * N + 60] += 600;
    const m = plumeMask(f, N, N);
    expect(m.plumes.length).toBe(1);
    const opts = { pixelSizeM: PIXEL_M, windSpeedMps: 5 };
    const [still] = quantifyPlumes(m, f, opts);
    expect([still.originLine, still.originSample]).toEqual([63, 60]);
    const [fromWest] = quantifyPlumes(m, f, { ...opts, windFromDeg: 270 });
    expect(fromWest.originSample).toBe(30);
    const [fromEast] = quantifyPlumes(m, f, { ...opts, windFromDeg: 90 });
    expect(fromEast.originSample).toBe(90);
    const [fromNorth] = quantifyPlumes(m, f, { ...opts, windFromDeg: 0 });
    expect(fromNorth.originLine).toBe(60); // north-up: the top line is upwind
    const [far] = quantifyPlumes(m, f, { ...opts, windFromDeg: 270, lengthDefinition: 'max-distance-from-origin' });
    expect(far.lengthM).toBeGreaterThanOrEqual(60 * PIXEL_M);
    expect(far.lengthM).toBeLessThan(62 * PIXEL_M);
  });

  it('σ_IME is √N·σ·A·k for a constant noise, and σ_Q grows with the wind uncertainty', () => {
    const f = noise(14, 25);
    addBlob(f, 40, 40, 800, 3);
    const m = plumeMask(f, N, N, { sigmaPpmM: new Float64Array(N * N).fill(25) });
    expect(m.plumes.length).toBe(1);
    const n = m.plumes[0].pixelCount;
    const base = { pixelSizeM: PIXEL_M, windSpeedMps: 4 };
    const [q0] = quantifyPlumes(m, f, { ...base, windSpeedSigmaMps: 0 });
    expect(q0.imeSigmaKg).toBeCloseTo(Math.sqrt(n) * 25 * 900 * CH4_KG_PER_M2_PER_PPM_M, 12);
    expect(q0.rateSigmaKgPerHour / q0.rateKgPerHour).toBeCloseTo(q0.imeSigmaKg / q0.imeKg, 12);
    const [q1] = quantifyPlumes(m, f, base); // default 1.5 m/s
    const [q2] = quantifyPlumes(m, f, { ...base, windSpeedSigmaMps: 3 });
    const [q3] = quantifyPlumes(m, f, { ...base, windSpeedRelSigma: 1 }); // 4 m/s
    expect(q1.rateSigmaKgPerHour).toBeGreaterThan(q0.rateSigmaKgPerHour);
    expect(q2.rateSigmaKgPerHour).toBeGreaterThan(q1.rateSigmaKgPerHour);
    expect(q3.rateSigmaKgPerHour).toBeGreaterThan(q2.rateSigmaKgPerHour);
    // Quadrature by hand for the default: σ_Ueff = 0.36 · 1.5.
    const ueff = 0.43 + 0.36 * 4;
    const rel = Math.hypot((0.36 * 1.5) / ueff, q1.imeSigmaKg / q1.imeKg);
    expect(q1.rateSigmaKgPerHour).toBeCloseTo(q1.rateKgPerHour * rel, 9);
    expect(q1.ueffSigmaMps).toBeCloseTo(0.54, 12);
  });

  it('rejects a missing wind and bad options', () => {
    const f = noise(15, 25);
    addBlob(f, 40, 40, 800, 3);
    const m = plumeMask(f, N, N);
    const code = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        return e instanceof PlumetraceError ? e.code : 'other';
      }
      return 'none';
    };
    expect(code(() => quantifyPlumes(m, f, { pixelSizeM: 30, windSpeedMps: Number.NaN }))).toBe('PT_ERR_NO_WIND');
    expect(code(() => quantifyPlumes(m, f, { pixelSizeM: 0, windSpeedMps: 3 }))).toBe('PT_ERR_SPECTRAL_INPUT');
    expect(code(() => quantifyPlumes(m, f.subarray(1), { pixelSizeM: 30, windSpeedMps: 3 }))).toBe(
      'PT_ERR_SPECTRAL_INPUT',
    );
    expect(
      code(() => quantifyPlumes(m, f, { pixelSizeM: 30, windSpeedMps: 0, calibration: { aMps: 0, b: 0.36 } })),
    ).toBe('PT_ERR_SPECTRAL_INPUT');
    expect(code(() => quantifyPlumes(m, f, { pixelSizeM: 30, windSpeedMps: 3 }))).toBe('none');
  });
});
