/**
 * The Gaussian plume against data/dispersion/gaussian_reference_values.csv (read, not hard-coded),
 * plus properties the reference rows do not pin down (reflection, upwind zero, mass balance).
 *
 * Every row of the CSV is either checked by the handler for its `quantity`, or listed in SKIPPED
 * with the reason. A row with a quantity no handler knows fails the suite, so a new reference row
 * cannot slip in unchecked.
 *
 * Tolerances:
 * - RSDM / GDJL rows are regression values of the same closed-form formulas: relative 1e-9.
 * - TURNER70 rows are read off Turner's graphs (two significant figures): the concentration computed
 *   with the sigmas stated in the row must match within 5 %, and with our ISC3 sigmas within 10 %.
 */

import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { PlumetraceError } from '../errors.ts';
import { STABILITY_CLASSES, type StabilityClass } from '../types.ts';
import {
  makePlumeKernel,
  type PlumeOptions,
  plumeKernel,
  plumeWithSigmas,
  sigmaY,
  sigmaZ,
  type Terrain,
  transportWindMps,
  windAtHeight,
  windProfileExponent,
} from './index.ts';

const CSV_URL = new URL('../../../data/dispersion/gaussian_reference_values.csv', import.meta.url);

interface RefRow {
  case_id: string;
  source: string;
  quantity: string;
  stability: string;
  inputs: string;
  expected: string;
  units: string;
  notes: string;
}

const ROWS: RefRow[] = parse(readFileSync(CSV_URL, 'utf8'), {
  columns: true,
  comment: '#',
  comment_no_infix: true,
  skip_empty_lines: true,
  trim: true,
});
const BY_ID = new Map(ROWS.map((r) => [r.case_id, r]));

const REL_FORMULA = 1e-9;
const REL_TURNER_GIVEN_SIGMAS = 0.05;
const REL_TURNER_ISC3_SIGMAS = 0.1;

/** Rows deliberately not tested, with the reason. */
const SKIPPED: Record<string, string> = {
  PR1: 'Briggs plume rise is out of scope: plumetrace models passive releases at their effective height (no buoyant or momentum rise).',
};

/** One numeric comparison produced by a handler. */
interface Check {
  label: string;
  actual: number;
  expected: number;
  rel: number;
}

// ---------- parsing helpers ----------

function num(s: string, what: string): number {
  const v = Number(s);
  if (s.trim() === '' || (Number.isNaN(v) && s.trim() !== 'NaN')) throw new Error(`not a number for ${what}: "${s}"`);
  return v;
}

/** "Q=3 g/s; H=0; u=7 m/s" → {Q: 3, H: 0, u: 7} (units are checked by the caller where they matter). */
function keyValues(inputs: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of inputs.split(';')) {
    const m = /^\s*([A-Za-z_]+)\s*=\s*([-+0-9.eE]+)/.exec(part);
    if (m) out[m[1]] = num(m[2], m[1]);
  }
  return out;
}

/** "x=0.5 km" or "x=1.2 m" → metres. */
function distanceM(inputs: string): number {
  const m = /x\s*=\s*([-+0-9.eE]+)\s*(km|m)\b/.exec(inputs);
  if (!m) throw new Error(`no distance in "${inputs}"`);
  return num(m[1], 'x') * (m[2] === 'km' ? 1000 : 1);
}

/** "D" → one class; "A..F" → all; "D rural" / "A urban" → class and terrain. */
function stabilities(field: string): { classes: StabilityClass[]; terrain?: Terrain } {
  const m = /^([A-F])(?:\.\.([A-F]))?(?:\s+(rural|urban))?$/.exec(field);
  if (!m) throw new Error(`bad stability field "${field}"`);
  const from = STABILITY_CLASSES.indexOf(m[1] as StabilityClass);
  const to = m[2] ? STABILITY_CLASSES.indexOf(m[2] as StabilityClass) : from;
  return { classes: STABILITY_CLASSES.slice(from, to + 1), terrain: m[3] as Terrain | undefined };
}

/** "A,B 3.52; C 3.77" or "A 0.26 B 0.19 C ..." → Map(class → value). */
function perClass(s: string): Map<StabilityClass, number> {
  const out = new Map<StabilityClass, number>();
  for (const m of s.matchAll(/([A-F](?:,[A-F])*)\s+([-+0-9.eE]+)/g)) {
    for (const c of m[1].split(',')) out.set(c as StabilityClass, num(m[2], c));
  }
  return out;
}

