/**
 * Signature profiles: named sets of gases whose co-occurrence points to a kind of SOURCE (a
 * solvent recovery plant, a dry cleaner, a paint shop...). The user writes them in a JSON file
 * (config/signature-profiles.example.json shows the form); nothing here is truth, only arithmetic.
 * Profiles describe sources and sites, never persons. Pure: no Node APIs.
 *
 * File:
 *   { "profiles": [ { "name": "…", "description"?: "…", "sourceKind"?: "…",
 *                     "gases": [ { "gas": "<name, file stem or CAS>", "weight"?: number > 0 } ] } ] }
 *
 * Score of a profile P with gases i (weights w_i, default 1) against evidence p_i ∈ [0, 1]:
 *
 *   score(P) = Σ_i w_i · p_i / Σ_i w_i                                     ∈ [0, 1]
 *
 *   per plume: p_i = the plume's confidence of gas i (0 when the plume does not report it);
 *   per site:  p_i = the largest confidence of gas i over all the site's detections (a gas seen
 *              on any overflight counts; repeat sightings do not add up).
 *
 * So a profile scores 1 when every one of its gases is reported with confidence 1, and the share
 * of its weight that is present otherwise. Gases the plume shows beyond the profile do not lower
 * it. A gas of the profile matches a reported gas when the text equals (case-insensitive) its
 * name or its CAS number, or one of the `aliases` the caller supplies for it (e.g. the library's
 * file stem). Reported: the profiles with a score > 0, best first (ties by name).
 */
import { PlumetraceError } from '../errors.ts';

export interface SignatureProfileGas {
  /** Gas name, library file stem or CAS number, as the user wrote it. */
  readonly gas: string;
  readonly weight: number;
}

export interface SignatureProfile {
  readonly name: string;
  readonly description?: string;
  /** The kind of source the profile points to (free text). */
  readonly sourceKind?: string;
  readonly gases: readonly SignatureProfileGas[];
}

/** A gas as reported for a plume or a detection. */
export interface ReportedGas {
  readonly name: string;
  readonly cas: string;
  readonly confidence: number;
  /** Other names that identify the gas (e.g. the library file stem). */
  readonly aliases?: readonly string[];
}

export interface ProfileScore {
  name: string;
  score: number;
}

/**
 * Parses the text of a profile file; `file` names it in errors. Every problem is
 * PT_ERR_SIGNATURE_PROFILES with the field path and, where it can be found, the line.
 */
export function parseSignatureProfiles(text: string, file = 'signature profiles'): SignatureProfile[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    const msg = (e as Error).message;
    const pos = /position (\d+)/.exec(msg);
    const at = pos ? lineColumn(text, Number(pos[1])) : undefined;
    throw new PlumetraceError(
      'PT_ERR_SIGNATURE_PROFILES',
      `not valid JSON${at ? ` at line ${at.line}, column ${at.column}` : ''}: ${msg}`,
      { file, ...(at ? { line: at.line } : {}) },
    );
  }
  // `near`: text whose first occurrence after `from` locates the field's line.
  let from = 0;
  const fail = (field: string, why: string, near?: string): never => {
    const line = near !== undefined ? lineOf(text, near, from) : undefined;
    throw new PlumetraceError('PT_ERR_SIGNATURE_PROFILES', `${field} ${why}`, {
      file,
      ...(line !== undefined ? { line } : {}),
      column: field,
    });
  };
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) fail('(top level)', 'must be an object');
  const list = (doc as { profiles?: unknown }).profiles;
  if (!Array.isArray(list)) fail('profiles', 'must be an array of profiles', '"profiles"');
  const out: SignatureProfile[] = [];
  const names = new Set<string>();
  for (const [i, raw] of (list as unknown[]).entries()) {
    const at = `profiles[${i}]`;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail(at, 'must be an object');
    const p = raw as Record<string, unknown>;
    if (typeof p.name !== 'string' || p.name.trim() === '') fail(`${at}.name`, 'must be a non-empty string');
    const name = (p.name as string).trim();
    const near = JSON.stringify(p.name);
    const start = text.indexOf(near, from);
    if (start >= 0) from = start;
    if (names.has(name.toLowerCase())) fail(`${at}.name`, `"${name}" is used by two profiles`, near);
    names.add(name.toLowerCase());
    for (const key of ['description', 'sourceKind'] as const) {
      if (p[key] !== undefined && typeof p[key] !== 'string') fail(`${at}.${key}`, 'must be a string', near);
    }
    if (!Array.isArray(p.gases) || p.gases.length === 0) {
      fail(`${at}.gases`, 'must be a non-empty array of { "gas", "weight" }', near);
    }
    const gases: SignatureProfileGas[] = [];
    for (const [j, g] of (p.gases as unknown[]).entries()) {
      const gat = `${at}.gases[${j}]`;
      if (typeof g === 'string') {
        if (g.trim() === '') fail(gat, 'is an empty gas name', near);
        gases.push({ gas: g.trim(), weight: 1 });
        continue;
      }
      if (typeof g !== 'object' || g === null || Array.isArray(g))
        fail(gat, 'must be a gas name or { "gas", "weight" }', near);
      const e = g as Record<string, unknown>;
      if (typeof e.gas !== 'string' || e.gas.trim() === '')
        fail(`${gat}.gas`, 'must be a gas name or CAS number', near);
      const gasAt = text.indexOf(JSON.stringify(e.gas), from);
      const weight = e.weight === undefined ? 1 : e.weight;
      if (typeof weight !== 'number' || !Number.isFinite(weight) || weight <= 0) {
        // The line of this entry's "weight" key (after its gas).
        if (gasAt >= 0) from = gasAt;
        fail(`${gat}.weight`, `must be a number > 0 (got ${JSON.stringify(e.weight)})`, '"weight"');
      }
      gases.push({ gas: (e.gas as string).trim(), weight: weight as number });
    }
    out.push({
      name,
      ...(typeof p.description === 'string' ? { description: p.description } : {}),
      ...(typeof p.sourceKind === 'string' ? { sourceKind: p.sourceKind } : {}),
      gases,
    });
  }
  return out;
}

