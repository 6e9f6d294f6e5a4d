/**
 * Reader of PX4 ULog flight logs carrying a gas sensor (see format.ts for the descriptor and
 * README.md for the topic convention): the gas samples, with the vehicle's position, height above
 * ground and the wind estimate interpolated to each sample's time, as an InSituSeries; plus the
 * whole flight track.
 *
 * Every problem is a PlumetraceError naming the file (and the byte offset, for a corrupt file);
 * nothing is returned unless the whole file was read.
 */
import { readFile } from 'node:fs/promises';
import { type Filelike, MessageType, type Subscription, ULog } from '@foxglove/ulog';
import { type ErrorCode, PlumetraceError } from '../../core/errors.ts';
import type { InSituSeries } from '../../core/types.ts';
import { checkULogFraming } from './framing.ts';
import { INTERP_AFTER, INTERP_BEFORE, INTERP_GAP, interpolateLinear } from './interpolate.ts';
import { ulogTopics } from './format.ts';

export interface ULogInSituOptions {
  /** Topic holding the gas samples (default `gas_concentration`). */
  gasTopic?: string;
  /** Concentration field in ppm (default: the first of `ppm`, `concentration_ppm` the topic has). */
  gasField?: string;
  /**
   * Gas name. When the topic labels its samples (`gas` / `gas_id`), only samples of this gas are
   * read; unlabeled samples are taken to be this gas. Default: the topic's one label, else CH4.
   */
  gas?: string;
  /**
   * ISO-8601 UTC time of the log's first timestamped message (data or logged string, by its
   * `timestamp`), used only when no GPS topic carries a UTC time (`time_utc_usec`).
   * `info.startTime` reports the same instant.
   */
  startTime?: string;
  /** Gas samples between two position fixes further apart than this (s) are dropped. Default 2. */
  maxPositionGapS?: number;
}

/** The vehicle's whole track (every valid position fix), in time order. */
export interface ULogTrack {
  timeMs: Float64Array;
  lat: Float64Array;
  lon: Float64Array;
  /** Height above ground (m), by `info.altitudeReference`. */
  altM: Float64Array;
}

/** How the height above ground was found (see README.md). */
export type ULogAltitudeReference = 'terrain' | 'home' | 'local' | 'first-fix';

export interface ULogInSituInfo {
  /** Topics with at least one data message, sorted. */
  topics: string[];
  /** UTC time of the first timestamped message (data or logged string; ISO-8601). */
  startTime: string;
  /** From the first to the last timestamped message (s). */
  durationS: number;
  /** Where the UTC time came from: a GPS topic's time_utc_usec, or opts.startTime. */
  timeReference: 'gps' | 'option';
  /** The GPS topic that gave the time, when timeReference is 'gps'. */
  timeTopic?: string;
  altitudeReference: ULogAltitudeReference;
  gasTopic: string;
  gasField: string;
  /** The wind topic read, absent when the log has none. */
  windTopic?: string;
  /** ULog format version and the bytes/messages read. */
  ulogVersion: number;
  messageCount: number;
}

export interface ULogInSitu {
  series: InSituSeries;
  track: ULogTrack;
  bytes: Uint8Array;
  info: ULogInSituInfo;
  /** What was dropped or assumed, in words (samples outside the position record, fallbacks…). */
  warnings: string[];
}

/**
 * In-memory source for the ULog decoder. Not @foxglove/ulog's own DataReader: in 2.3 its
 * readMessages() decodes each message at `data.byteOffset` within the current chunk's DataView,
 * which is only right when a chunk's bytes start at offset 0 of their buffer. DataReader hands out
 * views into the whole file, so every chunk but the first decodes garbage or throws a RangeError.
 * Returning a copy per read (as its node FileReader does) keeps the offsets right.
 */