/** "x m -> sz: 50->7.24; 125->17.6" or "100->10.6; 300->30.1" → [[xM, value], ...]. */
function pointList(s: string): [number, number][] {
  const body = s.includes(':') ? s.slice(s.indexOf(':') + 1) : s;
  return body.split(';').map((p) => {
    const [x, v] = p.split('->');
    return [num(x, 'x'), num(v, 'value')];
  });
}

/** Per-class expectations for all six classes, or an error naming the missing ones. */
function allClasses(map: Map<StabilityClass, number>, row: RefRow): Map<StabilityClass, number> {
  const missing = STABILITY_CLASSES.filter((c) => !map.has(c));
  if (missing.length > 0) throw new Error(`${row.case_id}: no value for classes ${missing.join(',')}`);
  return map;
}

// ---------- handlers, by the `quantity` column ----------

type Handler = (row: RefRow) => Check[];

/** Concentration rows (worked examples): Q in g/s, expected in g/m3. */
const concentration: Handler = (row) => {
  expect(row.units, `${row.case_id} units`).toBe('g/m3');
  let inputs = row.inputs;
  const as = /^as\s+(\w+)\s+with\s+(.*)$/.exec(inputs);
  if (as) {
    const base = BY_ID.get(as[1]);
    if (!base) throw new Error(`${row.case_id} refers to missing row ${as[1]}`);
    inputs = `${base.inputs}; ${as[2]}`; // later keys override earlier ones
  }
  expect(inputs, `${row.case_id}: emission rate must be in g/s`).toMatch(/Q\s*=\s*[0-9.eE+-]+\s*g\/s/);
  const kv = keyValues(inputs);
  for (const k of ['Q', 'H', 'u', 'x', 'y', 'z']) {
    if (!(k in kv)) throw new Error(`${row.case_id}: input ${k} missing`);
  }
  const { classes } = stabilities(row.stability);
  const opts: PlumeOptions = { stability: classes[0], terrain: 'rural', scheme: 'isc3' };
  const expected = num(row.expected, 'expected');
  const isc3 = kv.Q * plumeKernel(kv.x, kv.y, kv.z, kv.H, kv.u, opts);
  const checks: Check[] = [];
  if (row.source === 'TURNER70') {
    if (!('sy' in kv && 'sz' in kv)) throw new Error(`${row.case_id}: Turner rows state sy and sz`);
    const given = kv.Q * plumeWithSigmas(kv.sy, kv.sz, kv.y, kv.z, kv.H, kv.u);
    checks.push({ label: 'C with the stated sigmas', actual: given, expected, rel: REL_TURNER_GIVEN_SIGMAS });
    checks.push({ label: 'C with ISC3 rural sigmas', actual: isc3, expected, rel: REL_TURNER_ISC3_SIGMAS });
  } else {
    checks.push({ label: 'C with ISC3 rural sigmas', actual: isc3, expected, rel: REL_FORMULA });
    // "sigmas U1,U2": the same concentration from the sigma values of those rows.
    const ref = /sigmas\s+(\w+)\s*,\s*(\w+)/.exec(inputs);
    if (ref) {
      const sy = BY_ID.get(ref[1]);
      const sz = BY_ID.get(ref[2]);
      if (!sy || !sz) throw new Error(`${row.case_id}: sigma rows ${ref[1]}, ${ref[2]} missing`);
      const c = kv.Q * plumeWithSigmas(num(sy.expected, 'sy'), num(sz.expected, 'sz'), kv.y, kv.z, kv.H, kv.u);
      checks.push({ label: `C with the sigmas of ${ref[1]}, ${ref[2]}`, actual: c, expected, rel: REL_FORMULA });
    }
  }
  return checks;
};

function isc3Sigma(which: 'y' | 'z'): Handler {
  const f = which === 'y' ? sigmaY : sigmaZ;
  return (row) => {
    expect(row.units, `${row.case_id} units`).toBe('m');
    const { classes } = stabilities(row.stability);
    const opts: PlumeOptions = { stability: classes[0], terrain: 'rural', scheme: 'isc3' };
    if (row.expected === 'see inputs') {
      return pointList(row.inputs).map(([x, v]) => ({
        label: `x=${x} m`,
        actual: f(x, opts),
        expected: v,
        rel: REL_FORMULA,
      }));
    }
    const x = distanceM(row.inputs);
    return [{ label: `x=${x} m`, actual: f(x, opts), expected: num(row.expected, 'expected'), rel: REL_FORMULA }];
  };
}

