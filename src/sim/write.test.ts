import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { simulateInSituSurvey, surveyToCsv } from './insitu-survey.ts';
import { writeSurvey } from './write.ts';

const dir = mkdtempSync(join(tmpdir(), 'plumetrace-sim-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('writeSurvey', () => {
  const survey = simulateInSituSurvey({
    seed: 5,
    source: { lat: 40, lon: -105, heightM: 0, rateKgPerHour: 2 },
    windSpeedMps: 2,
    windToDeg: 270,
    stability: 'B',
  });

  it('writes <name>.csv and <name>.truth.json beside each other, nothing else', () => {
    const out = writeSurvey(join(dir, 'nested'), 'flight-1', survey);
    expect(readFileSync(out.csvPath, 'utf8')).toBe(surveyToCsv(survey.series));
    expect(JSON.parse(readFileSync(out.truthPath, 'utf8'))).toEqual(survey.truth);
    expect(readdirSync(join(dir, 'nested')).sort()).toEqual(['flight-1.csv', 'flight-1.truth.json']);
  });

  it('refuses a name that is a path', () => {
    expect(() => writeSurvey(dir, '../escape', survey)).toThrow(/PT_ERR_BAD_REQUEST/);
  });
});
