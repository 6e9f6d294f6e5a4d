/**
 * Loads the LWIR gas library from a folder: every JCAMP-DX file (`.jdx`, `.dx`, `.jcamp`, `.jcm`) and
 * HITRAN cross-section file (`.xsc`) in it becomes one gas. A user adds a gas by dropping a file in
 * the folder. Provenance comes from a `PROVENANCE.md` in the folder or its parent (the line naming
 * the file), else from the file's own header (ORIGIN, OWNER, NIST source).
 *
 * The maths (units, shapes, common grid) is in src/core/spectral/gas-library.ts.
 */
import { readdir, readFile } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PlumetraceError } from '../core/errors.ts';
import {
  buildGasLibrary,
  DEFAULT_GAS_GRID,
  type GasLibrary,
  type GasSpectrum,
  gasFromCrossSection,
  gasFromJcamp,
  NIST_QUANT_REFERENCE,
  type WavenumberGrid,
} from '../core/spectral/gas-library.ts';
import { jcampFormat, xscFormat } from './jcamp/format.ts';
import { jcampLabel, parseJcamp } from './jcamp/reader.ts';
import { parseXsc } from './jcamp/xsc.ts';

/** The library shipped with plumetrace: NIST WebBook gas-phase IR spectra (data/gas/nist_ir_jcamp). */
export const DEFAULT_GAS_LIBRARY_DIR = fileURLToPath(new URL('../../data/gas/nist_ir_jcamp/', import.meta.url));

export interface LoadGasLibraryOptions {
  /** Common wavenumber grid of the library (default 450–4000 cm⁻¹ every 0.25 cm⁻¹). */
  readonly grid?: WavenumberGrid;
}

/** Reads every spectrum file of `dir` into a gas library (files in name order). */
export async function loadGasLibrary(
  dir: string = DEFAULT_GAS_LIBRARY_DIR,
  options: LoadGasLibraryOptions = {},
): Promise<GasLibrary> {
  let names: string[];
  try {
    names = (await readdir(dir)).sort();
  } catch (e) {
    throw new PlumetraceError('PT_ERR_FILE_NOT_FOUND', `gas library folder cannot be read: ${(e as Error).message}`, {
      file: dir,
    });
  }
  const spectra = names.filter((n) => isSpectrumFile(n));
  if (spectra.length === 0) {
    throw new PlumetraceError(
      'PT_ERR_GAS_LIBRARY',
      `no spectrum files (${[...jcampFormat.extensions, ...xscFormat.extensions].join(', ')}) in the folder`,
      { file: dir },
    );
  }
  const provenance = await readProvenance(dir);
  const gases: GasSpectrum[] = [];
  for (const name of spectra) gases.push(await readGasSpectrumFile(join(dir, name), provenance));
  return buildGasLibrary(gases, options.grid ?? DEFAULT_GAS_GRID);
}

function isSpectrumFile(name: string): boolean {
  const ext = extname(name).toLowerCase();
  return (
    (jcampFormat.extensions as readonly string[]).includes(ext) ||
    (xscFormat.extensions as readonly string[]).includes(ext)
  );
}

/** Reads one spectrum file into a library gas; `provenance` maps file names to provenance lines. */
export async function readGasSpectrumFile(
  path: string,
  provenance: ReadonlyMap<string, string> = new Map(),
): Promise<GasSpectrum> {
  const name = basename(path);
  let text: string;
  try {
    text = await readFile(path, 'latin1');
  } catch (e) {
    throw new PlumetraceError('PT_ERR_FILE_NOT_FOUND', (e as Error).message, { file: path });
  }
  if (extname(name).toLowerCase() === '.xsc') {
    const blocks = parseXsc(text, path);
    // The block nearest the library's reference conditions (296 K, then 760 Torr).
    const refTorr = (NIST_QUANT_REFERENCE.pressurePa * 760) / 101325;
    const b = [...blocks].sort(
      (p, q) =>
        Math.abs(p.temperatureK - NIST_QUANT_REFERENCE.temperatureK) -
          Math.abs(q.temperatureK - NIST_QUANT_REFERENCE.temperatureK) ||
        Math.abs(p.pressureTorr - refTorr) - Math.abs(q.pressureTorr - refTorr),
    )[0];
    return gasFromCrossSection({
      sourceFile: name,
      molecule: b.molecule,
      commonName: b.commonName,
      temperatureK: b.temperatureK,
      pressureTorr: b.pressureTorr,
      wavenumberCm: b.wavenumberCm,
      crossSectionCm2: b.crossSectionCm2,
      provenance:
        provenance.get(name) ??
        `${name}: HITRAN cross-sections of ${b.molecule} at ${b.temperatureK} K, ${b.pressureTorr} Torr (${b.broadener}), reference ${b.reference}`,
    });
  }
  const s = parseJcamp(text, path);
  const labels: Record<string, string> = {};
  for (const l of s.labels) labels[l.name] = l.value;
  const fromHeader = [
    jcampLabel(s, 'ORIGIN'),
    jcampLabel(s, 'OWNER')?.split('\n')[0],
    jcampLabel(s, '$NIST SOURCE') ? `NIST source ${jcampLabel(s, '$NIST SOURCE')}` : undefined,
  ]
    .filter((v) => v)
    .join('; ');
  return gasFromJcamp({
    sourceFile: name,
    title: s.title,
    casRegistryNo: s.casRegistryNo,
    molecularFormula: s.molecularFormula,
    xUnits: s.xUnits,
    yUnits: s.yUnits,
    x: s.x,
    y: s.y,
    labels,
    provenance: provenance.get(name) ?? `${name}: ${fromHeader || 'no provenance in the header'}`,
  });
}

/**
 * Provenance lines (`- <path> — …`) of PROVENANCE.md in `dir` or its parent, by file name.
 * Missing files are fine (a user's own folder need not have one).
 */
export async function readProvenance(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const candidate of [join(dir, 'PROVENANCE.md'), join(dirname(dir), 'PROVENANCE.md')]) {
    let text: string;
    try {
      text = await readFile(candidate, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n')) {
      if (!line.startsWith('- ')) continue;
      const sep = line.indexOf(' — ');
      if (sep < 0) continue;
      const file = basename(line.slice(2, sep).trim());
      if (!out.has(file)) out.set(file, line.slice(2).trim());
    }
  }
  return out;
}