const isc3SigmaYAllClasses: Handler = (row) => {
  const x = distanceM(row.inputs);
  const exp = allClasses(perClass(row.expected), row);
  return STABILITY_CLASSES.map((c) => ({
    label: `class ${c}`,
    actual: sigmaY(x, { stability: c, scheme: 'isc3' }),
    expected: exp.get(c)!,
    rel: REL_FORMULA,
  }));
};

function briggsSigmas(terrain: Terrain): Handler {
  return (row) => {
    const x = distanceM(row.inputs);
    const parts = new Map(
      row.expected.split('|').map((p) => {
        const [name, rest] = p.split(':');
        return [name.trim(), rest] as const;
      }),
    );
    const sy = parts.get('sy');
    const sz = parts.get('sz');
    if (sy === undefined || sz === undefined) throw new Error(`${row.case_id}: expected "sy: … | sz: …"`);
    const ey = allClasses(perClass(sy), row);
    const ez = allClasses(perClass(sz), row);
    return STABILITY_CLASSES.flatMap((c) => {
      const opts: PlumeOptions = { stability: c, terrain, scheme: 'briggs' };
      return [
        { label: `sigma_y ${c}`, actual: sigmaY(x, opts), expected: ey.get(c)!, rel: REL_FORMULA },
        { label: `sigma_z ${c}`, actual: sigmaZ(x, opts), expected: ez.get(c)!, rel: REL_FORMULA },
      ];
    });
  };
}

/** "u_ref=3.5 m/s at 10 m -> z=100 m" or "u=3 m/s at 1 m -> 10 m". */
function windInputs(s: string): { u: number; zRef: number; z: number } {
  const m = /=\s*([0-9.eE+-]+)\s*m\/s\s+at\s+([0-9.eE+-]+)\s*m\s*->\s*(?:z\s*=\s*)?([0-9.eE+-]+)\s*m/.exec(s);
  if (!m) throw new Error(`bad wind inputs "${s}"`);
  return { u: num(m[1], 'u'), zRef: num(m[2], 'zRef'), z: num(m[3], 'z') };
}

/** Single power-law case with the exponent stated in the notes ("p=0.15"). */
const windExplicitExponent: Handler = (row) => {
  const { u, zRef, z } = windInputs(row.inputs);
  const pm = /p\s*=\s*([0-9.]+)/.exec(row.notes);
  if (!pm) throw new Error(`${row.case_id}: notes state no exponent`);
  const p = num(pm[1], 'p');
  const { classes, terrain } = stabilities(row.stability);
  const expected = num(row.expected, 'expected');
  const checks: Check[] = [
    { label: `explicit p=${p}`, actual: windAtHeight(u, zRef, z, classes[0], terrain, p), expected, rel: REL_FORMULA },
  ];
  // Where our table gives the same exponent for the row's class and terrain, the default must agree too.
  if (windProfileExponent(classes[0], terrain) === p) {
    checks.push({
      label: 'tabulated exponent',
      actual: windAtHeight(u, zRef, z, classes[0], terrain),
      expected,
      rel: REL_FORMULA,
    });
  }
  return checks;
};

/** All-class power-law rows; the notes list the exponents A..F, which must equal our table. */
function windTable(terrain: Terrain): Handler {
  return (row) => {
    const { u, zRef, z } = windInputs(row.inputs);
    const exp = allClasses(perClass(row.expected), row);
    const pm = /p\s*=\s*([0-9.,\s]+)/.exec(row.notes);
    if (!pm) throw new Error(`${row.case_id}: notes list no exponents`);
    const ps = pm[1].split(',').map((s) => num(s.trim(), 'p'));
    expect(ps, `${row.case_id}: exponents A..F`).toEqual(STABILITY_CLASSES.map((c) => windProfileExponent(c, terrain)));
    return STABILITY_CLASSES.map((c) => ({
      label: `class ${c}`,
      actual: windAtHeight(u, zRef, z, c, terrain),
      expected: exp.get(c)!,
      rel: REL_FORMULA,
    }));
  };
}

