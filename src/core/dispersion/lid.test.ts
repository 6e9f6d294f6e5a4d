/**
 * Mixing-height lid (method of images, well-mixed limit, sources above the lid).
 *
 * Tolerances:
 * - image sum against a brute-force sum of ±400 image pairs: relative 1e-6 (the brief's convergence);
 * - image sum vs well-mixed form at the σz = 1.6·L switch: relative 2e-5 (Poisson summation puts the
 *   jump at about 1e-5);
 * - mass balance ∫∫u·C dy dz = 1 on a grid of σ/20 cells: absolute 1e-3 (as in dispersion.test.ts);
 * - identities (lid far away vs no lid, kernel vs plumeWithSigmas): exact.
 */

import { describe, expect, it } from 'vitest';
import { PlumetraceError } from '../errors.ts';
import { STABILITY_CLASSES } from '../types.ts';
import {
  makePlumeKernel,
  type PlumeOptions,
  plumeKernel,
  plumeWithSigmas,
  sigmaY,
  sigmaZ,
  WELL_MIXED_SIGMA_Z_RATIO,
} from './index.ts';

/** Ground-and-lid image sum by brute force: n = −400..400, both families, no early stop. */
function bruteForceLid(sy: number, sz: number, y: number, z: number, h: number, u: number, lid: number): number {
  let sum = 0;
  for (let n = -400; n <= 400; n++) {
    const a = (z - h - 2 * n * lid) / sz;
    const b = (z + h - 2 * n * lid) / sz;
    sum += Math.exp(-0.5 * a * a) + Math.exp(-0.5 * b * b);
  }
  return (Math.exp((-0.5 * y * y) / (sy * sy)) * sum) / (2 * Math.PI * u * sy * sz);
}

