/**
 * sigma_y from measured wind-direction spread (σθ, Draxler 1976) and the averaging-time correction,
 * plus regression: the original options give the original numbers bit for bit.
 *
 * Tolerances: closed-form values are checked to 1e-12 relative (same formula, different order of
 * operations); the regression values are exact (toBe); mass balance 1e-3 as elsewhere.
 */

import { describe, expect, it } from 'vitest';
import { PlumetraceError } from '../errors.ts';
import {
  averagingTimeFactor,
  draxlerFy,
  makePlumeKernel,
  type PlumeOptions,
  plumeKernel,
  plumeSigmaY,
  plumeWithSigmas,
  sigmaY,
  sigmaZ,
} from './index.ts';

const REL = 1e-12;
const rel = (a: number, b: number) => Math.abs(a / b - 1);

describe('averaging-time correction', () => {
  it('is (t/600)^0.2', () => {
    expect(averagingTimeFactor(600)).toBe(1);
    expect(rel(averagingTimeFactor(60), 0.6309573444801932)).toBeLessThan(REL); // 0.1^0.2
    expect(rel(averagingTimeFactor(3600), 1.4309690811052556)).toBeLessThan(REL); // 6^0.2
  });

  it('scales the curve sigma_y only (not sigma_z), and the kernel follows', () => {
    const o: PlumeOptions = { stability: 'D', averagingS: 60 };
    const x = 400;
    expect(rel(plumeSigmaY(x, 3, o), sigmaY(x, o) * 0.6309573444801932)).toBeLessThan(REL);
    const c = plumeKernel(x, 5, 1, 2, 3, o);
    expect(rel(c, plumeWithSigmas(plumeSigmaY(x, 3, o), sigmaZ(x, o), 5, 1, 2, 3))).toBeLessThan(REL);
    // Narrower plume, higher centreline concentration: C ∝ 1/sigma_y on the centreline.
    expect(
      rel(plumeKernel(x, 0, 1, 2, 3, o) / plumeKernel(x, 0, 1, 2, 3, { stability: 'D' }), 1 / 0.6309573444801932),
    ).toBeLessThan(1e-12);
  });
});

describe('sigma_y from σθ (Draxler 1976)', () => {
  it('f_y = 1/(1 + 0.9·sqrt(t/1000 s))', () => {
    expect(draxlerFy(0)).toBe(1);
    expect(rel(draxlerFy(1000), 1 / 1.9)).toBeLessThan(REL);
    expect(rel(draxlerFy(250), 1 / 1.45)).toBeLessThan(REL);
  });

  it('σy = max(curve, σθ·x·f_y(x/u)): a worked example', () => {
    // σθ = 10°, x = 500 m, u = 5 m/s: t = 100 s, f = 1/(1 + 0.9·√0.1) = 0.778452…,
    // σθ·x·f = 0.1745329·500·0.778452 = 67.9325 m > Briggs D curve 39.04 m.
    const o: PlumeOptions = { stability: 'D', sigmaThetaDeg: 10 };
    const want = ((10 * Math.PI) / 180) * 500 * (1 / (1 + 0.9 * Math.sqrt(0.1)));
    expect(want).toBeCloseTo(67.9325, 4);
    expect(sigmaY(500, o)).toBeCloseTo(39.04, 2);
    expect(rel(plumeSigmaY(500, 5, o), want)).toBeLessThan(REL);
    // A small σθ never narrows the curve.
    expect(plumeSigmaY(500, 5, { stability: 'D', sigmaThetaDeg: 1 })).toBe(sigmaY(500, o));
  });

  it('does not apply the averaging time to the σθ spread', () => {
    const theta: PlumeOptions = { stability: 'E', sigmaThetaDeg: 20 };
    const both: PlumeOptions = { stability: 'E', sigmaThetaDeg: 20, averagingS: 30 };
    // σθ wins here, so averagingS changes nothing.
    expect(plumeSigmaY(300, 2, both)).toBe(plumeSigmaY(300, 2, theta));
    expect(plumeKernel(300, 10, 1, 0, 2, both)).toBe(plumeKernel(300, 10, 1, 0, 2, theta));
    // Where the curve wins, only the curve is scaled.
    const small: PlumeOptions = { stability: 'B', sigmaThetaDeg: 2, averagingS: 3600 };
    expect(rel(plumeSigmaY(300, 2, small), sigmaY(300, small) * averagingTimeFactor(3600))).toBeLessThan(REL);
  });

  it('the kernel uses plumeSigmaY and still conserves mass', () => {
    const o: PlumeOptions = { stability: 'F', sigmaThetaDeg: 25, averagingS: 120 };
    const x = 600;
    const u = 2;
    const h = 3;
    const sy = plumeSigmaY(x, u, o);
    const sz = sigmaZ(x, o);
    expect(sy).toBeGreaterThan(sigmaY(x, o));
    const k = makePlumeKernel(o);
    expect(rel(k(x, 17, 2, h, u), plumeWithSigmas(sy, sz, 17, 2, h, u))).toBeLessThan(REL);
    const dy = sy / 20;
    const dz = sz / 20;
    let sum = 0;
    for (let y = -8 * sy; y <= 8 * sy; y += dy) {
      for (let z = dz / 2; z <= h + 8 * sz; z += dz) sum += k(x, y, z, h, u);
    }
    expect(Math.abs(sum * dy * dz * u - 1)).toBeLessThan(1e-3);
  });

  it('rejects negative or non-finite σθ and non-positive averaging times', () => {
    const bad: PlumeOptions[] = [
      { stability: 'D', sigmaThetaDeg: -1 },
      { stability: 'D', sigmaThetaDeg: Number.NaN },
      { stability: 'D', sigmaThetaDeg: Number.POSITIVE_INFINITY },
      { stability: 'D', averagingS: 0 },
      { stability: 'D', averagingS: -60 },
      { stability: 'D', averagingS: Number.POSITIVE_INFINITY },
    ];
    for (const o of bad) {
      expect(() => makePlumeKernel(o)).toThrow(PlumetraceError);
      expect(() => plumeKernel(100, 0, 0, 0, 3, o)).toThrow(/PT_ERR_BAD_REQUEST/);
      expect(() => plumeSigmaY(100, 3, o)).toThrow(/PT_ERR_BAD_REQUEST/);
    }
  });
});

