/**
 * A small ULog WRITER for tests and fixtures (the product only reads ULog). It writes what the PX4
 * logger writes, after the "ULog File Format" spec (docs.px4.io): the 16-byte header, a flag-bits
 * 'B' message, information 'I', parameters 'P', formats 'F', then the data section with
 * subscriptions 'A', data 'D' and log strings 'L'. Little endian; like PX4, padding fields at the
 * end of a message are not written.
 *
 * Also builds the synthetic survey behind `fixtures/survey.ulg`. Regenerate that file, on purpose,
 * with:
 *
 *   npx tsx src/io/ulog/test-writer.ts
 *
 * (a test checks that the committed file equals what this script writes).
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { makePlumeKernel, transportWindMps } from '../../core/dispersion/index.ts';
import { localFrame } from '../../core/geo/local-frame.ts';
import { Rng } from '../../core/random.ts';
import type { StabilityClass } from '../../core/types.ts';
import { ppmPerKgPerM3 } from '../../core/units.ts';
import { parseULogFormat, type ULogFieldSpec } from './framing.ts';
import { ULOG_BASIC_TYPE_BYTES, ULOG_FLAG_BITS_BYTES, ULOG_MSG, ulogFormat } from './format.ts';

/** A field value: numbers (bigint or number for 64-bit integers), booleans, strings for char[n], arrays. */
export type ULogValue = number | bigint | boolean | string | readonly number[] | ULogRecord;
export interface ULogRecord {
  [field: string]: ULogValue;
}