/** Downwind distance (m) at which sigma_z reaches `target`, by bisection (sigma_z increases with x). */
function xWhereSigmaZ(target: number, o: PlumeOptions): number {
  let lo = 1;
  let hi = 1e6;
  for (let i = 0; i < 200; i++) {
    const mid = 0.5 * (lo + hi);
    if (sigmaZ(mid, o) < target) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}

describe('mixing-height lid', () => {
  it('sums the images to 1e-6 of a brute-force sum of 801 image pairs', () => {
    const lid = 200;
    for (const ratio of [0.05, 0.3, 0.7, 1, 1.3, 1.59]) {
      const sz = ratio * lid;
      for (const [z, h] of [
        [0, 0],
        [1.5, 0],
        [0, 10],
        [150, 30],
        [200, 0],
        [200, 200],
        [199, 190],
        [60, 140],
      ]) {
        const got = plumeWithSigmas(40, sz, 12, z, h, 3, lid);
        const want = bruteForceLid(40, sz, 12, z, h, 3, lid);
        expect(Math.abs(got / want - 1), `σz/L=${ratio} z=${z} H=${h}`).toBeLessThan(1e-6);
      }
    }
  });

  it('is the well-mixed form beyond σz = 1.6·L, and continuous at the switch (2e-5)', () => {
    const lid = 150;
    const sy = 300;
    const u = 4;
    const y = 120;
    const wellMixed = Math.exp((-0.5 * y * y) / (sy * sy)) / (Math.sqrt(2 * Math.PI) * u * sy * lid);
    for (const z of [0, 40, 150]) {
      expect(plumeWithSigmas(sy, 2 * lid, y, z, 25, u, lid)).toBe(wellMixed);
      const below = plumeWithSigmas(sy, WELL_MIXED_SIGMA_Z_RATIO * lid * (1 - 1e-12), y, z, 25, u, lid);
      const above = plumeWithSigmas(sy, WELL_MIXED_SIGMA_Z_RATIO * lid * (1 + 1e-12), y, z, 25, u, lid);
      expect(Math.abs(below / above - 1)).toBeLessThan(2e-5);
    }
  });

  it('conserves mass between the ground and the lid, before and after the well-mixed switch', () => {
    const lid = 120;
    const u = 3;
    const h = 20;
    for (const o of [{ stability: 'C' }, { stability: 'D', scheme: 'isc3' }] as PlumeOptions[]) {
      const ol = { ...o, mixingHeightM: lid };
      for (const szTarget of [0.4 * lid, 1.2 * lid, 1.8 * lid, 4 * lid]) {
        const x = xWhereSigmaZ(szTarget, o);
        const sy = sigmaY(x, o);
        const dy = sy / 20;
        const dz = lid / 400;
        let sum = 0;
        for (let y = -8 * sy; y <= 8 * sy; y += dy) {
          for (let z = dz / 2; z < lid; z += dz) sum += plumeKernel(x, y, z, h, u, ol);
        }
        expect(Math.abs(sum * dy * dz * u - 1), `${o.stability} σz=${szTarget}`).toBeLessThan(1e-3);
      }
    }
  });

  it('gives 0 above the lid for a source below it, and 0 at and below the lid for a source above it', () => {
    const o: PlumeOptions = { stability: 'D', mixingHeightM: 100 };
    expect(plumeKernel(500, 0, 100.001, 20, 3, o)).toBe(0);
    expect(plumeKernel(500, 0, 100, 20, 3, o)).toBeGreaterThan(0);
    for (const z of [0, 50, 100]) expect(plumeKernel(500, 0, z, 130, 3, o)).toBe(0);
    expect(plumeKernel(500, 0, 125, 130, 3, o)).toBeGreaterThan(0);
  });

  it('a source above the lid: the lid is a reflecting floor, mass conserved above it', () => {
    const lid = 100;
    const h = 140;
    const x = 800;
    const u = 5;
    const o: PlumeOptions = { stability: 'E', mixingHeightM: lid };
    const sy = sigmaY(x, o);
    const sz = sigmaZ(x, o);
    // The formula: direct term plus its image in the lid.
    const z = 110;
    const want =
      (Math.exp(-0.5 * ((z - h) / sz) ** 2) + Math.exp(-0.5 * ((z + h - 2 * lid) / sz) ** 2)) /
      (2 * Math.PI * u * sy * sz);
    expect(Math.abs(plumeKernel(x, 0, z, h, u, o) / want - 1)).toBeLessThan(1e-12);
    const dy = sy / 20;
    const dz = sz / 20;
    let sum = 0;
    for (let y = -8 * sy; y <= 8 * sy; y += dy) {
      for (let zz = lid + dz / 2; zz <= h + 8 * sz; zz += dz) sum += plumeKernel(x, y, zz, h, u, o);
    }
    expect(Math.abs(sum * dy * dz * u - 1)).toBeLessThan(1e-3);
  });

  it('a lid far above the plume gives exactly the unbounded plume; Infinity means no lid', () => {
    for (const c of STABILITY_CLASSES) {
      for (const base of [
        { stability: c },
        { stability: c, scheme: 'isc3' as const },
        { stability: c, terrain: 'urban' as const },
      ]) {
        const far = { ...base, mixingHeightM: 1e7 };
        const inf = { ...base, mixingHeightM: Number.POSITIVE_INFINITY };
        for (const [x, y, z, h] of [
          [80, 3, 1.5, 0],
          [700, -40, 10, 25],
        ]) {
          const plain = plumeKernel(x, y, z, h, 3, base);
          expect(plumeKernel(x, y, z, h, 3, far)).toBe(plain);
          expect(makePlumeKernel(far)(x, y, z, h, 3)).toBe(plain);
          expect(plumeKernel(x, y, z, h, 3, inf)).toBe(plain);
          expect(makePlumeKernel(inf)(x, y, z, h, 3)).toBe(plain);
        }
      }
    }
  });

  it('makePlumeKernel, plumeKernel and plumeWithSigmas agree with a lid', () => {
    for (const o of [
      { stability: 'A', mixingHeightM: 300 },
      { stability: 'F', scheme: 'isc3', mixingHeightM: 50 },
      { stability: 'B', terrain: 'urban', mixingHeightM: 400 },
    ] as PlumeOptions[]) {
      const k = makePlumeKernel(o);
      for (const [x, y, z, h] of [
        [60, 2, 1, 0],
        [900, -30, 20, 10],
        [5000, 300, 2, 40],
      ]) {
        const v = plumeKernel(x, y, z, h, 2.5, o);
        expect(k(x, y, z, h, 2.5)).toBe(v);
        expect(plumeWithSigmas(sigmaY(x, o), sigmaZ(x, o), y, z, h, 2.5, o.mixingHeightM)).toBe(v);
      }
    }
  });

  it('raises ground-level concentrations far downwind above the unbounded plume', () => {
    const o: PlumeOptions = { stability: 'C' };
    const lidded: PlumeOptions = { stability: 'C', mixingHeightM: 150 };
    expect(plumeKernel(3000, 0, 0, 5, 3, lidded)).toBeGreaterThan(plumeKernel(3000, 0, 0, 5, 3, o));
    expect(plumeKernel(30, 0, 0, 5, 3, lidded)).toBe(plumeKernel(30, 0, 0, 5, 3, o));
  });

  it('rejects a non-positive or NaN mixing height with PT_ERR_BAD_REQUEST', () => {
    for (const mixingHeightM of [0, -10, Number.NaN]) {
      const o: PlumeOptions = { stability: 'D', mixingHeightM };
      expect(() => makePlumeKernel(o)).toThrow(PlumetraceError);
      expect(() => plumeKernel(100, 0, 0, 0, 3, o)).toThrow(/PT_ERR_BAD_REQUEST/);
      expect(() => plumeWithSigmas(10, 5, 0, 0, 0, 3, mixingHeightM)).toThrow(/PT_ERR_BAD_REQUEST/);
    }
  });
});
