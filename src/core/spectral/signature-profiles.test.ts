import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseSignatureProfiles, profileScore, scorePlumeProfiles, scoreSiteProfiles } from './signature-profiles.ts';

const FILE = JSON.stringify(
  {
    profiles: [
      {
        name: 'Degreasing (test)',
        sourceKind: 'metal degreasing',
        gases: [
          { gas: '127-18-4', weight: 2 },
          { gas: 'dichloromethane', weight: 1 },
          { gas: '1,1,1-Trichloroethane' },
        ],
      },
      { name: 'Switchgear (test)', gases: ['Sulfur Hexafluoride'] },
    ],
  },
  null,
  2,
);

const PCE = { name: 'Tetrachloroethene', cas: '127-18-4', confidence: 0.9 };
const DCM = { name: 'Dichloromethane', cas: '75-09-2', confidence: 0.6 };

describe('signature profiles', () => {
  const profiles = parseSignatureProfiles(FILE, 'p.json');

  it('parses names, kinds, gases (name, CAS or plain string) and weights (default 1)', () => {
    expect(profiles.map((p) => p.name)).toEqual(['Degreasing (test)', 'Switchgear (test)']);
    expect(profiles[0].sourceKind).toBe('metal degreasing');
    expect(profiles[0].gases).toEqual([
      { gas: '127-18-4', weight: 2 },
      { gas: 'dichloromethane', weight: 1 },
      { gas: '1,1,1-Trichloroethane', weight: 1 },
    ]);
    expect(profiles[1].gases).toEqual([{ gas: 'Sulfur Hexafluoride', weight: 1 }]);
  });

  it('scores Σ w·confidence / Σ w, matching by CAS or name (case-insensitive)', () => {
    // (2·0.9 + 1·0.6 + 1·0) / 4
    expect(profileScore(profiles[0], [PCE, DCM])).toBeCloseTo((2 * 0.9 + 0.6) / 4, 12);
    expect(profileScore(profiles[0], [{ ...PCE, cas: '' }])).toBeCloseTo(0, 12); // CAS entry, no CAS reported
    expect(profileScore(profiles[1], [{ name: 'SULFUR HEXAFLUORIDE', cas: '', confidence: 1 }])).toBe(1);
    // Gases beyond the profile do not lower it.
    expect(profileScore(profiles[1], [{ name: 'sulfur hexafluoride', cas: '', confidence: 1 }, PCE])).toBe(1);
  });

  it('reports the profiles above 0, best first, per plume and per site (largest confidence per gas)', () => {
    expect(scorePlumeProfiles(profiles, [PCE])).toEqual([{ name: 'Degreasing (test)', score: (2 * 0.9) / 4 }]);
    expect(scorePlumeProfiles(profiles, [])).toEqual([]);
    const site = scoreSiteProfiles(profiles, [
      [PCE],
      [{ ...PCE, confidence: 0.5 }, DCM],
      [{ ...DCM, confidence: 0.2 }],
    ]);
    expect(site).toHaveLength(1);
    expect(site[0].score).toBeCloseTo((2 * 0.9 + 0.6) / 4, 12);
  });

  it('names the line and field of what is wrong (PT_ERR_SIGNATURE_PROFILES)', () => {
    const bad = (text: string) => () => parseSignatureProfiles(text, 'p.json');
    expect(bad('{\n  "profiles": [\n    { "name": "x", }\n  ]\n}')).toThrow(
      /PT_ERR_SIGNATURE_PROFILES.*p\.json, line 3.*not valid JSON at line 3/,
    );
    expect(bad('{"profile": []}')).toThrow(/profiles must be an array/);
    expect(bad('[]')).toThrow(/top level/);
    const weight = FILE.replace('"weight": 1', '"weight": -1');
    expect(bad(weight)).toThrow(/line 13.*profiles\[0\]\.gases\[1\]\.weight must be a number > 0 \(got -1\)/);
    expect(bad(FILE.replace('"Switchgear (test)"', '"Degreasing (test)"'))).toThrow(
      /profiles\[1\]\.name "Degreasing \(test\)" is used by two profiles/,
    );
    expect(bad('{"profiles": [{"name": "a", "gases": []}]}')).toThrow(/profiles\[0\]\.gases must be a non-empty array/);
    expect(bad('{"profiles": [{"gases": ["x"]}]}')).toThrow(/profiles\[0\]\.name must be a non-empty string/);
    expect(bad('{"profiles": [{"name": "a", "gases": [{"weight": 1}]}]}')).toThrow(/profiles\[0\]\.gases\[0\]\.gas/);
  });

  it('reads the shipped example file', () => {
    const text = readFileSync(new URL('../../../config/signature-profiles.example.json', import.meta.url), 'utf8');
    const ex = parseSignatureProfiles(text);
    expect(ex.length).toBeGreaterThanOrEqual(3);
    expect(ex.every((p) => p.name.includes('(example)'))).toBe(true);
  });
});
