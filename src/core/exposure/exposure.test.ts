import { describe, expect, it } from 'vitest';
import { sigmaY, sigmaZ } from '../dispersion/index.ts';
import { PlumetraceError } from '../errors.ts';
import { STABILITY_CLASSES } from '../types.ts';
import { ppmPerKgPerM3 } from '../units.ts';
import { type ExposureInput, exposureEstimate, exposureGrid } from './index.ts';

const BASE: ExposureInput = {
  gas: 'NH3',
  rateKgPerHour: 5,
  rateKgPerHourCi90: [2, 12],
  sourceHeightM: 0,
  windSpeedMps: 3,
  stability: 'D',
};

function expectBadRequest(f: () => unknown, field: string): void {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(PlumetraceError);
    expect((e as PlumetraceError).code).toBe('PT_ERR_BAD_REQUEST');
    expect((e as PlumetraceError).message).toContain(field);
    return;
  }
  throw new Error(`expected PT_ERR_BAD_REQUEST naming ${field}`);
}

describe('exposureEstimate', () => {
  it('crosses a threshold where the hand-computed ground-level centreline Q/(π·u·σy·σz) does (within 1%)', () => {
    // Ground-level source and receptor, class D, Briggs open country, 5 m/s at 10 m.
    // At x = 1000 m: σy = 0.08·x/sqrt(1 + 0.0001·x) = 80/sqrt(1.1), σz = 0.06·x/sqrt(1 + 0.0015·x) = 60/sqrt(2.5).
    const sy = 80 / Math.sqrt(1.1);
    const sz = 60 / Math.sqrt(2.5);
    expect(sigmaY(1000, { stability: 'D' })).toBeCloseTo(sy, 6);
    expect(sigmaZ(1000, { stability: 'D' })).toBeCloseTo(sz, 6);
    // The wind carrying a ground release is the power-law wind at 1 m: u = 5·(1/10)^0.15 (ISC3 rural, D).
    const u = 5 * 0.1 ** 0.15;
    const rateKgPerHour = 36;
    const q = rateKgPerHour / 3600;
    // ppm = c · R·T/(p·M) · 1e6 for CH4 (16.043 g/mol) at 15 °C, 1 atm.
    const ppmPerKgM3 = ((8.314462618 * 288.15) / 101325 / 0.016043) * 1e6;
    expect(ppmPerKgPerM3('CH4')).toBeCloseTo(ppmPerKgM3, 3);
    const thresholdPpm = (q / (Math.PI * u * sy * sz)) * ppmPerKgM3;
    const r = exposureEstimate({
      gas: 'CH4',
      rateKgPerHour,
      rateKgPerHourCi90: [rateKgPerHour, rateKgPerHour],
      sourceHeightM: 0,
      receptorHeightM: 0,
      windSpeedMps: 5,
      stability: 'D',
      thresholdsPpm: [thresholdPpm],
    });
    const d = r.thresholds[0].maxDistanceM.central;
    expect(Math.abs(d - 1000) / 1000).toBeLessThan(0.01);
    expect(r.cases.central.transportWindMps).toBeCloseTo(u, 9);
  });

  it('reaches farther with a larger rate and with more stable air (A to F, ground source)', () => {
    const byRate = [0.5, 2, 8, 32].map(
      (rateKgPerHour) =>
        exposureEstimate({ ...BASE, rateKgPerHour, rateKgPerHourCi90: [rateKgPerHour, rateKgPerHour] }).thresholds[0]
          .maxDistanceM.central,
    );
    for (let i = 1; i < byRate.length; i++) expect(byRate[i]).toBeGreaterThan(byRate[i - 1]);
    for (const thresholdPpm of [1, 10]) {
      const byClass = STABILITY_CLASSES.map(
        (stability) =>
          exposureEstimate({ ...BASE, stability, thresholdsPpm: [thresholdPpm] }).thresholds[0].maxDistanceM.central,
      );
      for (let i = 1; i < byClass.length; i++) expect(byClass[i]).toBeGreaterThan(byClass[i - 1]);
    }
  });

  it('orders the interval bounds: lo <= central <= hi <= upper, for distance, area and peak', () => {
    const r = exposureEstimate({ ...BASE, stability: { B: 0.1, C: 0.3, D: 0.5, E: 0.1 } });
    expect(r.stability).toMatchObject({ central: 'D', leastStable: 'B', mostStable: 'E' });
    const spreads = [r.peakPpm, ...r.thresholds.flatMap((t) => [t.maxDistanceM, t.areaM2])];
    for (const s of spreads) {
      expect(s.lo).toBeGreaterThan(0);
      expect(s.lo).toBeLessThanOrEqual(s.central);
      expect(s.central).toBeLessThanOrEqual(s.hi);
      expect(s.hi).toBeLessThanOrEqual(s.upper);
      expect(s.mostStable).toBeLessThanOrEqual(s.upper);
    }
    for (const t of r.thresholds) {
      expect(t.worstStabilityForDistance).toBe('E');
      expect(t.maxDistanceM.mostStable).toBeGreaterThan(t.maxDistanceM.leastStable);
    }
    // The peak scales with the rate.
    expect(r.peakPpm.hi / r.peakPpm.central).toBeCloseTo(12 / 5, 9);
  });

  it('drops classes a prior barely supports from the plausible set, but keeps the mode', () => {
    const r = exposureEstimate({ ...BASE, stability: { A: 0.01, D: 0.9, F: 0.09 } });
    expect(r.stability.plausible).toEqual(['D', 'F']);
    const s = exposureEstimate({ ...BASE, stability: { A: 1, F: 1 } });
    expect(s.stability.central).toBe('F'); // ties go to the more stable class
  });

  it('gives areas >= 0 that agree with a fine count of grid cells above the threshold (within 3%)', () => {
    for (const input of [
      { ...BASE, windFromDeg: 237 },
      { ...BASE, stability: 'F' as const, sourceHeightM: 3, windFromDeg: 10 },
    ]) {
      const r = exposureEstimate(input);
      for (const t of r.thresholds) {
        const d = t.maxDistanceM.central;
        const area = t.areaM2.central;
        expect(area).toBeGreaterThan(0);
        const cellM = d / 500;
        const g = exposureGrid({ ...input, thresholdsPpm: [t.thresholdPpm], cellM, extentM: d * 1.05 });
        let cells = 0;
        for (const p of g.ppm) if (p > t.thresholdPpm) cells++;
        const gridArea = cells * cellM * cellM;
        expect(Math.abs(gridArea - area) / area).toBeLessThan(0.03);
      }
    }
  });

  it('reports zero distance and area for a zero rate or a threshold above the peak', () => {
    const z = exposureEstimate({ ...BASE, rateKgPerHour: 0, rateKgPerHourCi90: [0, 1] });
    expect(z.thresholds[0].maxDistanceM.central).toBe(0);
    expect(z.thresholds[0].areaM2.central).toBe(0);
    expect(z.peakPpm.central).toBe(0);
    const r = exposureEstimate({ ...BASE, thresholdsPpm: [1e6] });
    expect(r.thresholds[0].maxDistanceM.hi).toBe(0);
    expect(r.thresholds[0].areaM2.upper).toBe(0);
  });

  it('flags a threshold still exceeded at the end of the range', () => {
    const r = exposureEstimate({ ...BASE, maxRangeM: 50 });
    expect(r.thresholds[0].beyondRange).toBe(true);
    expect(r.thresholds[0].maxDistanceM.central).toBe(50);
    expect(r.warnings.some((w) => w.includes('lower bounds'))).toBe(true);
  });

  it('finds the peak of an elevated release downwind of the source', () => {
    const r = exposureEstimate({ ...BASE, sourceHeightM: 10, stability: 'C' });
    expect(r.peakAtXM.central).toBeGreaterThan(20);
    expect(r.peakPpm.central).toBeGreaterThan(0);
    // The maximum over a fine scan of the centreline is no higher than the reported peak.
    const g = exposureGrid({ ...BASE, sourceHeightM: 10, stability: 'C', windFromDeg: 270, cellM: 0.5, extentM: 400 });
    const row = g.ny / 2; // y = +0.25 m: next to the centreline
    let max = 0;
    for (let i = 0; i < g.nx; i++) max = Math.max(max, g.ppm[row * g.nx + i]);
    expect(max).toBeLessThanOrEqual(r.peakPpm.central * (1 + 1e-6));
    expect(max).toBeGreaterThan(r.peakPpm.central * 0.99);
  });

  it('rejects bad input with PT_ERR_BAD_REQUEST naming the field', () => {
    expectBadRequest(() => exposureEstimate({ ...BASE, rateKgPerHour: -1 }), 'rateKgPerHour');
    expectBadRequest(() => exposureEstimate({ ...BASE, rateKgPerHourCi90: [-1, 3] }), 'rateKgPerHourCi90');
    expectBadRequest(() => exposureEstimate({ ...BASE, rateKgPerHourCi90: [6, 12] }), 'rateKgPerHourCi90');
    expectBadRequest(() => exposureEstimate({ ...BASE, thresholdsPpm: [1, 0] }), 'thresholdsPpm');
    expectBadRequest(() => exposureEstimate({ ...BASE, thresholdsPpm: [-5] }), 'thresholdsPpm');
    expectBadRequest(() => exposureEstimate({ ...BASE, thresholdsPpm: [Number.NaN] }), 'thresholdsPpm');
    expectBadRequest(() => exposureEstimate({ ...BASE, thresholdsPpm: [] }), 'thresholdsPpm');
    expectBadRequest(() => exposureEstimate({ ...BASE, gas: 'XYZ' }), 'gas');
    expectBadRequest(() => exposureEstimate({ ...BASE, windSpeedMps: 0 }), 'windSpeedMps');
    expectBadRequest(() => exposureEstimate({ ...BASE, sourceHeightM: -2 }), 'sourceHeightM');
    expectBadRequest(() => exposureEstimate({ ...BASE, receptorHeightM: -1 }), 'receptorHeightM');
    expectBadRequest(() => exposureEstimate({ ...BASE, stability: 'G' as never }), 'stability');
    expectBadRequest(() => exposureEstimate({ ...BASE, stability: { D: 0 } }), 'stability');
    expectBadRequest(() => exposureGrid({ ...BASE, windFromDeg: 0, cellM: 0, extentM: 100 }), 'cellM');
    expectBadRequest(() => exposureGrid({ ...BASE, windFromDeg: Number.NaN, cellM: 1, extentM: 100 }), 'windFromDeg');
    expectBadRequest(() => exposureGrid({ ...BASE, windFromDeg: 0, cellM: 0.01, extentM: 1e5 }), 'cellM');
  });

  it('knows the extra laboratory gases', () => {
    const r = exposureEstimate({ ...BASE, gas: 'ph3' });
    expect(r.gas).toBe('PH3');
    expect(r.thresholds[0].maxDistanceM.central).toBeGreaterThan(0);
  });
});