class CopyingBytesReader implements Filelike {
  readonly #bytes: Uint8Array;
  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
  }
  async open(): Promise<number> {
    return this.#bytes.length;
  }
  async read(offset: number, length: number): Promise<Uint8Array> {
    // A fresh array, never a view (a Node Buffer's slice() is a view).
    const out = new Uint8Array(Math.max(0, Math.min(length, this.#bytes.length - offset)));
    out.set(this.#bytes.subarray(offset, offset + out.length));
    return out;
  }
  size(): number {
    return this.#bytes.length;
  }
}

/** UTC times before this (2000-01-01) in a GPS message mean "no fix yet". */
const MIN_VALID_UTC_US = 946_684_800_000_000n;
const DEFAULT_MAX_POSITION_GAP_S = 2;
const GAS_NAME = /^[A-Z0-9][A-Z0-9_\-(),.]{0,31}$/;
const NUMERIC_TYPES = new Set([
  'int8_t',
  'uint8_t',
  'int16_t',
  'uint16_t',
  'int32_t',
  'uint32_t',
  'int64_t',
  'uint64_t',
  'float',
  'double',
  'bool',
]);

interface Topic {
  name: string;
  msgId: number;
  multiId: number;
  count: number;
  sub: Subscription;
}

/** Columns collected per topic, times in µs since boot (exact in a double up to 285 years). */
interface Collected {
  t: number[];
  values: Map<string, unknown[]>;
}

function toNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  return Number.NaN;
}

/** A char[n] field as foxglove returns it: NUL padding included. */
function cleanString(v: unknown): string {
  if (typeof v !== 'string') return '';
  const nul = v.indexOf('\0');
  return (nul >= 0 ? v.slice(0, nul) : v).trim();
}

function iso(ms: number): string {
  return Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? new Date(ms).toISOString() : String(ms);
}

function listNames(names: readonly string[], max = 40): string {
  if (names.length === 0) return 'none';
  return names.length <= max ? names.join(', ') : `${names.slice(0, max).join(', ')} … and ${names.length - max} more`;
}

function firstLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split('\n')[0].slice(0, 300);
}

function ascending(t: ArrayLike<number>): Uint32Array {
  const order = new Uint32Array(t.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  // Array.prototype.sort is stable: equal times keep their order in the file.
  return Uint32Array.from(Array.from(order).sort((a, b) => t[a] - t[b]));
}

function pick(order: Uint32Array, values: ArrayLike<number>): Float64Array {
  const out = new Float64Array(order.length);
  for (let i = 0; i < order.length; i++) out[i] = values[order[i]];
  return out;
}

/**
 * Parses the bytes of a ULog file. `file` names the source in error messages. Async because the
 * ULog decoder is; it does no I/O.
 */
export async function parseULogInSitu(
  bytes: Uint8Array,
  file: string,
  opts: ULogInSituOptions = {},
): Promise<ULogInSitu> {
  const fail = (code: ErrorCode, detail: string, column?: string): never => {
    throw new PlumetraceError(code, detail, column ? { file, column } : { file });
  };
  const option = checkOptions(opts);
  const framing = checkULogFraming(bytes, file);
  const warnings: string[] = [];
  if (framing.version > 1) {
    warnings.push(`ULog format version ${framing.version} is newer than this reader knows (1); read as version 1`);
  }

  const ulog = new ULog(new CopyingBytesReader(bytes));
  try {
    await ulog.open();
  } catch (e) {
    fail('PT_ERR_ULOG_CORRUPT', `the ULog decoder refused the file: ${firstLine(e)}`);
  }

  // Inventory: every subscribed topic instance with its message count.
  const counts = ulog.dataMessageCounts() ?? new Map<number, number>();
  const instances = new Map<string, Topic[]>();
  for (const [msgId, sub] of ulog.subscriptions) {
    const list = instances.get(sub.name) ?? [];
    list.push({ name: sub.name, msgId, multiId: sub.multiId, count: counts.get(msgId) ?? 0, sub });
    instances.set(sub.name, list);
  }
  const topics = [...instances.entries()]
    .filter(([, list]) => list.some((x) => x.count > 0))
    .map(([name]) => name)
    .sort();
  const present = `topics with data in this log: ${listNames(topics)}`;

  /** The lowest multi_id instance of a topic that has data; undefined when the topic has none. */
  const find = (name: string): Topic | undefined => {
    const list = (instances.get(name) ?? []).filter((x) => x.count > 0).sort((a, b) => a.multiId - b.multiId);
    if (list.length > 1) {
      warnings.push(
        `${name} has ${list.length} instances (multi_id ${list.map((x) => x.multiId).join(', ')}); read multi_id ${list[0].multiId}`,
      );
    }
    return list[0];
  };
  const mustFind = (name: string, what: string): Topic => {
    const topic = find(name);
    if (topic) return topic;
    const why = instances.has(name) ? 'is subscribed but holds no messages' : 'is not in the log';
    return fail('PT_ERR_ULOG_MISSING_TOPIC', `the ${what} topic "${name}" ${why}; ${present}`);
  };
  const fieldType = (topic: Topic, field: string): string | undefined => {
    const f = topic.sub.fields.find((x) => x.name === field);
    if (!f) return undefined;
    return f.arrayLength !== undefined ? `${f.type}[${f.arrayLength}]` : f.type;
  };
  const hasNumeric = (topic: Topic, field: string): boolean => NUMERIC_TYPES.has(fieldType(topic, field) ?? '');
  const fieldList = (topic: Topic): string =>
    listNames(topic.sub.fields.filter((f) => !f.name.startsWith('_')).map((f) => f.name));
  const requireNumeric = (topic: Topic, field: string): void => {
    const type = fieldType(topic, field);
    if (type === undefined) {
      fail(
        'PT_ERR_ULOG_MISSING_FIELD',
        `topic "${topic.name}" has no field "${field}"; its fields: ${fieldList(topic)}`,
        field,
      );
    } else if (!NUMERIC_TYPES.has(type)) {
      fail('PT_ERR_ULOG_MISSING_FIELD', `field "${field}" of "${topic.name}" is ${type}, not a number`, field);
    }
  };

  // Topics and fields.
  const position = mustFind(ulogTopics.position, 'position');
  for (const f of ['lat', 'lon', 'alt']) requireNumeric(position, f);
  const gasTopicName = option.gasTopic ?? ulogTopics.gas;
  const gas = mustFind(gasTopicName, 'gas');
  let gasField = option.gasField;
  if (gasField === undefined) {
    gasField = ulogTopics.gasFields.find((f) => fieldType(gas, f) !== undefined);
    if (gasField === undefined) {
      return fail(
        'PT_ERR_ULOG_MISSING_FIELD',
        `gas topic "${gas.name}" has none of the concentration fields ${ulogTopics.gasFields.join(', ')} (or name one with the gasField option); its fields: ${fieldList(gas)}`,
        ulogTopics.gasFields[0],
      );
    }
  }
  requireNumeric(gas, gasField);
  const labelField = ulogTopics.gasLabelFields.find((f) => fieldType(gas, f)?.startsWith('char['));
  const sigmaField = hasNumeric(gas, 'sigma_ppm') ? 'sigma_ppm' : undefined;

  let gps: Topic | undefined;
  for (const name of ulogTopics.gps) {
    const t = find(name);
    if (t && hasNumeric(t, ulogTopics.gpsUtcField)) {
      gps = t;
      break;
    }
  }
  let wind: Topic | undefined;
  for (const name of ulogTopics.wind) {
    const t = find(name);
    if (!t) continue;
    if (hasNumeric(t, ulogTopics.windNorthField) && hasNumeric(t, ulogTopics.windEastField)) {
      wind = t;
      break;
    }
    warnings.push(
      `wind topic "${name}" lacks ${ulogTopics.windNorthField}/${ulogTopics.windEastField}; its fields: ${fieldList(t)}`,
    );
  }
  const homeCandidate = find(ulogTopics.home);
  const home = homeCandidate && hasNumeric(homeCandidate, 'alt') ? homeCandidate : undefined;
  const localCandidate = find(ulogTopics.localPosition);
  const local = localCandidate && hasNumeric(localCandidate, 'z') ? localCandidate : undefined;

  // Read the messages of those topics.
  const wanted: Array<[Topic, string[]]> = [
    [position, ['lat', 'lon', 'alt', 'terrain_alt', 'terrain_alt_valid']],
    [gas, [gasField, ...(labelField ? [labelField] : []), ...(sigmaField ? [sigmaField] : [])]],
  ];
  if (gps) wanted.push([gps, [ulogTopics.gpsUtcField]]);
  if (wind) wanted.push([wind, [ulogTopics.windNorthField, ulogTopics.windEastField]]);
  if (home) wanted.push([home, ['alt', 'valid_alt']]);
  if (local) wanted.push([local, ['z', 'z_valid']]);
  const collected = new Map<number, Collected>();
  const fieldsOf = new Map<number, string[]>();
  const useSampleTime = new Map<number, boolean>();
  for (const [topic, fields] of wanted) {
    const have = fields.filter((f) => fieldType(topic, f) !== undefined);
    fieldsOf.set(topic.msgId, have);
    collected.set(topic.msgId, { t: [], values: new Map(have.map((f) => [f, []])) });
    useSampleTime.set(topic.msgId, fieldType(topic, ulogTopics.sampleTimeField) === 'uint64_t');
  }
  try {
    for await (const msg of ulog.readMessages({ msgIds: new Set(collected.keys()), includeLogs: false })) {
      if (msg.type !== MessageType.Data) continue;
      const c = collected.get(msg.msgId);
      if (!c) continue;
      const v = msg.value;
      const sample = useSampleTime.get(msg.msgId) ? v[ulogTopics.sampleTimeField] : undefined;
      c.t.push(Number(typeof sample === 'bigint' && sample > 0n ? sample : v.timestamp));
      for (const f of fieldsOf.get(msg.msgId) ?? []) c.values.get(f)?.push(v[f]);
    }
  } catch (e) {
    fail('PT_ERR_ULOG_CORRUPT', `a data message could not be decoded: ${firstLine(e)}`);
  }
  const col = (topic: Topic, field: string): unknown[] => collected.get(topic.msgId)?.values.get(field) ?? [];
  const times = (topic: Topic): number[] => collected.get(topic.msgId)?.t ?? [];

  // Wall-clock time: UTC(t) = t + offsetUs.
  const range = ulog.timeRange();
  const firstUs = range ? Number(range[0]) : 0;
  const lastUs = range ? Number(range[1]) : 0;
  let offsetUs: number | undefined;
  let timeReference: 'gps' | 'option' = 'gps';
  if (gps) {
    const utc = col(gps, ulogTopics.gpsUtcField);
    const t = times(gps);
    const offsets: bigint[] = [];
    for (let i = 0; i < utc.length; i++) {
      const u = utc[i];
      if (typeof u === 'bigint' && u > MIN_VALID_UTC_US) offsets.push(u - BigInt(Math.round(t[i])));
    }
    if (offsets.length > 0) {
      offsets.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      offsetUs = Number(offsets[offsets.length >> 1]);
      const spreadS = Number(offsets[offsets.length - 1] - offsets[0]) / 1e6;
      if (spreadS > 1) {
        warnings.push(
          `the GPS UTC time of ${gps.name} drifts by ${spreadS.toFixed(1)} s against the log clock; used the median offset`,
        );
      }
    } else {
      warnings.push(`${gps.name} holds no valid UTC time (time_utc_usec is 0: no GPS fix)`);
    }
  }
  if (option.startMs !== undefined) {
    const fromOption = option.startMs * 1000 - firstUs;
    if (offsetUs === undefined) {
      offsetUs = fromOption;
      timeReference = 'option';
    } else if (Math.abs(fromOption - offsetUs) > 2e6) {
      warnings.push(
        `the startTime option (${opts.startTime}) differs from the GPS time (${iso((firstUs + offsetUs) / 1000)}) by ${(Math.abs(fromOption - offsetUs) / 1e6).toFixed(1)} s; used the GPS time`,
      );
    }
  }
  if (offsetUs === undefined) {
    const looked = ulogTopics.gps.map((g) => `${g}.${ulogTopics.gpsUtcField}`).join(', ');
    return fail(
      'PT_ERR_ULOG_NO_TIME',
      `no GPS UTC time in the log (looked for ${looked}); give the UTC time of the log's start with the startTime option`,
    );
  }
  const off = offsetUs;
  const utcMs = (tUs: number): number => (tUs + off) / 1000;

  // Position fixes: valid ones, in time order.
  const pT = times(position);
  const pLatRaw = col(position, 'lat');
  const pLonRaw = col(position, 'lon');
  const pAltRaw = col(position, 'alt');
  const pTerrainRaw = col(position, 'terrain_alt');
  const pTerrainValidRaw = col(position, 'terrain_alt_valid');
  const keep: number[] = [];
  for (let i = 0; i < pT.length; i++) {
    const la = toNumber(pLatRaw[i]);
    const lo = toNumber(pLonRaw[i]);
    const al = toNumber(pAltRaw[i]);
    if (Math.abs(la) <= 90 && Math.abs(lo) <= 180 && Number.isFinite(al)) keep.push(i);
  }
  if (keep.length < pT.length) {
    warnings.push(
      `${pT.length - keep.length} of ${pT.length} ${position.name} messages had no valid fix and were skipped`,
    );
  }
  if (keep.length === 0) {
    return fail('PT_ERR_ULOG_BAD_VALUE', `topic "${position.name}" holds no valid position (lat, lon, alt)`);
  }
  const keptT = keep.map((i) => pT[i]);
  const order = ascending(keptT);
  const byTime = (raw: unknown[]): Float64Array =>
    pick(
      order,
      keep.map((i) => toNumber(raw[i])),
    );
  const posT = pick(order, keptT);
  const posLat = byTime(pLatRaw);
  const posLon = byTime(pLonRaw);
  const posAlt = byTime(pAltRaw);
  const n = posT.length;

  // Height above ground (see README.md): terrain, else home, else local position, else first fix.
  const gapUs = option.maxPositionGapS * 1e6;
  let altitudeReference: ULogAltitudeReference;
  const posAgl = new Float64Array(n);
  const terrain = pTerrainRaw.length === pT.length ? byTime(pTerrainRaw) : undefined;
  const terrainValid = pTerrainValidRaw.length === pT.length ? byTime(pTerrainValidRaw) : undefined;
  let validTerrain = 0;
  if (terrain && terrainValid) {
    for (let i = 0; i < n; i++) if (terrainValid[i] === 1 && Number.isFinite(terrain[i])) validTerrain++;
  }
  const homeAlt = home ? homeAltitude(col(home, 'alt'), col(home, 'valid_alt'), warnings) : undefined;
  const localAgl = local ? localHeight(times(local), col(local, 'z'), col(local, 'z_valid'), posT, gapUs) : undefined;
  if (terrain && validTerrain === n) {
    altitudeReference = 'terrain';
    for (let i = 0; i < n; i++) posAgl[i] = posAlt[i] - terrain[i];
  } else {
    if (validTerrain > 0) {
      warnings.push(
        `terrain altitude is valid for only ${validTerrain} of ${n} position fixes; height above ground taken from another reference`,
      );
    }
    if (homeAlt !== undefined) {
      altitudeReference = 'home';
      for (let i = 0; i < n; i++) posAgl[i] = posAlt[i] - homeAlt;
    } else if (localAgl) {
      altitudeReference = 'local';
      posAgl.set(localAgl);
    } else {
      altitudeReference = 'first-fix';
      for (let i = 0; i < n; i++) posAgl[i] = posAlt[i] - posAlt[0];
      warnings.push(
        `no valid terrain, home or local altitude: height above ground is the altitude above the first position fix (${posAlt[0].toFixed(1)} m), assuming the log starts on the ground`,
      );
    }
  }

  // Gas samples: the chosen gas, in time order.
  const gT = times(gas);
  const gPpmRaw = col(gas, gasField);
  const gLabelRaw = labelField ? col(gas, labelField) : [];
  const gSigmaRaw = sigmaField ? col(gas, sigmaField) : [];
  const labels = gT.map((_, i) => cleanString(gLabelRaw[i]).toUpperCase() || option.gas || ulogTopics.defaultGas);
  const distinct = [...new Set(labels)].sort();
  let gasName: string;
  if (option.gas !== undefined) {
    gasName = option.gas;
    if (!distinct.includes(gasName)) {
      return fail(
        'PT_ERR_ULOG_BAD_VALUE',
        `topic "${gas.name}" holds no samples of ${gasName}; its ${labelField} field names ${listNames(distinct)}`,
        labelField,
      );
    }
  } else if (distinct.length > 1) {
    return fail(
      'PT_ERR_ULOG_BAD_VALUE',
      `topic "${gas.name}" mixes gases (${listNames(distinct)}); choose one with the gas option`,
      labelField,
    );
  } else {
    gasName = distinct[0] ?? ulogTopics.defaultGas;
  }
  if (!GAS_NAME.test(gasName)) {
    return fail('PT_ERR_ULOG_BAD_VALUE', `"${gasName}" in field ${labelField} is not a gas name`, labelField);
  }
  const chosen: number[] = [];
  for (let i = 0; i < gT.length; i++) if (labels[i] === gasName) chosen.push(i);
  if (distinct.length > 1) {
    warnings.push(
      `read the ${chosen.length} ${gasName} samples of ${gT.length} in "${gas.name}" (it also holds ${listNames(distinct.filter((d) => d !== gasName))})`,
    );
  }
  const chosenT = chosen.map((i) => gT[i]);
  const gOrder = ascending(chosenT);
  const gasT = pick(gOrder, chosenT);
  const gasPpm = pick(
    gOrder,
    chosen.map((i) => toNumber(gPpmRaw[i])),
  );
  const gasSigma = sigmaField
    ? pick(
        gOrder,
        chosen.map((i) => toNumber(gSigmaRaw[i])),
      )
    : undefined;

  // Interpolate position (and wind) to each gas sample; drop samples outside the position record.
  const pos = interpolateLinear(posT, [posLat, posLon, posAgl], gasT, { maxGap: gapUs, longitudeColumns: [1] });
  let before = 0;
  let after = 0;
  let inGap = 0;
  const rows: number[] = [];
  for (let i = 0; i < gasT.length; i++) {
    const s = pos.status[i];
    if (s === INTERP_BEFORE) before++;
    else if (s === INTERP_AFTER) after++;
    else if (s === INTERP_GAP) inGap++;
    else rows.push(i);
  }
  const firstFix = iso(utcMs(posT[0]));
  const lastFix = iso(utcMs(posT[n - 1]));
  if (before > 0) warnings.push(`${before} gas sample(s) before the first position fix (${firstFix}) were dropped`);
  if (after > 0) warnings.push(`${after} gas sample(s) after the last position fix (${lastFix}) were dropped`);
  if (inGap > 0) {
    warnings.push(
      `${inGap} gas sample(s) fell in gaps of more than ${option.maxPositionGapS} s between position fixes and were dropped`,
    );
  }
  if (rows.length === 0) {
    return fail(
      'PT_ERR_TOO_FEW_SAMPLES',
      `none of the ${gasT.length} ${gasName} samples of "${gas.name}" falls within the position record (${firstFix} to ${lastFix})`,
    );
  }
  const m = rows.length;
  const take = (a: Float64Array): Float64Array => Float64Array.from(rows, (i) => a[i]);
  const sampleT = take(gasT);
  const series: InSituSeries = {
    gas: gasName,
    timeMs: sampleT.map(utcMs),
    lat: take(pos.values[0]),
    lon: take(pos.values[1]),
    altM: take(pos.values[2]),
    ppm: take(gasPpm),
  };
  if (gasSigma) series.sigmaPpm = take(gasSigma);
  if (wind) {
    const wOrder = ascending(times(wind));
    const wT = pick(wOrder, times(wind));
    const north = pick(wOrder, col(wind, ulogTopics.windNorthField).map(toNumber));
    const east = pick(wOrder, col(wind, ulogTopics.windEastField).map(toNumber));
    const w = interpolateLinear(wT, [east, north], sampleT);
    series.windU = w.values[0];
    series.windV = w.values[1];
    const missing = w.values[0].reduce((k, v) => k + (Number.isNaN(v) ? 1 : 0), 0);
    if (missing > 0)
      warnings.push(`${missing} of ${m} samples lie outside the wind record of "${wind.name}": no wind there`);
  } else {
    warnings.push(`no wind topic (${ulogTopics.wind.join(' or ')}) in the log: the series has no wind`);
  }

  return {
    series,
    track: { timeMs: posT.map(utcMs), lat: posLat, lon: posLon, altM: posAgl },
    bytes,
    info: {
      topics,
      startTime: iso(utcMs(firstUs)),
      durationS: (lastUs - firstUs) / 1e6,
      timeReference,
      ...(timeReference === 'gps' && gps ? { timeTopic: gps.name } : {}),
      altitudeReference,
      gasTopic: gas.name,
      gasField,
      ...(wind ? { windTopic: wind.name } : {}),
      ulogVersion: framing.version,
      messageCount: framing.messageCount,
    },
    warnings,
  };
}

/** Reads and parses a ULog file. */
export async function readULogInSitu(path: string, opts: ULogInSituOptions = {}): Promise<ULogInSitu> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new PlumetraceError('PT_ERR_FILE_NOT_FOUND', 'no such file', { file: path });
    if (code === 'EISDIR') {
      throw new PlumetraceError('PT_ERR_ULOG_CORRUPT', 'this is a directory, not a ULog file', { file: path });
    }
    throw new PlumetraceError('PT_ERR_FILE_NOT_FOUND', `cannot read the file (${code ?? 'unknown error'})`, {
      file: path,
    });
  }
  return parseULogInSitu(bytes, path, opts);
}

