/**
 * The ULog reader against files written by test-writer.ts: values round-trip, positions are
 * interpolated linearly to the gas sample times, and every broken or incomplete file gets its
 * registered code (never another exception, never a partial result).
 */
import { mkdtempSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PlumetraceError } from '../../core/errors.ts';
import { Rng } from '../../core/random.ts';
import { parseULogInSitu, readULogInSitu, type ULogInSitu, type ULogInSituOptions } from './parse.ts';
import {
  buildSurveyULog,
  type Px4LogSpec,
  type Px4TopicSpec,
  SURVEY_FIXTURE,
  type ULogRecord,
  writePx4Log,
} from './test-writer.ts';

const BOOT_UTC_MS = Date.UTC(2026, 4, 9, 10, 0, 0);
const BOOT_UTC_US = BigInt(BOOT_UTC_MS) * 1000n;
const us = (s: number): bigint => BigInt(Math.round(s * 1e6));

/** Times t0, t0 + 1/hz, … up to t1 (inclusive), in seconds since boot. */
function grid(t0: number, t1: number, hz: number): number[] {
  const out: number[] = [];
  for (let k = 0; t0 + k / hz <= t1 + 1e-9; k++) out.push(t0 + k / hz);
  return out;
}

type PathFn = (s: number) => { lat: number; lon: number; alt: number };
const straight: PathFn = (s) => ({ lat: 47 + 1e-5 * s, lon: 8 + 2e-5 * s, alt: 500 + 0.5 * s });

function positionTopic(times: number[], path: PathFn, extra: (s: number) => ULogRecord = () => ({})): Px4TopicSpec {
  return {
    name: 'vehicle_global_position',
    messages: times.map((s) => ({
      timestamp: us(s) + 3000n,
      timestamp_sample: us(s),
      ...path(s),
      terrain_alt: 480,
      terrain_alt_valid: true,
      ...extra(s),
    })),
  };
}

function gpsTopic(times: number[], name = 'sensor_gps'): Px4TopicSpec {
  return {
    name,
    messages: times.map(
      (s): ULogRecord =>
        name === 'sensor_gps'
          ? { timestamp: us(s) + 5000n, timestamp_sample: us(s), time_utc_usec: BOOT_UTC_US + us(s), fix_type: 3 }
          : { timestamp: us(s), time_utc_usec: BOOT_UTC_US + us(s), fix_type: 3 },
    ),
  };
}

function windTopic(times: number[], name = 'wind'): Px4TopicSpec {
  return {
    name,
    messages: times.map((s) => ({
      timestamp: us(s) + 1000n,
      timestamp_sample: us(s),
      windspeed_east: 3 + 0.01 * s,
      windspeed_north: -1.5,
    })),
  };
}

function gasTopic(
  times: number[],
  ppm: (s: number, k: number) => number,
  extra?: (k: number) => ULogRecord,
): Px4TopicSpec {
  return {
    name: 'gas_concentration',
    messages: times.map((s, k) => ({
      timestamp: us(s) + 40_000n,
      timestamp_sample: us(s),
      ppm: ppm(s, k),
      gas: 'CH4',
      ...extra?.(k),
    })),
  };
}

/** A 60 s flight: position 10 Hz, GPS 5 Hz, wind 1 Hz, gas 1 Hz at 0.37 s off the position grid. */
function standardSpec(): Px4LogSpec {
  return {
    startUs: 9_000_000n,
    info: { sys_name: 'PX4' },
    topics: [
      positionTopic(grid(10, 70, 10), straight),
      gpsTopic(grid(10, 70, 5)),
      windTopic(grid(10, 70, 1)),
      gasTopic(grid(10.37, 69.5, 1), (_s, k) => 2 + Math.sin(k)),
    ],
  };
}

const bytesOf = (spec: Px4LogSpec): Uint8Array => writePx4Log(spec).bytes;

async function parse(bytes: Uint8Array, opts?: ULogInSituOptions): Promise<ULogInSitu> {
  return parseULogInSitu(bytes, 'flight.ulg', opts);
}