function matches(entry: string, g: ReportedGas): boolean {
  const q = entry.trim().toLowerCase();
  if (q === g.name.toLowerCase() || (g.cas !== '' && q === g.cas.toLowerCase())) return true;
  return (g.aliases ?? []).some((a) => a.toLowerCase() === q);
}

/** Evidence p_i for each gas of a profile: the largest confidence of a matching reported gas. */
function evidence(profile: SignatureProfile, reported: readonly ReportedGas[]): number[] {
  return profile.gases.map((pg) => {
    let best = 0;
    for (const g of reported) {
      if (!matches(pg.gas, g)) continue;
      const c = Number.isFinite(g.confidence) ? Math.min(1, Math.max(0, g.confidence)) : 0;
      if (c > best) best = c;
    }
    return best;
  });
}

/** Weighted share of a profile's gases present: Σ w_i·p_i / Σ w_i. */
export function profileScore(profile: SignatureProfile, reported: readonly ReportedGas[]): number {
  const p = evidence(profile, reported);
  let num = 0;
  let den = 0;
  profile.gases.forEach((g, i) => {
    num += g.weight * p[i];
    den += g.weight;
  });
  return den > 0 ? num / den : 0;
}

/** The profiles with score > 0 for one plume's gases, best first. */
export function scorePlumeProfiles(
  profiles: readonly SignatureProfile[],
  gases: readonly ReportedGas[],
): ProfileScore[] {
  return profiles
    .map((p) => ({ name: p.name, score: profileScore(p, gases) }))
    .filter((s) => s.score > 0)
    .sort((a, b) => b.score - a.score || a.name.localeCompare(b.name));
}

/**
 * The profiles with score > 0 for a site, from the gases of all its detections (per gas, the
 * largest confidence over the detections), best first.
 */
export function scoreSiteProfiles(
  profiles: readonly SignatureProfile[],
  detections: readonly (readonly ReportedGas[])[],
): ProfileScore[] {
  return scorePlumeProfiles(profiles, detections.flat());
}

function lineColumn(text: string, pos: number): { line: number; column: number } {
  let line = 1;
  let last = -1;
  for (let i = 0; i < Math.min(pos, text.length); i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      last = i;
    }
  }
  return { line, column: pos - last };
}

/** 1-based line of the first occurrence of `needle`, if any. */
function lineOf(text: string, needle: string, from: number): number | undefined {
  const i = text.indexOf(needle, from);
  return i < 0 ? undefined : lineColumn(text, i).line;
}