const HANDLERS: Record<string, Handler> = {
  'chi ground-level centreline': concentration,
  'chi ground-level off-axis': concentration,
  'C ground-level centreline': concentration,
  'sigma_y ISC3 rural': isc3Sigma('y'),
  'sigma_z ISC3 rural': isc3Sigma('z'),
  'sigma_y ISC3 rural at x=1.2 m': isc3SigmaYAllClasses,
  'sigma_y / sigma_z Briggs rural at x=1.2 m': briggsSigmas('rural'),
  'sigma_y / sigma_z Briggs urban at x=1.2 m': briggsSigmas('urban'),
  'power-law wind': windExplicitExponent,
  'power-law wind ISC3 rural (Irwin 1979)': windTable('rural'),
  'power-law wind ISC3 urban': windTable('urban'),
};

function assertCheck(row: RefRow, c: Check): void {
  const label = `${row.case_id} (${row.source}) ${c.label}`;
  if (Number.isNaN(c.expected)) {
    expect(c.actual, label).toBeNaN();
    return;
  }
  expect(Number.isFinite(c.actual), `${label}: finite`).toBe(true);
  const relErr = Math.abs(c.actual - c.expected) / Math.abs(c.expected);
  expect(relErr, `${label}: got ${c.actual}, expected ${c.expected} ±${c.rel} rel`).toBeLessThanOrEqual(c.rel);
}

describe('gaussian_reference_values.csv', () => {
  it('has rows, each handled or explicitly skipped', () => {
    expect(ROWS.length).toBeGreaterThan(40);
    const unhandled = ROWS.filter((r) => !(r.case_id in SKIPPED) && !(r.quantity in HANDLERS)).map(
      (r) => `${r.case_id} (${r.quantity})`,
    );
    expect(unhandled, 'rows with no handler and no skip reason').toEqual([]);
    const staleSkips = Object.keys(SKIPPED).filter((id) => !BY_ID.has(id));
    expect(staleSkips, 'skip entries for rows that no longer exist').toEqual([]);
    expect(new Set(ROWS.map((r) => r.case_id)).size, 'case ids unique').toBe(ROWS.length);
  });

  for (const row of ROWS) {
    if (row.case_id in SKIPPED) {
      it.skip(`${row.case_id}: ${row.quantity} — not applicable: ${SKIPPED[row.case_id]}`, () => {});
      continue;
    }
    const handler = HANDLERS[row.quantity];
    if (!handler) continue; // reported by the coverage test above
    it(`${row.case_id}: ${row.quantity} [${row.stability}] (${row.source})`, () => {
      const checks = handler(row);
      expect(checks.length, `${row.case_id}: handler produced no checks`).toBeGreaterThan(0);
      for (const c of checks) assertCheck(row, c);
    });
  }

  it('upwind reference row (NaN sigma) gives zero concentration', () => {
    const neg = ROWS.filter((r) => r.expected === 'NaN');
    expect(neg.length).toBeGreaterThan(0);
    for (const r of neg) {
      const x = distanceM(r.inputs);
      expect(plumeKernel(x, 0, 0, 0, 3, { stability: stabilities(r.stability).classes[0], scheme: 'isc3' })).toBe(0);
    }
  });
});