async function errorOf(bytes: Uint8Array, opts?: ULogInSituOptions): Promise<PlumetraceError> {
  try {
    await parse(bytes, opts);
  } catch (e) {
    if (e instanceof PlumetraceError) return e;
    throw e;
  }
  throw new Error('expected an error');
}

function withTopics(spec: Px4LogSpec, f: (topics: Px4TopicSpec[]) => Px4TopicSpec[]): Px4LogSpec {
  return { ...spec, topics: f(spec.topics) };
}

describe('ULog in-situ reader', () => {
  it('round-trips a synthetic flight: times, positions, heights, ppm and wind', async () => {
    const r = await parse(bytesOf(standardSpec()));
    const gasTimes = grid(10.37, 69.5, 1);
    expect(r.series.timeMs).toHaveLength(gasTimes.length);
    expect(r.series.gas).toBe('CH4');
    gasTimes.forEach((s, k) => {
      expect(r.series.timeMs[k]).toBeCloseTo(BOOT_UTC_MS + s * 1000, 6);
      const p = straight(s);
      expect(r.series.lat[k]).toBeCloseTo(p.lat, 11);
      expect(r.series.lon[k]).toBeCloseTo(p.lon, 11);
      // alt is float32 in PX4's format: ~3e-5 m at 530 m.
      expect(Math.abs(r.series.altM[k] - (p.alt - 480))).toBeLessThan(1e-4);
      expect(Math.abs(r.series.ppm[k] - Math.fround(2 + Math.sin(k)))).toBeLessThan(1e-6);
      expect(Math.abs((r.series.windU?.[k] ?? Number.NaN) - (3 + 0.01 * s))).toBeLessThan(1e-5);
      expect(r.series.windV?.[k]).toBe(-1.5);
    });
    expect(r.series.sigmaPpm).toBeDefined();
    expect(r.track.timeMs).toHaveLength(601);
    expect(r.track.timeMs[0]).toBe(BOOT_UTC_MS + 10_000);
    expect(r.track.altM[600]).toBeCloseTo(55, 4);
    expect(r.info).toMatchObject({
      topics: ['gas_concentration', 'sensor_gps', 'vehicle_global_position', 'wind'],
      timeReference: 'gps',
      timeTopic: 'sensor_gps',
      altitudeReference: 'terrain',
      gasTopic: 'gas_concentration',
      gasField: 'ppm',
      windTopic: 'wind',
      ulogVersion: 1,
    });
    // The log's time range runs over the publication timestamps: wind at 10.001 s to GPS at 70.005 s.
    expect(r.info.startTime).toBe(new Date(BOOT_UTC_MS + 10_001).toISOString());
    expect(r.info.durationS).toBeCloseTo(70.005 - 10.001, 9);
    expect(r.warnings).toEqual([]);
    expect(r.bytes.length).toBeGreaterThan(0);
  });

  it('interpolates 1 Hz gas linearly between 10 Hz position fixes (not nearest, not the publish time)', async () => {
    const curve: PathFn = (s) => ({
      lat: 47 + 1e-3 * Math.sin(0.7 * s),
      lon: 8 + 1e-3 * Math.cos(0.5 * s),
      alt: 500 + 10 * Math.sin(0.3 * s),
    });
    const spec = withTopics(standardSpec(), (t) => [positionTopic(grid(10, 70, 10), curve), t[1], t[2], t[3]]);
    const r = await parse(bytesOf(spec));
    let maxNearestErr = 0;
    grid(10.37, 69.5, 1).forEach((s, k) => {
      // Reference from the grid arithmetic: fixes at 10 + i/10 s bracket the sample.
      const i = Math.floor((s - 10) * 10 + 1e-9);
      const ta = 10 + i / 10;
      const f = (s - ta) * 10;
      const a = curve(ta);
      const b = curve(10 + (i + 1) / 10);
      expect(r.series.lat[k]).toBeCloseTo(a.lat + f * (b.lat - a.lat), 12);
      expect(r.series.lon[k]).toBeCloseTo(a.lon + f * (b.lon - a.lon), 12);
      const fa = Math.fround(a.alt) - 480;
      const fb = Math.fround(b.alt) - 480;
      expect(r.series.altM[k]).toBeCloseTo(fa + f * (fb - fa), 9);
      maxNearestErr = Math.max(maxNearestErr, Math.abs(r.series.lat[k] - (f < 0.5 ? a.lat : b.lat)));
    });
    // A nearest-fix reader would be off by this much: the test above can tell the two apart.
    expect(maxNearestErr).toBeGreaterThan(1e-6);
  });

  it('puts samples in time order by timestamp_sample, whatever order they were published in', async () => {
    const times = grid(20, 40, 1).map((s, k) => s + (k % 2 === 0 ? 0.45 : -0.6));
    const spec = withTopics(standardSpec(), (t) => [
      t[0],
      t[1],
      t[2],
      {
        name: 'gas_concentration',
        messages: times.map((s, k) => ({ timestamp: us(20 + k + 0.7), timestamp_sample: us(s), ppm: s, gas: 'ch4' })),
      },
    ]);
    const r = await parse(bytesOf(spec));
    const sorted = [...times].sort((a, b) => a - b);
    expect(Array.from(r.series.timeMs)).toEqual(sorted.map((s) => BOOT_UTC_MS + s * 1000));
    sorted.forEach((s, k) => {
      expect(r.series.ppm[k]).toBeCloseTo(Math.fround(s), 5);
    });
    for (let k = 1; k < r.series.timeMs.length; k++) expect(r.series.timeMs[k]).toBeGreaterThan(r.series.timeMs[k - 1]);
  });

  it('drops gas samples outside the position record or in a gap, and says so', async () => {
    const pos = [...grid(10, 30, 10), ...grid(36, 50, 10)]; // a 6 s gap
    const spec = withTopics(standardSpec(), (t) => [
      positionTopic(pos, straight),
      t[1],
      t[2],
      gasTopic(grid(5.5, 59.5, 1), () => 2),
    ]);
    const r = await parse(bytesOf(spec));
    // 5.5..9.5 before (5), 30.5..35.5 in the gap (6), 50.5..59.5 after (10).
    expect(r.series.timeMs.length).toBe(55 - 5 - 6 - 10);
    expect(r.warnings).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^5 gas sample\(s\) before the first position fix/),
        expect.stringMatching(/^10 gas sample\(s\) after the last position fix/),
        expect.stringMatching(/^6 gas sample\(s\) fell in gaps of more than 2 s/),
      ]),
    );
    const wide = await parse(bytesOf(spec), { maxPositionGapS: 10 });
    expect(wide.series.timeMs.length).toBe(55 - 5 - 10);
  });

  it('reads older topic names (vehicle_gps_position, wind_estimate), gas_id and a double concentration_ppm', async () => {
    const gas: Px4TopicSpec = {
      name: 'gas_concentration',
      format: 'uint64_t timestamp;double concentration_ppm;char[6] gas_id;',
      messages: grid(12, 20, 1).map((s) => ({ timestamp: us(s), concentration_ppm: 1.9 + s / 1000, gas_id: 'co2' })),
    };
    const spec = withTopics(standardSpec(), (t) => [
      t[0],
      gpsTopic(grid(10, 70, 1), 'vehicle_gps_position'),
      windTopic(grid(10, 70, 1), 'wind_estimate'),
      gas,
    ]);
    const r = await parse(bytesOf(spec));
    expect(r.series.gas).toBe('CO2');
    expect(r.info).toMatchObject({
      timeTopic: 'vehicle_gps_position',
      windTopic: 'wind_estimate',
      gasField: 'concentration_ppm',
    });
    grid(12, 20, 1).forEach((s, k) => {
      expect(Math.abs(r.series.ppm[k] - (1.9 + s / 1000))).toBeLessThan(1e-12);
    });
    expect(r.series.sigmaPpm).toBeUndefined();
  });

  it('follows gasTopic / gasField options, and selects one gas of a multi-gas topic', async () => {
    const labels = ['CH4', 'CO2'];
    const custom: Px4TopicSpec = {
      name: 'payload_sniffer',
      format: 'uint64_t timestamp;float value;char[4] gas;',
      messages: grid(12, 31, 1).map((s, k) => ({ timestamp: us(s), value: k, gas: labels[k % 2] })),
    };
    const spec = withTopics(standardSpec(), (t) => [t[0], t[1], custom]);
    const mixed = await errorOf(bytesOf(spec), { gasTopic: 'payload_sniffer', gasField: 'value' });
    expect(mixed.code).toBe('PT_ERR_ULOG_BAD_VALUE');
    expect(mixed.detail).toContain('mixes gases (CH4, CO2)');
    const r = await parse(bytesOf(spec), { gasTopic: 'payload_sniffer', gasField: 'value', gas: 'co2' });
    expect(r.series.gas).toBe('CO2');
    expect(Array.from(r.series.ppm)).toEqual([1, 3, 5, 7, 9, 11, 13, 15, 17, 19]);
    expect(r.series.windU).toBeUndefined();
    expect(r.warnings.join('\n')).toMatch(/no wind topic/);
    const none = await errorOf(bytesOf(spec), { gasTopic: 'payload_sniffer', gasField: 'value', gas: 'N2O' });
    expect(none.code).toBe('PT_ERR_ULOG_BAD_VALUE');
    const noField = await errorOf(bytesOf(spec), { gasTopic: 'payload_sniffer' });
    expect(noField.code).toBe('PT_ERR_ULOG_MISSING_FIELD');
    expect(noField.detail).toContain('its fields: timestamp, value, gas');
  });

  it('reads the lowest multi_id of a topic logged twice, and says so', async () => {
    const spec = standardSpec();
    const second = { ...gasTopic(grid(10.37, 69.5, 1), () => 99), multiId: 1 };
    spec.topics.push(second);
    const r = await parse(bytesOf(spec));
    expect(r.series.ppm.every((v) => v < 10)).toBe(true);
    expect(r.warnings).toContain('gas_concentration has 2 instances (multi_id 0, 1); read multi_id 0');
  });

  it('takes height above ground from home, then local position, then the first fix, when terrain is not valid', async () => {
    const noTerrain = withTopics(standardSpec(), (t) => [
      positionTopic(grid(10, 70, 10), straight, () => ({ terrain_alt_valid: false })),
      ...t.slice(1),
    ]);
    const home: Px4TopicSpec = { name: 'home_position', messages: [{ timestamp: us(9.5), alt: 490, valid_alt: true }] };
    const local: Px4TopicSpec = {
      name: 'vehicle_local_position',
      messages: grid(9, 71, 10).map((s) => ({ timestamp: us(s), z: -(7 + 0.5 * s), z_valid: true })),
    };
    const withHome = await parse(bytesOf({ ...noTerrain, topics: [...noTerrain.topics, home, local] }));
    expect(withHome.info.altitudeReference).toBe('home');
    expect(withHome.track.altM[0]).toBeCloseTo(500 + 5 - 490, 4);
    const withLocal = await parse(bytesOf({ ...noTerrain, topics: [...noTerrain.topics, local] }));
    expect(withLocal.info.altitudeReference).toBe('local');
    expect(withLocal.track.altM[0]).toBeCloseTo(7 + 5, 4);
    const bare = await parse(bytesOf(noTerrain));
    expect(bare.info.altitudeReference).toBe('first-fix');
    expect(bare.track.altM[0]).toBe(0);
    expect(bare.track.altM[600]).toBeCloseTo(30, 4);
    expect(bare.warnings.join('\n')).toMatch(/assuming the log starts on the ground/);
  });

  it('takes UTC from the startTime option when no GPS time is logged, and refuses without either', async () => {
    const noGps = withTopics(standardSpec(), (t) => [t[0], t[2], t[3]]);
    const e = await errorOf(bytesOf(noGps));
    expect(e.code).toBe('PT_ERR_ULOG_NO_TIME');
    expect(e.message).toContain('flight.ulg');
    expect(e.detail).toContain('startTime');
    const r = await parse(bytesOf(noGps), { startTime: '2026-06-01T12:00:00Z' });
    expect(r.info.timeReference).toBe('option');
    // The first data message is the wind estimate published at 10.001 s; the first gas sample is at 10.37 s.
    expect(r.series.timeMs[0]).toBeCloseTo(Date.UTC(2026, 5, 1, 12) + 369, 6);
    expect(r.info.startTime).toBe('2026-06-01T12:00:00.000Z');
    // A GPS without a fix (time_utc_usec 0) does not count as a time reference.
    const noFix = withTopics(standardSpec(), (t) => [
      t[0],
      { name: 'sensor_gps', messages: grid(10, 70, 1).map((s) => ({ timestamp: us(s), time_utc_usec: 0n })) },
      t[3],
    ]);
    const e2 = await errorOf(bytesOf(noFix));
    expect(e2.code).toBe('PT_ERR_ULOG_NO_TIME');
    // GPS wins over the option, with a warning when they disagree.
    const both = await parse(bytesOf(standardSpec()), { startTime: '2020-01-01T00:00:00Z' });
    expect(both.info.timeReference).toBe('gps');
    expect(both.warnings.join('\n')).toMatch(/differs from the GPS time/);
  });

  it('names the missing gas topic and lists the topics present', async () => {
    const e = await errorOf(bytesOf(withTopics(standardSpec(), (t) => t.slice(0, 3))));
    expect(e.code).toBe('PT_ERR_ULOG_MISSING_TOPIC');
    expect(e.exitCode).toBe(31);
    expect(e.message).toContain('flight.ulg');
    expect(e.detail).toBe(
      'the gas topic "gas_concentration" is not in the log; topics with data in this log: sensor_gps, vehicle_global_position, wind',
    );
    const empty = await errorOf(bytesOf(withTopics(standardSpec(), (t) => [...t.slice(0, 3), gasTopic([], () => 0)])));
    expect(empty.code).toBe('PT_ERR_ULOG_MISSING_TOPIC');
    expect(empty.detail).toMatch(/is subscribed but holds no messages/);
    const other = await errorOf(bytesOf(standardSpec()), { gasTopic: 'sniffer' });
    expect(other.detail).toMatch(/^the gas topic "sniffer" is not in the log/);
  });

  it('names the missing position topic', async () => {
    const e = await errorOf(bytesOf(withTopics(standardSpec(), (t) => t.slice(1))));
    expect(e.code).toBe('PT_ERR_ULOG_MISSING_TOPIC');
    expect(e.detail).toMatch(/^the position topic "vehicle_global_position" is not in the log; topics with data/);
    expect(e.detail).toContain('gas_concentration');
  });

  it('refuses a file whose gas samples all lie outside the position record', async () => {
    const spec = withTopics(standardSpec(), (t) => [t[0], t[1], gasTopic(grid(80, 90, 1), () => 2)]);
    const e = await errorOf(bytesOf(spec));
    expect(e.code).toBe('PT_ERR_TOO_FEW_SAMPLES');
  });

  it('refuses a wrong magic as PT_ERR_ULOG_CORRUPT', async () => {
    const good = bytesOf(standardSpec());
    const flipped = good.slice();
    flipped[0] = 0x75; // 'u'
    const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
    const csv = new TextEncoder().encode('time,lat,lon,alt_m,ppm\n2026-05-09T10:00:00Z,1,2,3,4\n');
    const v2 = good.slice();
    v2[6] = 0x36;
    for (const bytes of [flipped, png, csv, v2]) {
      const e = await errorOf(bytes);
      expect(e.code).toBe('PT_ERR_ULOG_CORRUPT');
      expect(e.exitCode).toBe(30);
      expect(e.detail).toMatch(/^not a ULog file: it starts with /);
      expect(e.message).toContain('(flight.ulg)');
    }
    expect((await errorOf(new Uint8Array(0))).code).toBe('PT_ERR_FILE_EMPTY');
  });

  it('refuses a file cut inside the header, the definitions or any message, naming the byte offset', async () => {
    const { bytes, messageOffsets } = writePx4Log(standardSpec());
    const firstA = messageOffsets.find((o) => bytes[o + 2] === 0x41) ?? -1;
    const dataAt = messageOffsets.filter((o) => bytes[o + 2] === 0x44);
    const cuts = [
      1,
      7,
      12,
      16 + 2, // inside the flag bits' message header
      16 + 20, // inside the flag bits
      messageOffsets[3] + 10, // inside a definition
      firstA, // after the definitions, before any data
      firstA + 4, // inside a subscription
      dataAt[0] + 1,
      dataAt[100] + 3,
      dataAt[500] + 20,
      dataAt[dataAt.length - 1] + 5,
      bytes.length - 1,
    ];
    for (const cut of cuts) {
      const e = await errorOf(bytes.slice(0, cut));
      expect(e.code, `cut at ${cut}`).toBe('PT_ERR_ULOG_CORRUPT');
      expect(e.message).toContain('flight.ulg');
      expect(e.message).not.toMatch(/\n\s+at /);
      if (cut >= 16) expect(e.detail, `cut at ${cut}`).toMatch(/byte \d+/);
      else expect(e.detail).toMatch(/less than the 16-byte ULog header: truncated/);
    }
    const mid = await errorOf(bytes.slice(0, dataAt[500] + 20));
    expect(mid.detail).toBe(
      `the 'D' message at byte ${dataAt[500]} declares ${bytes[dataAt[500]] | (bytes[dataAt[500] + 1] << 8)} bytes but the file ends after 17: truncated`,
    );
  });

  it('reads a file cut exactly between two data messages as the shorter log it then is', async () => {
    const { bytes, messageOffsets } = writePx4Log(standardSpec());
    const cut = messageOffsets[Math.floor(messageOffsets.length / 2)];
    const r = await parse(bytes.slice(0, cut));
    expect(r.series.timeMs.length).toBeGreaterThan(10);
    expect(r.series.timeMs.length).toBeLessThan(60);
  });

  it('refuses corrupt framing: a bad type byte, data for an unknown msg_id, a too-short data message', async () => {
    const { bytes, messageOffsets } = writePx4Log(standardSpec());
    const dataAt = messageOffsets.filter((o) => bytes[o + 2] === 0x44);
    const badType = bytes.slice();
    badType[dataAt[10] + 2] = 0x07;
    expect((await errorOf(badType)).detail).toBe(
      `byte ${dataAt[10]} should start a message but its type byte is 0x07: the file is corrupt`,
    );
    const badId = bytes.slice();
    badId[dataAt[10] + 3] = 0x33;
    expect((await errorOf(badId)).detail).toMatch(
      new RegExp(`^the 'D' message at byte ${dataAt[10]} carries msg_id 51`),
    );
    // Shorten one data message by 8 bytes and close the hole: its format no longer fits.
    const at = dataAt[10];
    const size = bytes[at] | (bytes[at + 1] << 8);
    const short = new Uint8Array(bytes.length - 8);
    short.set(bytes.subarray(0, at + 3 + size - 8));
    short.set(bytes.subarray(at + 3 + size), at + 3 + size - 8);
    short[at] = (size - 8) & 0xff;
    short[at + 1] = (size - 8) >> 8;
    expect((await errorOf(short)).detail).toMatch(/whose format needs \d+/);
  });

  it('never throws anything but a PlumetraceError on mutated files (seeded fuzz)', async () => {
    const small = bytesOf({
      startUs: 1_000_000n,
      topics: [
        positionTopic(grid(2, 8, 10), straight),
        gpsTopic(grid(2, 8, 1)),
        windTopic(grid(2, 8, 1)),
        gasTopic(grid(2.3, 7.5, 1), () => 2),
      ],
    });
    const rng = new Rng(7);
    const outcomes = { ok: 0, coded: 0 };
    for (let trial = 0; trial < 300; trial++) {
      let b = small.slice();
      if (trial % 3 === 0) b = b.slice(0, rng.int(b.length));
      const flips = 1 + rng.int(3);
      for (let f = 0; f < flips && b.length > 0; f++) b[rng.int(b.length)] = rng.int(256);
      try {
        await parse(b);
        outcomes.ok++;
      } catch (e) {
        if (!(e instanceof PlumetraceError)) throw new Error(`trial ${trial}: ${String(e)}`);
        expect(e.message).not.toMatch(/\n\s+at /);
        outcomes.coded++;
      }
    }
    expect(outcomes.coded).toBeGreaterThan(0);
    expect(outcomes.ok).toBeGreaterThan(0);
  });

  it('decodes the same from a Buffer view into a larger buffer, and across decoder chunks (> 256 kB)', async () => {
    const long = withTopics(standardSpec(), () => [
      positionTopic(grid(10, 700, 10), straight),
      gpsTopic(grid(10, 700, 5)),
      gasTopic(grid(10.37, 699.5, 1), (s) => s),
    ]);
    const bytes = bytesOf(long);
    expect(bytes.length).toBeGreaterThan(2 * 256 * 1024);
    const padded = Buffer.alloc(bytes.length + 100);
    padded.set(bytes, 37);
    const view = padded.subarray(37, 37 + bytes.length);
    const r = await parse(view);
    const last = r.series.timeMs.length - 1;
    expect(last + 1).toBe(690);
    expect(r.series.ppm[last]).toBeCloseTo(Math.fround(699.37), 3);
    expect(r.series.lat[last]).toBeCloseTo(straight(699.37).lat, 11);
    expect(r.track.lat[6900]).toBeCloseTo(straight(700).lat, 11);
  });

  it('reads the survey fixture from disk', async () => {
    const { truth } = buildSurveyULog();
    const r = await readULogInSitu(SURVEY_FIXTURE);
    expect(r.series.gas).toBe('CH4');
    expect(r.info).toMatchObject({ timeReference: 'gps', altitudeReference: 'terrain', windTopic: 'wind' });
    expect(r.warnings).toContain(
      `${truth.gasSamplesBeforeFirstFix} gas sample(s) before the first position fix (2026-05-09T09:58:35.000Z) were dropped`,
    );
    expect(r.series.timeMs.length).toBeGreaterThan(150);
    for (const h of r.series.altM) expect(h).toBeCloseTo(truth.flightHeightM, 4);
    // The plume shows: the peak is well above background, near the first (closest) transect.
    let peak = 0;
    for (let i = 1; i < r.series.ppm.length; i++) if (r.series.ppm[i] > r.series.ppm[peak]) peak = i;
    expect(r.series.ppm[peak]).toBeGreaterThan(truth.backgroundPpm + 5);
    expect(r.series.windU?.[peak]).toBeCloseTo(truth.windSpeedMps * Math.sin((truth.windToDeg * Math.PI) / 180), 0);
  });

  it('maps file-system problems to registered codes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'plumetrace-ulog-'));
    expect((await readULogInSitu(join(dir, 'nope.ulg')).catch((e) => e)).code).toBe('PT_ERR_FILE_NOT_FOUND');
    mkdirSync(join(dir, 'd.ulg'));
    expect((await readULogInSitu(join(dir, 'd.ulg')).catch((e) => e)).code).toBe('PT_ERR_ULOG_CORRUPT');
    const bad = await errorOf(bytesOf(standardSpec()), { maxPositionGapS: -1 });
    expect(bad.code).toBe('PT_ERR_BAD_REQUEST');
  });
});
