/**
 * Reads the user's signature-profile file (src/core/spectral/signature-profiles.ts has the format
 * and the scoring). Which file: the one named (`--profiles`), else PLUMETRACE_SIGNATURE_PROFILES,
 * else config/signature-profiles.json when it exists, else none (no profiles are scored).
 * config/signature-profiles.example.json is an example to copy, never read unless named.
 */
import { access, readFile, realpath } from 'node:fs/promises';
import { PlumetraceError } from '../core/errors.ts';
import { parseSignatureProfiles, type SignatureProfile } from '../core/spectral/signature-profiles.ts';

export const DEFAULT_PROFILES_PATH = 'config/signature-profiles.json';
/** The example shipped with plumetrace (neutral examples, not truth); the demo uses it. */
export const EXAMPLE_PROFILES_PATH = new URL('../../config/signature-profiles.example.json', import.meta.url).pathname;

/** The profile file to use, or null when none is named and the default does not exist. */
export async function resolveProfilesPath(flag: string | undefined): Promise<string | null> {
  const named = flag ?? (process.env.PLUMETRACE_SIGNATURE_PROFILES || undefined);
  if (named !== undefined) return named;
  try {
    await access(DEFAULT_PROFILES_PATH);
    return DEFAULT_PROFILES_PATH;
  } catch {
    return null;
  }
}

/** Profiles read from the shipped example file (readSignatureProfiles marks them). */
const fromExample = new WeakSet<SignatureProfile>();

export async function readSignatureProfiles(path: string): Promise<SignatureProfile[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new PlumetraceError('PT_ERR_FILE_NOT_FOUND', `signature profiles: ${(e as Error).message}`, { file: path });
  }
  const profiles = parseSignatureProfiles(text, path);
  if (await sameFile(path, EXAMPLE_PROFILES_PATH)) for (const p of profiles) fromExample.add(p);
  return profiles;
}

async function sameFile(a: string, b: string): Promise<boolean> {
  try {
    return (await realpath(a)) === (await realpath(b));
  } catch {
    return false;
  }
}

/**
 * True when there are profiles and every one was read from the shipped example file
 * (config/signature-profiles.example.json): the site detail then says they are examples, not truth.
 */
export function profilesAreExamples(profiles: readonly SignatureProfile[]): boolean {
  return profiles.length > 0 && profiles.every((p) => fromExample.has(p));
}

/** Profiles from the named or default file; [] when there is none. */
export async function loadSignatureProfiles(flag: string | undefined): Promise<SignatureProfile[]> {
  const path = await resolveProfilesPath(flag);
  return path === null ? [] : readSignatureProfiles(path);
}