interface CheckedOptions {
  gasTopic?: string;
  gasField?: string;
  gas?: string;
  startMs?: number;
  maxPositionGapS: number;
}

function checkOptions(opts: ULogInSituOptions): CheckedOptions {
  const bad = (column: string, detail: string): never => {
    throw new PlumetraceError('PT_ERR_BAD_REQUEST', detail, { column });
  };
  const name = (key: 'gasTopic' | 'gasField'): string | undefined => {
    const v = opts[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(v))
      bad(key, `${key} "${String(v)}" is not a topic or field name`);
    return v;
  };
  const out: CheckedOptions = {
    gasTopic: name('gasTopic'),
    gasField: name('gasField'),
    maxPositionGapS: opts.maxPositionGapS ?? DEFAULT_MAX_POSITION_GAP_S,
  };
  if (!(out.maxPositionGapS > 0)) bad('maxPositionGapS', `maxPositionGapS must be > 0 s, got ${opts.maxPositionGapS}`);
  if (opts.gas !== undefined) {
    const g = String(opts.gas).trim().toUpperCase();
    if (!GAS_NAME.test(g)) bad('gas', `"${opts.gas}" is not a gas name`);
    out.gas = g;
  }
  if (opts.startTime !== undefined) {
    const ms = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(opts.startTime) ? Date.parse(opts.startTime) : Number.NaN;
    if (!Number.isFinite(ms))
      bad('startTime', `"${opts.startTime}" is not an ISO-8601 time (e.g. 2026-05-09T10:00:00Z)`);
    out.startMs = ms;
  }
  return out;
}