describe('every closure of makePlumeKernel', () => {
  it("gives plumeKernel's numbers exactly, for each family × lid × σθ × averaging combination", () => {
    const points = [
      [40, 1, 1.5, 0, 2],
      [350, -25, 12, 8, 4],
      [2500, 90, 3, 30, 6],
      [800, 0, 140, 20, 3], // near / above a 150-m lid
      [600, 10, 170, 160, 3], // source and receptor above it
    ] as const;
    for (const base of [{ stability: 'C' }, { stability: 'E', scheme: 'isc3' }, { stability: 'A', terrain: 'urban' }]) {
      for (const mixingHeightM of [undefined, 150]) {
        for (const sigmaThetaDeg of [undefined, 0, 14]) {
          for (const averagingS of [undefined, 45]) {
            const o = { ...base, mixingHeightM, sigmaThetaDeg, averagingS } as PlumeOptions;
            const k = makePlumeKernel(o);
            for (const [x, y, z, h, u] of points) {
              const v = plumeKernel(x, y, z, h, u, o);
              expect(Number.isFinite(v)).toBe(true);
              expect(k(x, y, z, h, u), JSON.stringify(o)).toBe(v);
            }
          }
        }
      }
    }
  });
});

describe('regression: the original options give the original numbers', () => {
  // Computed with the kernel before the lid, σθ and averaging-time options existed (plumeKernel and
  // makePlumeKernel agreed on every one). Regenerate only on purpose.
  const GOLDEN: [PlumeOptions, number[]][] = [
    [
      { stability: 'A' },
      [0.0028908064036633407, 0.000047157107653095716, 0.0000012947531015308198, 1.598687941436368e-7],
    ],
    [
      { stability: 'D' },
      [0.02126702265099207, 0.0003058405854517399, 0.00001346545200951656, 0.0000034813386843561233],
    ],
    [
      { stability: 'F' },
      [0.005271494430334555, 0.00034352666764129596, 0.000012525137366134588, 0.000013553684804369056],
    ],
    [
      { stability: 'B', terrain: 'urban' },
      [0.0016488511209205926, 0.000026268897935963767, 6.090064643004876e-7, 5.529445810895016e-8],
    ],
    [
      { stability: 'E', terrain: 'urban' },
      [0.013114163939403178, 0.00021513857492888553, 0.000009321857457990845, 0.0000026161963923046478],
    ],
    [
      { stability: 'A', scheme: 'isc3' },
      [0.002826807699905576, 0.000056120429672055976, 6.430526041207166e-7, 2.840252820392968e-8],
    ],
    [
      { stability: 'C', scheme: 'isc3' },
      [0.010323973559348642, 0.00020027903779063085, 0.000007479323709800018, 0.0000011416732850592449],
    ],
    [
      { stability: 'F', scheme: 'isc3' },
      [0.03317907967778352, 0.0003015669878844036, 0.000014927705427409572, 0.000012412627446039726],
    ],
  ];
  const POINTS = [
    [35, 0, 1.5, 0, 2],
    [180, -12, 3, 5, 4.5],
    [900, 40, 0, 20, 7],
    [4200, -150, 10, 2, 3],
  ] as const;

  it('plumeKernel and makePlumeKernel match the pre-change values exactly', () => {
    for (const [o, values] of GOLDEN) {
      const k = makePlumeKernel(o);
      POINTS.forEach(([x, y, z, h, u], i) => {
        expect(plumeKernel(x, y, z, h, u, o), `${JSON.stringify(o)} point ${i}`).toBe(values[i]);
        expect(k(x, y, z, h, u), `${JSON.stringify(o)} point ${i}`).toBe(values[i]);
      });
    }
  });

  it('neutral values of the new options (no lid, σθ = 0, 10-minute averaging) change nothing', () => {
    for (const [o, values] of GOLDEN) {
      const neutral: PlumeOptions = {
        ...o,
        mixingHeightM: Number.POSITIVE_INFINITY,
        sigmaThetaDeg: 0,
        averagingS: 600,
      };
      const k = makePlumeKernel(neutral);
      POINTS.forEach(([x, y, z, h, u], i) => {
        expect(plumeKernel(x, y, z, h, u, neutral)).toBe(values[i]);
        expect(k(x, y, z, h, u)).toBe(values[i]);
      });
      expect(plumeSigmaY(250, 3, neutral)).toBe(sigmaY(250, o));
    }
  });
});