/** Byte buffer that grows as messages are appended. */
class Bytes {
  buf = new Uint8Array(4096);
  view = new DataView(this.buf.buffer);
  length = 0;
  reserve(n: number): number {
    if (this.length + n > this.buf.length) {
      const next = new Uint8Array(Math.max(this.buf.length * 2, this.length + n));
      next.set(this.buf.subarray(0, this.length));
      this.buf = next;
      this.view = new DataView(next.buffer);
    }
    const at = this.length;
    this.length += n;
    return at;
  }
  // reserve() may swap the buffer: call it before touching buf or view.
  bytes(data: Uint8Array): void {
    const at = this.reserve(data.length);
    this.buf.set(data, at);
  }
  u8(v: number): void {
    const at = this.reserve(1);
    this.view.setUint8(at, v);
  }
  u16(v: number): void {
    const at = this.reserve(2);
    this.view.setUint16(at, v, true);
  }
  u64(v: bigint): void {
    const at = this.reserve(8);
    this.view.setBigUint64(at, v, true);
  }
  result(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

const utf8 = new TextEncoder();

export interface ULogWriterOptions {
  /** Logging start, µs since boot (the header timestamp). */
  startUs: bigint;
  /** Header version byte, default 1. */
  version?: number;
  /** Write the 'B' flag-bits message (PX4 does since format version 1). Default true. */
  flagBits?: boolean;
  /** Write padding at the end of a message too (PX4 does not). Default false. */
  keepTrailingPadding?: boolean;
}

/** Writes one ULog file message by message; `finish()` returns the bytes. */
export class ULogWriter {
  readonly #out = new Bytes();
  readonly #formats = new Map<string, ULogFieldSpec[]>();
  readonly #subscriptions = new Map<number, string>();
  readonly #keepTrailingPadding: boolean;
  #inData = false;
  #nextMsgId = 0;
  /** Byte offset of every message written (for truncation tests). */
  readonly messageOffsets: number[] = [];

  constructor(opts: ULogWriterOptions) {
    this.#keepTrailingPadding = opts.keepTrailingPadding ?? false;
    this.#out.bytes(Uint8Array.from(ulogFormat.magic));
    this.#out.u8(opts.version ?? 1);
    this.#out.u64(opts.startUs);
    if (opts.flagBits ?? true) {
      const p = new Bytes();
      p.reserve(ULOG_FLAG_BITS_BYTES); // all flags 0, no appended data
      this.message(ULOG_MSG.flagBits, p.result());
    }
  }

  /** Appends one message of any type (tests use it for odd cases). */
  message(type: number, payload: Uint8Array): void {
    if (payload.length > 0xffff) throw new Error(`message payload of ${payload.length} bytes exceeds 65535`);
    this.messageOffsets.push(this.#out.length);
    this.#out.u16(payload.length);
    this.#out.u8(type);
    this.#out.bytes(payload);
  }

  #definitions(what: string): void {
    if (this.#inData) throw new Error(`${what} must come before the first subscription or data message`);
  }

  #keyValue(type: number, typeName: string, name: string, value: ULogValue): void {
    const field = parseULogFormat(`x:${typeName} ${name}`)?.fields[0];
    if (!field) throw new Error(`bad key "${typeName} ${name}"`);
    const key = utf8.encode(`${typeName} ${name}`);
    const p = new Bytes();
    p.u8(key.length);
    p.bytes(key);
    this.#encodeField(p, field, value);
    this.message(type, p.result());
  }

  /** An information message, e.g. info('char[3]', 'sys_name', 'PX4') or info('int32_t', 'time_ref_utc', 0). */
  info(typeName: string, name: string, value: ULogValue): void {
    this.#definitions('info');
    this.#keyValue(ULOG_MSG.info, typeName, name, value);
  }

  /** A string information message: info('char[n]', name, text). */
  infoString(name: string, text: string): void {
    this.info(`char[${Math.max(1, utf8.encode(text).length)}]`, name, text);
  }

  /** A parameter (int32_t or float). Allowed in the data section too (a change in flight). */
  parameter(typeName: 'int32_t' | 'float', name: string, value: number): void {
    this.#keyValue(ULOG_MSG.parameter, typeName, name, value);
  }

  /** A format: `fields` as in the file, "uint64_t timestamp;float x;...". */
  format(name: string, fields: string): void {
    this.#definitions('format');
    const text = `${name}:${fields}`;
    const parsed = parseULogFormat(text);
    if (!parsed) throw new Error(`bad format "${text}"`);
    this.#formats.set(name, parsed.fields);
    this.message(ULOG_MSG.format, utf8.encode(text));
  }

  /** Subscribes a topic (its format must be written); returns the msg_id for data(). */
  subscribe(topic: string, multiId = 0): number {
    if (!this.#formats.has(topic)) throw new Error(`no format for "${topic}"`);
    this.#inData = true;
    const msgId = this.#nextMsgId++;
    const p = new Bytes();
    p.u8(multiId);
    p.u16(msgId);
    p.bytes(utf8.encode(topic));
    this.message(ULOG_MSG.addLogged, p.result());
    this.#subscriptions.set(msgId, topic);
    return msgId;
  }

  /** One data message; fields not given are written as zeros. */
  data(msgId: number, values: ULogRecord): void {
    const topic = this.#subscriptions.get(msgId);
    if (topic === undefined) throw new Error(`msg_id ${msgId} is not subscribed`);
    const p = new Bytes();
    p.u16(msgId);
    this.#encodeStruct(p, topic, values, !this.#keepTrailingPadding);
    this.message(ULOG_MSG.data, p.result());
  }

  /** A logged string ('L'); level is the syslog level 0–7, written as its ASCII digit like PX4. */
  log(level: number, timestampUs: bigint, text: string): void {
    this.#inData = true;
    const p = new Bytes();
    p.u8(0x30 + level);
    p.u64(timestampUs);
    p.bytes(utf8.encode(text));
    this.message(ULOG_MSG.log, p.result());
  }

  finish(): Uint8Array {
    return this.#out.result();
  }

  #sizeOf(type: string): number {
    const basic = ULOG_BASIC_TYPE_BYTES[type];
    if (basic !== undefined) return basic;
    const fields = this.#formats.get(type);
    if (!fields) throw new Error(`unknown type ${type}`);
    return fields.reduce((s, f) => s + this.#sizeOf(f.type) * (f.arrayLength ?? 1), 0);
  }

  #encodeStruct(p: Bytes, type: string, values: ULogRecord, dropTrailingPadding: boolean): void {
    const fields = this.#formats.get(type);
    if (!fields) throw new Error(`unknown type ${type}`);
    let last = fields.length;
    if (dropTrailingPadding) while (last > 0 && fields[last - 1].name.startsWith('_padding')) last--;
    for (const name of Object.keys(values)) {
      if (!fields.some((f) => f.name === name)) throw new Error(`${type} has no field "${name}"`);
    }
    for (let i = 0; i < last; i++) {
      const f = fields[i];
      this.#encodeField(p, f, f.name.startsWith('_') ? undefined : values[f.name]);
    }
  }

  #encodeField(p: Bytes, f: ULogFieldSpec, value: ULogValue | undefined): void {
    const count = f.arrayLength ?? 1;
    if (ULOG_BASIC_TYPE_BYTES[f.type] === undefined) {
      const size = this.#sizeOf(f.type);
      const items = f.arrayLength === undefined ? [value] : Array.isArray(value) ? value : [];
      for (let i = 0; i < count; i++) {
        const item = items[i];
        if (item !== undefined && typeof item === 'object' && !Array.isArray(item)) {
          this.#encodeStruct(p, f.type, item as ULogRecord, false);
        } else {
          p.reserve(size);
        }
      }
      return;
    }
    if (f.type === 'char') {
      const at = p.reserve(count);
      const text = utf8.encode(typeof value === 'string' ? value : '').subarray(0, count);
      p.buf.set(text, at);
      return;
    }
    const items: readonly unknown[] = f.arrayLength === undefined ? [value] : Array.isArray(value) ? value : [];
    for (let i = 0; i < count; i++) writeBasic(p, f.type, items[i]);
  }
}

function writeBasic(p: Bytes, type: string, v: unknown): void {
  const at = p.reserve(ULOG_BASIC_TYPE_BYTES[type]);
  const num = typeof v === 'number' ? v : typeof v === 'boolean' ? (v ? 1 : 0) : typeof v === 'bigint' ? Number(v) : 0;
  const big = typeof v === 'bigint' ? v : BigInt(Math.round(Number.isFinite(num) ? num : 0));
  const d = p.view;
  switch (type) {
    case 'int8_t':
      d.setInt8(at, num);
      break;
    case 'uint8_t':
    case 'bool':
      d.setUint8(at, num);
      break;
    case 'int16_t':
      d.setInt16(at, num, true);
      break;
    case 'uint16_t':
      d.setUint16(at, num, true);
      break;
    case 'int32_t':
      d.setInt32(at, num, true);
      break;
    case 'uint32_t':
      d.setUint32(at, num, true);
      break;
    case 'int64_t':
      d.setBigInt64(at, big, true);
      break;
    case 'uint64_t':
      d.setBigUint64(at, big, true);
      break;
    case 'float':
      d.setFloat32(at, num, true);
      break;
    case 'double':
      d.setFloat64(at, num, true);
      break;
  }
}

/**
 * Formats of the PX4 topics plumetrace reads, as a PX4 1.14-era logger writes them (fields ordered
 * by size, explicit padding), trimmed to the fields that matter here plus a few neighbours, and the
 * `gas_concentration` convention of README.md.
 */
export const PX4_FORMATS: Readonly<Record<string, string>> = {
  vehicle_global_position:
    'uint64_t timestamp;uint64_t timestamp_sample;double lat;double lon;float alt;float alt_ellipsoid;' +
    'float delta_alt;float eph;float epv;float terrain_alt;uint8_t lat_lon_reset_counter;' +
    'uint8_t alt_reset_counter;bool terrain_alt_valid;bool dead_reckoning;uint8_t[4] _padding0;',
  sensor_gps:
    'uint64_t timestamp;uint64_t timestamp_sample;uint64_t time_utc_usec;double latitude_deg;' +
    'double longitude_deg;double altitude_msl_m;uint32_t device_id;float eph;float epv;uint8_t fix_type;' +
    'uint8_t satellites_used;uint8_t[2] _padding0;',
  // Before PX4 1.14 the GPS topic was vehicle_gps_position, latitude/longitude in 1e-7 degrees.
  vehicle_gps_position:
    'uint64_t timestamp;uint64_t time_utc_usec;int32_t lat;int32_t lon;int32_t alt;float eph;float epv;' +
    'uint8_t fix_type;uint8_t satellites_used;uint8_t[2] _padding0;',
  wind:
    'uint64_t timestamp;uint64_t timestamp_sample;float windspeed_north;float windspeed_east;' +
    'float variance_north;float variance_east;uint8_t source;uint8_t[7] _padding0;',
  wind_estimate:
    'uint64_t timestamp;uint64_t timestamp_sample;float windspeed_north;float windspeed_east;' +
    'float variance_north;float variance_east;',
  home_position:
    'uint64_t timestamp;double lat;double lon;float alt;float x;float y;float z;float yaw;bool valid_alt;' +
    'bool valid_hpos;bool valid_lpos;bool manual_home;uint8_t[4] _padding0;',
  vehicle_local_position:
    'uint64_t timestamp;uint64_t timestamp_sample;double ref_lat;double ref_lon;float x;float y;float z;' +
    'float vx;float vy;float vz;float ref_alt;bool xy_valid;bool z_valid;uint8_t[2] _padding0;',
  gas_concentration: 'uint64_t timestamp;uint64_t timestamp_sample;float ppm;float sigma_ppm;char[8] gas;',
};

/** One topic of a synthetic log: its messages (each with a `timestamp` in µs since boot). */
export interface Px4TopicSpec {
  name: string;
  /** Default PX4_FORMATS[name]. */
  format?: string;
  multiId?: number;
  messages: ULogRecord[];
}

export interface Px4LogSpec {
  /** Logging start, µs since boot. */
  startUs: bigint;
  /** String info values become char[n], numbers int32_t. */
  info?: Record<string, string | number>;
  parameters?: Record<string, { type: 'int32_t' | 'float'; value: number }>;
  topics: Px4TopicSpec[];
  logs?: Array<{ level: number; timestampUs: bigint; text: string }>;
  writer?: Omit<ULogWriterOptions, 'startUs'>;
}

/**
 * Writes a PX4-like log: definitions, then every topic's subscription, then all data and log
 * messages merged in `timestamp` order (ties in spec order), as the logger's buffer would.
 */
export function writePx4Log(spec: Px4LogSpec): { bytes: Uint8Array; messageOffsets: number[] } {
  const w = new ULogWriter({ startUs: spec.startUs, ...spec.writer });
  for (const [name, value] of Object.entries(spec.info ?? {})) {
    if (typeof value === 'string') w.infoString(name, value);
    else w.info('int32_t', name, value);
  }
  for (const [name, { type, value }] of Object.entries(spec.parameters ?? {})) w.parameter(type, name, value);
  const written = new Set<string>();
  for (const t of spec.topics) {
    if (written.has(t.name)) continue;
    const format = t.format ?? PX4_FORMATS[t.name];
    if (format === undefined) throw new Error(`no format for topic ${t.name}`);
    w.format(t.name, format);
    written.add(t.name);
  }
  const ids = spec.topics.map((t) => w.subscribe(t.name, t.multiId ?? 0));
  type Item = { t: bigint; k: number; write: () => void };
  const items: Item[] = [];
  spec.topics.forEach((topic, ti) => {
    for (const m of topic.messages) {
      const t = m.timestamp;
      if (typeof t !== 'bigint' && typeof t !== 'number') throw new Error(`${topic.name} message without timestamp`);
      items.push({ t: BigInt(t), k: items.length, write: () => w.data(ids[ti], m) });
    }
  });
  for (const l of spec.logs ?? []) {
    items.push({ t: l.timestampUs, k: items.length, write: () => w.log(l.level, l.timestampUs, l.text) });
  }
  items.sort((a, b) => (a.t < b.t ? -1 : a.t > b.t ? 1 : a.k - b.k));
  for (const it of items) it.write();
  return { bytes: w.finish(), messageOffsets: w.messageOffsets };
}

// ---------------------------------------------------------------------------------------------
// The synthetic survey behind fixtures/survey.ulg

export interface SurveyTruth {
  description: string;
  seed: number;
  gas: string;
  source: { lat: number; lon: number; heightM: number; rateKgPerHour: number };
  windSpeedMps: number;
  windToDeg: number;
  stability: StabilityClass;
  backgroundPpm: number;
  sensorNoisePpm: number;
  windNoiseMps: number;
  groundAltitudeM: number;
  flightHeightM: number;
  speedMps: number;
  transectDistancesM: number[];
  transectHalfWidthM: number;
  /** UTC at boot (µs since boot = 0), ISO-8601. */
  utcAtBoot: string;
  rates: { positionHz: number; gpsHz: number; windHz: number; gasHz: number };
  /** Gas samples written, and how many precede the first position fix (the reader drops those). */
  gasSamples: number;
  gasSamplesBeforeFirstFix: number;
}

export const SURVEY_CONFIG = {
  seed: 20260509,
  gas: 'CH4',
  source: { lat: 47.4, lon: 8.55, heightM: 1, rateKgPerHour: 6 },
  windSpeedMps: 3.5,
  windToDeg: 70,
  stability: 'D' as StabilityClass,
  backgroundPpm: 1.95,
  sensorNoisePpm: 0.02,
  windNoiseMps: 0.2,
  groundAltitudeM: 420,
  flightHeightM: 2,
  speedMps: 4,
  transectDistancesM: [40, 90, 140],
  transectHalfWidthM: 90,
  utcAtBoot: '2026-05-09T09:58:00Z',
  rates: { positionHz: 10, gpsHz: 2, windHz: 1, gasHz: 1 },
};

/**
 * A drone flies crosswind transects downwind of a methane source (Gaussian plume from
 * src/core/dispersion, mean plume, white sensor noise), logging position at 10 Hz, GPS with UTC at
 * 2 Hz, the wind estimate at 1 Hz and the gas sensor at 1 Hz. Logging starts 30 s after boot; the
 * gas sensor starts 3 s before the first position fix (those samples have no position). Terrain
 * is valid (flat ground at 420 m), so heights above ground are exact. Deterministic (seeded).
 */
export function buildSurveyULog(): { bytes: Uint8Array; truth: SurveyTruth } {
  const c = SURVEY_CONFIG;
  const rng = new Rng(c.seed);
  const frame = localFrame(c.source.lat, c.source.lon);
  const th = (c.windToDeg * Math.PI) / 180;
  const down = [Math.sin(th), Math.cos(th)]; // east, north
  const cross = [Math.cos(th), -Math.sin(th)];
  // Waypoints in (along, cross) metres; the track joins them at constant speed.
  const wps: Array<[number, number]> = [];
  c.transectDistancesM.forEach((d, i) => {
    const s = i % 2 === 0 ? 1 : -1;
    wps.push([d, -s * c.transectHalfWidthM], [d, s * c.transectHalfWidthM]);
  });
  const legs = wps.slice(1).map((p, i) => Math.hypot(p[0] - wps[i][0], p[1] - wps[i][1]));
  const flightS = legs.reduce((a, b) => a + b, 0) / c.speedMps;
  const at = (s: number): [along: number, crossM: number] => {
    let d = Math.min(Math.max(s, 0), flightS) * c.speedMps;
    for (let i = 0; i < legs.length; i++) {
      if (d <= legs[i] || i === legs.length - 1) {
        const f = legs[i] > 0 ? Math.min(d / legs[i], 1) : 0;
        return [wps[i][0] + f * (wps[i + 1][0] - wps[i][0]), wps[i][1] + f * (wps[i + 1][1] - wps[i][1])];
      }
      d -= legs[i];
    }
    return wps[wps.length - 1];
  };
  const toLatLon = (along: number, cr: number): [number, number] =>
    frame.toLatLon(along * down[0] + cr * cross[0], along * down[1] + cr * cross[1]);

  const bootUtcUs = BigInt(Date.parse(c.utcAtBoot)) * 1000n;
  const startUs = 30_000_000n; // logging starts 30 s after boot
  const firstFixUs = startUs + 5_000_000n; // first position fix 5 s later, flight begins there
  const us = (s: number): bigint => firstFixUs + BigInt(Math.round(s * 1e6));
  const alt = c.groundAltitudeM + c.flightHeightM;

  const position: ULogRecord[] = [];
  for (let k = 0; k <= Math.floor(flightS * c.rates.positionHz); k++) {
    const s = k / c.rates.positionHz;
    const [la, lo] = toLatLon(...at(s));
    const t = us(s);
    position.push({
      timestamp: t + 2000n,
      timestamp_sample: t,
      lat: la,
      lon: lo,
      alt,
      alt_ellipsoid: alt + 48,
      eph: 0.8,
      epv: 1.2,
      terrain_alt: c.groundAltitudeM,
      terrain_alt_valid: true,
    });
  }
  const gps: ULogRecord[] = [];
  for (let k = 0; k <= Math.floor(flightS * c.rates.gpsHz); k++) {
    const s = k / c.rates.gpsHz;
    const [la, lo] = toLatLon(...at(s));
    const t = us(s);
    gps.push({
      timestamp: t + 5000n,
      timestamp_sample: t,
      time_utc_usec: bootUtcUs + t,
      latitude_deg: la,
      longitude_deg: lo,
      altitude_msl_m: alt,
      device_id: 1,
      eph: 0.8,
      epv: 1.2,
      fix_type: 3,
      satellites_used: 14,
    });
  }
  const windU = c.windSpeedMps * down[0];
  const windV = c.windSpeedMps * down[1];
  const wind: ULogRecord[] = [];
  for (let k = 0; k <= Math.floor(flightS * c.rates.windHz); k++) {
    const t = us(k / c.rates.windHz);
    wind.push({
      timestamp: t + 1000n,
      timestamp_sample: t,
      windspeed_north: windV + rng.normal(0, c.windNoiseMps),
      windspeed_east: windU + rng.normal(0, c.windNoiseMps),
      variance_north: c.windNoiseMps ** 2,
      variance_east: c.windNoiseMps ** 2,
    });
  }
  const kernel = makePlumeKernel({ stability: c.stability });
  const u = transportWindMps(c.windSpeedMps, c.source.heightM, c.stability);
  const scale = (c.source.rateKgPerHour / 3600) * ppmPerKgPerM3(c.gas);
  const gas: ULogRecord[] = [];
  const lead = 3; // gas samples before the first position fix
  let before = 0;
  for (let k = -lead; k <= Math.floor(flightS * c.rates.gasHz); k++) {
    // Sample instants 0.25 s off the position grid, so every sample needs interpolation.
    const s = k / c.rates.gasHz + 0.25;
    if (s < 0) before++;
    const [along, cr] = at(s);
    const ppm = c.backgroundPpm + kernel(along, cr, c.flightHeightM, c.source.heightM, u) * scale;
    const t = us(s);
    gas.push({
      timestamp: t + 40_000n,
      timestamp_sample: t,
      ppm: ppm + rng.normal(0, c.sensorNoisePpm),
      sigma_ppm: c.sensorNoisePpm,
      gas: c.gas,
    });
  }
  const endUs = us(flightS) + 500_000n;
  const { bytes } = writePx4Log({
    startUs,
    info: { sys_name: 'PX4', ver_sw: 'plumetrace-test-writer', sys_uuid: 'synthetic-0001', time_ref_utc: 0 },
    parameters: {
      SDLOG_MODE: { type: 'int32_t', value: 0 },
      MPC_XY_CRUISE: { type: 'float', value: c.speedMps },
    },
    topics: [
      { name: 'vehicle_global_position', messages: position },
      { name: 'sensor_gps', messages: gps },
      { name: 'wind', messages: wind },
      { name: 'gas_concentration', messages: gas },
    ],
    logs: [
      { level: 6, timestampUs: startUs + 100_000n, text: 'synthetic survey written by plumetrace test-writer' },
      { level: 6, timestampUs: endUs, text: 'survey complete' },
    ],
  });
  return {
    bytes,
    truth: {
      description:
        'Synthetic PX4 ULog of an in-situ methane survey: Gaussian plume (Briggs rural sigmas, ground reflection, ' +
        'mean plume) from src/core/dispersion, ppm at 288.15 K / 101325 Pa, white sensor noise; wind estimate = ' +
        'true 10 m wind (toward windToDeg) + white noise per component. Written by src/io/ulog/test-writer.ts.',
      ...c,
      source: { ...c.source },
      transectDistancesM: [...c.transectDistancesM],
      rates: { ...c.rates },
      gasSamples: gas.length,
      gasSamplesBeforeFirstFix: before,
    },
  };
}

/** Where the fixture lives. Its truth is `buildSurveyULog().truth` (and fixtures/README.md). */
export const SURVEY_FIXTURE = fileURLToPath(new URL('./fixtures/survey.ulg', import.meta.url));

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { bytes } = buildSurveyULog();
  writeFileSync(SURVEY_FIXTURE, bytes);
  process.stdout.write(`wrote ${SURVEY_FIXTURE} (${bytes.length} bytes)\n`);
}