/** The first valid home altitude; a warning when home moves in height later. */
function homeAltitude(alt: unknown[], valid: unknown[], warnings: string[]): number | undefined {
  let first: number | undefined;
  let spread = 0;
  for (let i = 0; i < alt.length; i++) {
    const a = toNumber(alt[i]);
    if (!Number.isFinite(a) || (valid.length === alt.length && valid[i] !== true)) continue;
    if (first === undefined) first = a;
    else spread = Math.max(spread, Math.abs(a - first));
  }
  if (first !== undefined && spread > 1) {
    warnings.push(
      `home altitude changed by up to ${spread.toFixed(1)} m during the log; used the first (${first.toFixed(1)} m)`,
    );
  }
  return first;
}

/**
 * Height above the local origin (−z, NED) at each position time, or undefined when the local
 * position does not cover the position record (within gapUs at either end, or has a longer gap).
 */
function localHeight(
  t: number[],
  z: unknown[],
  zValid: unknown[],
  posT: Float64Array,
  gapUs: number,
): Float64Array | undefined {
  const idx: number[] = [];
  for (let i = 0; i < t.length; i++) {
    if (Number.isFinite(toNumber(z[i])) && (zValid.length !== t.length || zValid[i] === true)) idx.push(i);
  }
  if (idx.length === 0) return undefined;
  const rawT = idx.map((i) => t[i]);
  const order = ascending(rawT);
  const lt = pick(order, rawT);
  const up = pick(
    order,
    idx.map((i) => -toNumber(z[i])),
  );
  const n = posT.length;
  if (lt[0] - posT[0] > gapUs || posT[n - 1] - lt[lt.length - 1] > gapUs) return undefined;
  // Clamp to the local record's ends (they are within gapUs of the position record's).
  const q = posT.map((x) => Math.min(Math.max(x, lt[0]), lt[lt.length - 1]));
  const r = interpolateLinear(lt, [up], q, { maxGap: gapUs });
  return r.values[0].some((v) => Number.isNaN(v)) ? undefined : r.values[0];
}
