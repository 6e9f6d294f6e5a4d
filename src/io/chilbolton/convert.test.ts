import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PlumetraceError } from '../../core/errors.ts';
import { localFrame } from '../../core/geo/local-frame.ts';
import { SAMPLE_KIND_PATH } from '../../core/types.ts';
import { parseInSituCsv } from '../insitu-csv/parse.ts';
import {
  CHILBOLTON_ANCHOR,
  CSV_HEADER,
  convertChilboltonRelease,
  readChilboltonRelease,
  scaleRelease,
} from './convert.ts';

const dataDir = new URL('../../../data/chilbolton_ch4_2017/', import.meta.url).pathname;
const result = convertChilboltonRelease(dataDir, 'rel02');
const lines = result.csv.trimEnd().split('\n');
const rows = lines.slice(1).map((l) => l.split(','));
const col = (name: string): number => CSV_HEADER.split(',').indexOf(name);
const series = parseInSituCsv(new TextEncoder().encode(result.csv), 'rel02.csv');
const files = readChilboltonRelease(dataDir, 'rel02');
const headerLength = new Map(files.records.map((r) => [r.beam, r.pathLengthM]));
const geometryLength = new Map(
  files.records.map((r) => {
    const p = files.geometry.reflectors[r.beam]!;
    const i = files.geometry.instrument;
    return [r.beam, Math.hypot(p.xM - i.xM, p.yM - i.yM, p.zM - i.zM)];
  }),
);
/** Beam of each row, recovered from its far end. */
const beamOf = rows.map((r) => {
  const f = localFrame(CHILBOLTON_ANCHOR.lat, CHILBOLTON_ANCHOR.lon);
  const [x, y] = f.toXY(Number(r[col('lat2')]), Number(r[col('lon2')]));
  let best = 0;
  let bestD = Number.POSITIVE_INFINITY;
  files.geometry.reflectors.forEach((p, b) => {
    if (p && Math.hypot(p.xM - x, p.yM - y) < bestD) {
      bestD = Math.hypot(p.xM - x, p.yM - y);
      best = b;
    }
  });
  return best;
});

