/**
 * The test writer must produce files that an independent ULog reader (@foxglove/ulog, through its
 * node FileReader) decodes to the values written; and the committed fixture must be exactly what
 * the generator script writes.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MessageType, ULog } from '@foxglove/ulog';
import { FileReader } from '@foxglove/ulog/node.js';
import { describe, expect, it } from 'vitest';
import { ulogFormat } from './format.ts';
import { buildSurveyULog, PX4_FORMATS, SURVEY_FIXTURE, ULogWriter, writePx4Log } from './test-writer.ts';

const dir = mkdtempSync(join(tmpdir(), 'plumetrace-ulog-writer-'));

async function openWithFoxglove(bytes: Uint8Array, name: string): Promise<ULog> {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  const ulog = new ULog(new FileReader(path));
  await ulog.open();
  return ulog;
}

async function dataOf(ulog: ULog, topic: string): Promise<Record<string, unknown>[]> {
  const ids = new Set([...ulog.subscriptions].filter(([, s]) => s.name === topic).map(([id]) => id));
  const out: Record<string, unknown>[] = [];
  for await (const m of ulog.readMessages({ msgIds: ids, includeLogs: false })) {
    if (m.type === MessageType.Data) out.push(m.value);
  }
  return out;
}

describe('ULog test writer', () => {
  it('writes a header, info, parameters and data that @foxglove/ulog reads back exactly', async () => {
    const { bytes } = writePx4Log({
      startUs: 1_234_567n,
      info: { sys_name: 'PX4', time_ref_utc: -3600 },
      parameters: { SDLOG_MODE: { type: 'int32_t', value: 2 }, MPC_XY_CRUISE: { type: 'float', value: 4.5 } },
      topics: [
        {
          name: 'vehicle_global_position',
          messages: [
            { timestamp: 2_000_000n, lat: 47.123456789012, lon: -122.5, alt: 501.25, terrain_alt_valid: true },
            { timestamp: 2_100_000n, lat: 47.2, lon: -122.4, alt: 502.5 },
          ],
        },
        {
          name: 'gas_concentration',
          messages: [{ timestamp: 2_050_000n, timestamp_sample: 2_040_000n, ppm: 2.5, gas: 'CH4' }],
        },
      ],
      logs: [{ level: 6, timestampUs: 2_060_000n, text: 'hello' }],
    });
    expect(Array.from(bytes.subarray(0, 7))).toEqual([...ulogFormat.magic]);
    const ulog = await openWithFoxglove(bytes, 'basic.ulg');
    const h = ulog.header!;
    expect(h.version).toBe(1);
    expect(h.timestamp).toBe(1_234_567n);
    expect(h.information.get('sys_name')).toBe('PX4');
    expect(h.information.get('time_ref_utc')).toBe(-3600);
    expect(h.parameters.get('SDLOG_MODE')?.value).toBe(2);
    expect(h.parameters.get('MPC_XY_CRUISE')?.value).toBeCloseTo(4.5, 6);
    expect(h.definitions.get('vehicle_global_position')?.format).toBe(
      `vehicle_global_position:${PX4_FORMATS.vehicle_global_position}`,
    );
    expect([...ulog.subscriptions.values()].map((s) => s.name)).toEqual([
      'vehicle_global_position',
      'gas_concentration',
    ]);
    expect(ulog.timeRange()).toEqual([2_000_000n, 2_100_000n]);
    const pos = await dataOf(ulog, 'vehicle_global_position');
    expect(pos).toHaveLength(2);
    expect(pos[0]).toMatchObject({ timestamp: 2_000_000n, lat: 47.123456789012, lon: -122.5, terrain_alt_valid: true });
    expect(pos[0].alt).toBe(Math.fround(501.25));
    expect(pos[1].terrain_alt_valid).toBe(false);
    const gas = await dataOf(ulog, 'gas_concentration');
    expect(gas[0]).toMatchObject({ timestamp: 2_050_000n, timestamp_sample: 2_040_000n, ppm: 2.5 });
    // char[n] comes back NUL-padded.
    expect(gas[0].gas).toBe('CH4\0\0\0\0\0');
    let logs = 0;
    for await (const m of ulog.readMessages()) if (m.type === MessageType.Log) logs += m.message === 'hello' ? 1 : 0;
    expect(logs).toBe(1);
  });

  it('leaves out padding at the end of a message, as PX4 does, and keeps it on request', () => {
    const sizes = (keepTrailingPadding: boolean): number[] => {
      const w = new ULogWriter({ startUs: 0n, keepTrailingPadding });
      w.format('t', 'uint64_t timestamp;uint8_t[2] _padding0;float x;uint8_t[4] _padding1;');
      const id = w.subscribe('t');
      w.data(id, { timestamp: 1n, x: 1 });
      const bytes = w.finish();
      const at = w.messageOffsets[w.messageOffsets.length - 1];
      return [bytes[at] | (bytes[at + 1] << 8), bytes[at + 2]];
    };
    // msg_id (2) + timestamp (8) + inner padding (2) + x (4), then 4 trailing padding bytes or not.
    expect(sizes(false)).toEqual([16, 0x44]);
    expect(sizes(true)).toEqual([20, 0x44]);
  });

  it('refuses what a logger could not write', () => {
    const w = new ULogWriter({ startUs: 0n });
    w.format('t', 'uint64_t timestamp;');
    expect(() => w.subscribe('u')).toThrow(/no format/);
    const id = w.subscribe('t');
    expect(() => w.format('u', 'uint64_t timestamp;')).toThrow(/before the first subscription/);
    expect(() => w.data(id, { nope: 1 })).toThrow(/no field "nope"/);
    expect(() => w.data(id + 1, { timestamp: 1n })).toThrow(/not subscribed/);
  });

  it('fixtures/survey.ulg is what `npx tsx src/io/ulog/test-writer.ts` writes (regenerate on purpose)', async () => {
    const { bytes, truth } = buildSurveyULog();
    const committed = readFileSync(SURVEY_FIXTURE);
    expect(committed.length).toBeLessThan(200_000);
    expect(Buffer.from(bytes).equals(committed)).toBe(true);
    // And an independent reader sees the four topics with the expected message counts.
    const ulog = await openWithFoxglove(bytes, 'survey.ulg');
    const counts = new Map(
      [...(ulog.dataMessageCounts() ?? [])].map(([id, n]) => [ulog.subscriptions.get(id)?.name, n]),
    );
    expect(counts.get('gas_concentration')).toBe(truth.gasSamples);
    expect(counts.get('vehicle_global_position')).toBeGreaterThan(1000);
    expect(counts.has('sensor_gps')).toBe(true);
    expect(counts.has('wind')).toBe(true);
  });
});
