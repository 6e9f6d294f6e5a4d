import { describe, expect, it } from 'vitest';
import { logNormalCdf, normalCdf, normalPdf } from './normal.ts';

describe('standard normal', () => {
  it('matches tabulated values (Φ to 1e-7, φ exactly)', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(-1)).toBeCloseTo(0.158655254, 7);
    expect(normalCdf(1.959964)).toBeCloseTo(0.975, 7);
    expect(normalCdf(-3)).toBeCloseTo(0.00134989803, 8);
    expect(normalPdf(0)).toBeCloseTo(0.3989422804, 10);
  });
  it('log-CDF agrees with the CDF where both are representable, and holds in the far tail', () => {
    for (const x of [-5, -2, -0.3, 0, 0.7, 2.5]) expect(Math.exp(logNormalCdf(x)) / normalCdf(x)).toBeCloseTo(1, 6);
    // Φ(−30) ≈ 4.906713927e-198: beyond it Φ underflows, ln Φ does not.
    expect(logNormalCdf(-30) / Math.log(4.906713927e-198)).toBeCloseTo(1, 6);
  });
});