describe('Chilbolton rel02 → in-situ CSV', () => {
  it('writes the exact header and one row per beam and UTC minute: 42 for beam 4, 29 for the others', () => {
    expect(lines[0]).toBe(CSV_HEADER);
    expect(rows.length).toBe(216);
    expect(result.meta.rowsPerBeam).toEqual({ 1: 29, 2: 29, 3: 29, 4: 42, 5: 29, 6: 29, 7: 29 });
    for (let b = 1; b <= 7; b++) expect(beamOf.filter((x) => x === b).length).toBe(result.meta.rowsPerBeam[b]);
    // The last minute (10:55Z, 2–3 samples per beam) is dropped, and said so.
    expect(result.warnings.filter((w) => /dropped 1 minute\(s\) with < 10 samples: 10:55Z/.test(w)).length).toBe(7);
  });

  it('is read back by the project in-situ CSV parser: all path rows, CH4, 60-s averages', () => {
    expect(series.timeMs.length).toBe(216);
    expect(series.gas).toBe('CH4');
    expect([...(series.kind ?? [])].every((k) => k === SAMPLE_KIND_PATH)).toBe(true);
    expect([...(series.averagingS ?? [])].every((a) => a === 60)).toBe(true);
  });

  it('stamps rows at the centre of whole UTC minutes (BST clock − 1 h), in time order', () => {
    for (let i = 1; i < series.timeMs.length; i++)
      expect(series.timeMs[i]).toBeGreaterThanOrEqual(series.timeMs[i - 1]);
    for (const t of series.timeMs) expect(t % 60_000).toBe(30_000);
    expect(rows[0][0]).toBe('2017-05-09T10:13:30Z'); // beam 4 starts at 11:13:20 BST
    expect(rows[rows.length - 1][0]).toBe('2017-05-09T10:54:30Z');
    const firstOfBeam1 = rows[beamOf.indexOf(1)][0];
    expect(firstOfBeam1).toBe('2017-05-09T10:26:30Z'); // 11:26:21 BST, 12 samples in that minute
  });

  it('keeps the path lengths through the lat/lon round trip: geometry to 1 cm, headers to 0.05 m (beams 1, 3, 4, 6)', () => {
    for (let i = 0; i < rows.length; i++) {
      const f = localFrame(series.lat[i], series.lon[i]);
      const [x, y] = f.toXY(series.lat2![i], series.lon2![i]);
      const len = Math.hypot(x, y, series.alt2M![i] - series.altM[i]);
      const b = beamOf[i];
      expect(Math.abs(len - geometryLength.get(b)!)).toBeLessThan(0.01);
      // The geometry table itself differs from the headers by up to 0.13 m on beams 2, 5 and 7.
      const tol = [2, 5, 7].includes(b) ? 0.15 : 0.05;
      expect(Math.abs(len - headerLength.get(b)!)).toBeLessThan(tol);
    }
    const l1 = rows.findIndex((_, i) => beamOf[i] === 1);
    const l4 = rows.findIndex((_, i) => beamOf[i] === 4);
    const len = (i: number) => {
      const [x, y] = localFrame(series.lat[i], series.lon[i]).toXY(series.lat2![i], series.lon2![i]);
      return Math.hypot(x, y);
    };
    expect(len(l1)).toBeCloseTo(34.89, 1);
    expect(Math.abs(len(l4) - 98.01)).toBeLessThan(0.05);
    expect(result.warnings.filter((w) => /the geometry gives a/.test(w)).map((w) => w.slice(0, 6))).toEqual([
      'beam 2',
      'beam 5',
      'beam 7',
    ]);
  });

  it('anchors the frame at the observatory: the instrument sits 60 m east and 100 m north of the anchor', () => {
    const [x, y] = localFrame(CHILBOLTON_ANCHOR.lat, CHILBOLTON_ANCHOR.lon).toXY(series.lat[0], series.lon[0]);
    expect(x).toBeCloseTo(60, 2);
    expect(y).toBeCloseTo(100, 2);
    // Another anchor moves the scene but keeps every length.
    const moved = convertChilboltonRelease(dataDir, 'rel02', { anchorLat: -33.9, anchorLon: 151.2 });
    const s2 = parseInSituCsv(new TextEncoder().encode(moved.csv), 'moved.csv');
    const [bx, by] = localFrame(s2.lat[0], s2.lon[0]).toXY(s2.lat2![0], s2.lon2![0]);
    expect(Math.hypot(bx, by)).toBeCloseTo(geometryLength.get(4)!, 2);
  });

  it('gives sane minute winds: one wind per minute for all beams, 1–6 m/s, direction spread 5–40°', () => {
    const byMinute = new Map<number, string>();
    for (let i = 0; i < rows.length; i++) {
      const u = series.windU![i];
      const v = series.windV![i];
      const speed = Math.hypot(u, v);
      expect(speed).toBeGreaterThan(1);
      expect(speed).toBeLessThan(6);
      expect(series.windDirStdDeg![i]).toBeGreaterThan(5);
      expect(series.windDirStdDeg![i]).toBeLessThan(40);
      const key = `${u},${v},${series.windDirStdDeg![i]}`;
      const seen = byMinute.get(series.timeMs[i]);
      if (seen) expect(key).toBe(seen);
      byMinute.set(series.timeMs[i], key);
    }
    // Release minutes: the wind blows toward the south-west in the chosen frame (from S1 over the beams).
    let su = 0;
    let sv = 0;
    for (let i = 0; i < rows.length; i++) {
      const t = rows[i][0];
      if (t >= '2017-05-09T10:25' && t < '2017-05-09T10:44') {
        su += series.windU![i];
        sv += series.windV![i];
      }
    }
    const towardDeg = (Math.atan2(sv, su) * 180) / Math.PI;
    expect(towardDeg).toBeGreaterThan(-170);
    expect(towardDeg).toBeLessThan(-130);
  });

  it('states the standard error of each minute mean: tiny in clean air, larger in the plume', () => {
    const sig = series.sigmaPpm!;
    for (let i = 0; i < rows.length; i++) expect(sig[i]).toBeGreaterThan(0);
    const bgBeam4 = rows.flatMap((r, i) => (beamOf[i] === 4 && r[0] < '2017-05-09T10:22' ? [i] : []));
    expect(bgBeam4.length).toBe(9);
    for (const i of bgBeam4) {
      expect(series.ppm[i]).toBeGreaterThan(1.8);
      expect(series.ppm[i]).toBeLessThan(1.9);
      expect(sig[i]).toBeLessThan(0.005);
    }
    const plume = rows.flatMap((r, i) => (r[0] >= '2017-05-09T10:27' && r[0] < '2017-05-09T10:43' ? [i] : []));
    const medianSigma = plume.map((i) => sig[i]).sort((a, b) => a - b)[plume.length >> 1];
    expect(medianSigma).toBeGreaterThan(0.05);
    expect(medianSigma).toBeLessThan(0.5);
  });

  it('takes the release window and rate from the weigh scale, and the LDS sees the plume in that window', () => {
    expect(result.truth.releaseWindow).toEqual({ start: '2017-05-09T10:22:05Z', end: '2017-05-09T10:43:05Z' });
    // 8 steps of 0.05 kg every 140 s → 1.286 kg/h; listed truth of source_1 is 1.36 kg/h.
    expect(result.truth.scaleRateKgPerHour).toBeCloseTo(1.2857, 3);
    const sc = scaleRelease(files.weight, 1)!;
    expect(sc.massDropKg).toBeCloseTo(0.45, 9);
    expect(sc.resolutionKg).toBeCloseTo(0.05, 9);
    expect(sc.stepTimesMs.length).toBe(9);
    // Same clock zone on both loggers: the first and last enhanced minutes (stamped at their centres)
    // fall within a few minutes of the scale window; a wrong hour between the two would put them 60 min off.
    const enhanced = rows.flatMap((r, i) => (series.ppm[i] > 2.5 ? [Date.parse(r[0])] : []));
    const onsetS = (Math.min(...enhanced) - Date.parse(result.truth.releaseWindow.start)) / 1000;
    const stopS = (Math.max(...enhanced) - Date.parse(result.truth.releaseWindow.end)) / 1000;
    expect(new Date(Math.min(...enhanced)).toISOString()).toBe('2017-05-09T10:25:30.000Z');
    expect(new Date(Math.max(...enhanced)).toISOString()).toBe('2017-05-09T10:43:30.000Z');
    expect(onsetS).toBeGreaterThan(0);
    expect(onsetS).toBeLessThan(240);
    expect(Math.abs(stopS)).toBeLessThan(120);
    expect(result.warnings.some((w) => /starts on/.test(w))).toBe(false);
  });

  it('lists the four candidate sources with their listed rates, without saying which one released', () => {
    expect(result.truth.sources.map((s) => [s.name, s.rateKgPerHour, s.heightM])).toEqual([
      ['source_1', 1.36, 0.3],
      ['source_2', 1.38, 0.3],
      ['source_3', 1.23, 0.3],
      ['source_4', 1.23, 0.3],
    ]);
    const f = localFrame(CHILBOLTON_ANCHOR.lat, CHILBOLTON_ANCHOR.lon);
    const [x, y] = f.toXY(result.truth.sources[0].lat, result.truth.sources[0].lon);
    expect(x).toBeCloseTo(68.91, 2);
    expect(y).toBeCloseTo(92.75, 2);
  });

  it('maps the sonic axes by the chosen convention: default (−Y, X) is the as-given wind turned +90°', () => {
    const given = convertChilboltonRelease(dataDir, 'rel02', { windConvention: 'u=X,v=Y' });
    const g = parseInSituCsv(new TextEncoder().encode(given.csv), 'g.csv');
    for (let i = 0; i < rows.length; i += 17) {
      expect(series.windU![i]).toBeCloseTo(-g.windV![i], 3);
      expect(series.windV![i]).toBeCloseTo(g.windU![i], 3);
    }
  });
});

describe('Chilbolton converter errors', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'chilbolton-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('names the file and line of a corrupt beam file, and writes nothing', () => {
    const dir = join(tmp, 'bad');
    cpSync(dataDir, dir, { recursive: true });
    const f = join(dir, 'rel02/POS3_rel02_processed.txt');
    const text = readFileSync(f, 'utf8').split('\r\n');
    text[99] = text[99].replace(/(\S+)(\s+\S+)$/, 'NaNx$2');
    writeFileSync(f, text.join('\r\n'));
    let err: unknown;
    try {
      convertChilboltonRelease(dir, 'rel02');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PlumetraceError);
    const e = err as PlumetraceError;
    expect(e.code).toBe('PT_ERR_RELEASE_DATA_FORMAT');
    expect(e.location).toEqual({ file: f, line: 100, column: 'CH4vmr_ppmv' });
  });

  it('answers a missing folder and an unknown release with registered codes', () => {
    expect(() => convertChilboltonRelease(join(tmp, 'nope'), 'rel02')).toThrow(/PT_ERR_FILE_NOT_FOUND/);
    expect(() => convertChilboltonRelease(dataDir, 'rel03' as 'rel02')).toThrow(/PT_ERR_USAGE/);
  });
});