describe('exposureGrid', () => {
  it('lays out a square grid around the source, zero upwind, plume downwind', () => {
    // Wind from the west (270°) blows toward the east (+x).
    const g = exposureGrid({ ...BASE, windFromDeg: 270, cellM: 2, extentM: 101 });
    expect(g.nx).toBe(102);
    expect(g.ny).toBe(102);
    expect(g.x0).toBe(-101);
    expect(g.y0).toBe(-101);
    expect(g.ppm).toHaveLength(102 * 102);
    let upwind = 0;
    let downwind = 0;
    for (let j = 0; j < g.ny; j++) {
      for (let i = 0; i < g.nx; i++) {
        const x = g.x0 + i * g.cellM;
        const p = g.ppm[j * g.nx + i];
        if (x < 0) upwind = Math.max(upwind, p);
        else downwind = Math.max(downwind, p);
      }
    }
    expect(upwind).toBe(0);
    expect(downwind).toBeGreaterThan(0);
    // Wind from the north blows south: the plume is where y < 0, symmetric about x = 0.
    const s = exposureGrid({ ...BASE, windFromDeg: 0, cellM: 2, extentM: 101 });
    const at = (x: number, y: number): number =>
      s.ppm[Math.round((y - s.y0) / s.cellM) * s.nx + Math.round((x - s.x0) / s.cellM)];
    expect(at(1, -51)).toBeGreaterThan(0);
    expect(at(1, 51)).toBe(0);
    expect(at(-5, -51)).toBeCloseTo(at(5, -51), 5);
  });
});