describe('plume kernel properties', () => {
  const optsAll: PlumeOptions[] = STABILITY_CLASSES.flatMap((stability) => [
    { stability },
    { stability, terrain: 'urban' as const },
    { stability, scheme: 'isc3' as const },
  ]);

  it('is zero upwind and at the source plane, for every class and scheme', () => {
    for (const o of optsAll) {
      for (const x of [0, -1, -500, Number.NaN]) {
        expect(plumeKernel(x, 0, 0, 0, 3, o)).toBe(0);
        expect(makePlumeKernel(o)(x, 0, 0, 0, 3)).toBe(0);
      }
      expect(sigmaY(0, o)).toBeNaN();
      expect(sigmaZ(-3, o)).toBeNaN();
    }
  });

  it('ground-level source and receptor: C = 1/(π u σy σz) (reflection doubles the 1/(2π) form)', () => {
    for (const o of optsAll) {
      const x = 300;
      const u = 4;
      const c = plumeKernel(x, 0, 0, 0, u, o);
      const expected = 1 / (Math.PI * u * sigmaY(x, o) * sigmaZ(x, o));
      expect(Math.abs(c / expected - 1)).toBeLessThan(1e-12);
    }
  });

  it('conserves mass: ∫∫ u·C dy dz over the half-space z ≥ 0 equals the emission rate', () => {
    for (const o of [{ stability: 'D' as const }, { stability: 'F' as const, scheme: 'isc3' as const }]) {
      const x = 400;
      const u = 3;
      const h = 7;
      const sy = sigmaY(x, o);
      const sz = sigmaZ(x, o);
      const dy = sy / 20;
      const dz = sz / 20;
      let sum = 0;
      for (let y = -8 * sy; y <= 8 * sy; y += dy) {
        for (let z = dz / 2; z <= h + 8 * sz; z += dz) sum += plumeKernel(x, y, z, h, u, o);
      }
      expect(Math.abs(sum * dy * dz * u - 1)).toBeLessThan(1e-3);
    }
  });

  it('is symmetric crosswind and falls off away from the centreline', () => {
    const o: PlumeOptions = { stability: 'C' };
    expect(plumeKernel(200, 15, 2, 5, 3, o)).toBe(plumeKernel(200, -15, 2, 5, 3, o));
    expect(plumeKernel(200, 15, 2, 5, 3, o)).toBeLessThan(plumeKernel(200, 0, 2, 5, 3, o));
  });

  it('makePlumeKernel gives the same numbers as plumeKernel', () => {
    for (const o of optsAll) {
      const k = makePlumeKernel(o);
      for (const [x, y, z, h] of [
        [50, 0, 2, 0],
        [137, -20, 1, 3],
        [2500, 80, 0, 30],
      ]) {
        expect(k(x, y, z, h, 2.5)).toBe(plumeKernel(x, y, z, h, 2.5, o));
      }
    }
  });

  it('uses the (1 + 0.0003x)^-1 form for rural Briggs E/F sigma_z (not ^-1/2)', () => {
    expect(sigmaZ(10_000, { stability: 'E' })).toBeCloseTo((0.03 * 10_000) / 4, 10);
    expect(sigmaZ(10_000, { stability: 'F' })).toBeCloseTo((0.016 * 10_000) / 4, 10);
  });

  it('defaults to Briggs rural; urban ignores the isc3 scheme; ISC3 sigma_z is capped at 5000 m', () => {
    expect(sigmaY(300, { stability: 'B' })).toBe(sigmaY(300, { stability: 'B', terrain: 'rural', scheme: 'briggs' }));
    expect(sigmaZ(300, { stability: 'B', terrain: 'urban', scheme: 'isc3' })).toBe(
      sigmaZ(300, { stability: 'B', terrain: 'urban', scheme: 'briggs' }),
    );
    for (const c of STABILITY_CLASSES) expect(sigmaZ(1e6, { stability: c, scheme: 'isc3' })).toBeLessThanOrEqual(5000);
    expect(sigmaZ(3200, { stability: 'A', scheme: 'isc3' })).toBe(5000);
  });

  it('rejects an unknown stability class, terrain or scheme with PT_ERR_BAD_REQUEST', () => {
    const bad = [
      { stability: 'G' },
      { stability: 'D', terrain: 'suburban' },
      { stability: 'D', scheme: 'pasquill' },
    ] as unknown as PlumeOptions[];
    for (const o of bad) {
      expect(() => plumeKernel(100, 0, 0, 0, 3, o)).toThrow(PlumetraceError);
      expect(() => makePlumeKernel(o)).toThrow(/PT_ERR_BAD_REQUEST/);
    }
  });
});

describe('wind profile', () => {
  it('is the identity at the reference height and increases with height', () => {
    for (const c of STABILITY_CLASSES) {
      expect(windAtHeight(4, 10, 10, c)).toBe(4);
      expect(windAtHeight(4, 10, 50, c, 'urban')).toBeGreaterThan(4);
    }
  });

  it('transportWindMps floors the release height at 1 m', () => {
    expect(transportWindMps(5, 0, 'F')).toBe(windAtHeight(5, 10, 1, 'F'));
    expect(transportWindMps(5, 30, 'F', 'urban')).toBe(windAtHeight(5, 10, 30, 'F', 'urban'));
    expect(transportWindMps(5, 0, 'D')).toBeGreaterThan(0);
  });
});
