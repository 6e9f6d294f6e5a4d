/**
 * Seeded pseudo-random numbers: sfc32 (Chris Doty-Humphrey's Small Fast Counting generator, 128-bit
 * state, passes PractRand/BigCrush) seeded through splitmix32, with Box–Muller normals.
 *
 * Pure (no Node APIs) and allocation-free per draw, so samplers anywhere can reuse it. Not for
 * cryptography.
 */

import { PlumetraceError } from './errors.ts';

const TWO_PI = 2 * Math.PI;
const TWO_POW_32 = 4294967296;
const TWO_POW_MINUS_53 = 1 / 9007199254740992;

export class Rng {
  #a: number;
  #b: number;
  #c: number;
  #d: number;
  /** The second normal of the last Box–Muller pair, NaN when none is waiting. */
  #spare = Number.NaN;

  /** `seed`: any finite number (integers are the norm); equal seeds give equal streams. */
  constructor(seed: number) {
    if (!Number.isFinite(seed))
      throw new PlumetraceError('PT_ERR_BAD_REQUEST', `seed must be a finite number, got ${seed}`);
    // Both 32-bit halves of an integer seed (up to 2^53) feed the state, through splitmix32.
    const lo = seed >>> 0;
    const hi = Number.isInteger(seed) ? Math.floor(seed / TWO_POW_32) >>> 0 : Math.floor((seed % 1) * TWO_POW_32) >>> 0;
    let s = (lo ^ Math.imul(hi, 0x9e3779b1)) | 0;
    const next = (): number => {
      s = (s + 0x9e3779b9) | 0;
      let z = s ^ (s >>> 16);
      z = Math.imul(z, 0x21f0aaad);
      z ^= z >>> 15;
      z = Math.imul(z, 0x735a2d97);
      z ^= z >>> 15;
      return z | 0;
    };
    this.#a = next();
    this.#b = next();
    this.#c = next();
    this.#d = next();
    for (let i = 0; i < 15; i++) this.uint32();
  }

  /** Uniform integer in [0, 2^32). */
  uint32(): number {
    const a = this.#a;
    const b = this.#b;
    const c = this.#c;
    const d = this.#d;
    const t = (((a + b) | 0) + d) | 0;
    this.#a = b ^ (b >>> 9);
    this.#b = (c + (c << 3)) | 0;
    this.#c = (((c << 21) | (c >>> 11)) + t) | 0;
    this.#d = (d + 1) | 0;
    return t >>> 0;
  }

  /** Uniform double in [0, 1) with 53 random bits. */
  uniform(): number {
    const hi = this.uint32() >>> 5; // 27 bits
    const lo = this.uint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) * TWO_POW_MINUS_53;
  }

  /** Uniform integer in [0, n) for 1 <= n <= 2^32 (n is floored). */
  int(n: number): number {
    return Math.floor(this.uniform() * Math.floor(n));
  }

  /** Normal deviate with the given mean and standard deviation (Box–Muller, both values used). */
  normal(mean = 0, sd = 1): number {
    let z = this.#spare;
    if (Number.isNaN(z)) {
      const u1 = 1 - this.uniform(); // (0, 1]: log is finite
      const r = Math.sqrt(-2 * Math.log(u1));
      const theta = TWO_PI * this.uniform();
      z = r * Math.cos(theta);
      this.#spare = r * Math.sin(theta);
    } else {
      this.#spare = Number.NaN;
    }
    return mean + sd * z;
  }

  /** Fills `out` with normal deviates; returns it. */
  fillNormal(out: Float64Array, mean = 0, sd = 1): Float64Array {
    for (let i = 0; i < out.length; i++) out[i] = this.normal(mean, sd);
    return out;
  }
}

/** A seeded generator (same as `new Rng(seed)`). */
export function createRng(seed: number): Rng {
  return new Rng(seed);
}
