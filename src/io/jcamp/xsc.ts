/**
 * HITRAN absorption cross-section files (`.xsc`; format in format.ts): one or more blocks, each a
 * 100-column header line (molecule, wmin, wmax, npts, T, P, max σ, resolution, common name,
 * broadener, reference) followed by npts cross-sections σ(ν) in cm²/molecule on the even grid
 * wmin … wmax (both included), ten values per line.
 *
 * Pure (text in). A writer is included for tests and round trips.
 */
import { PlumetraceError } from '../../core/errors.ts';
import { xscFormat } from './format.ts';

export interface XscBlock {
  readonly molecule: string;
  readonly wavenumberMinCm: number;
  readonly wavenumberMaxCm: number;
  readonly temperatureK: number;
  readonly pressureTorr: number;
  readonly maxCrossSectionCm2: number;
  /** As written (a number in cm⁻¹ or a note such as "0.015"). */
  readonly resolution: string;
  readonly commonName: string;
  readonly broadener: string;
  readonly reference: string;
  /** Wavenumbers, cm⁻¹ (ascending, even). */
  readonly wavenumberCm: Float64Array;
  /** Cross-sections, cm²/molecule. */
  readonly crossSectionCm2: Float64Array;
  /** 1-based line of the block's header. */
  readonly line: number;
}

/** Parses every block of an `.xsc` file. */
export function parseXsc(text: string, file: string): XscBlock[] {
  const lines = text.split(/\r\n|\r|\n/);
  const blocks: XscBlock[] = [];
  let i = 0;
  while (i < lines.length) {
    if (lines[i].trim() === '') {
      i++;
      continue;
    }
    const headerLine = i + 1;
    const h = parseHeader(lines[i], file, headerLine);
    i++;
    const values = new Float64Array(h.nPoints);
    let k = 0;
    while (k < h.nPoints) {
      if (i >= lines.length || lines[i].trim() === '') {
        throw new PlumetraceError(
          'PT_ERR_XSC_FORMAT',
          `the block of line ${headerLine} has ${k} values, its header says ${h.nPoints} (file truncated?)`,
          { file, line: Math.min(i + 1, lines.length) },
        );
      }
      const fields = lines[i].trim().split(/\s+/);
      for (const f of fields) {
        const v = Number(f);
        if (!Number.isFinite(v)) {
          throw new PlumetraceError('PT_ERR_XSC_FORMAT', `"${f}" is not a number`, { file, line: i + 1 });
        }
        if (k >= h.nPoints) {
          throw new PlumetraceError(
            'PT_ERR_XSC_FORMAT',
            `the block of line ${headerLine} has more values than the ${h.nPoints} its header says`,
            { file, line: i + 1 },
          );
        }
        values[k++] = v;
      }
      i++;
    }
    const nu = new Float64Array(h.nPoints);
    const step = h.nPoints > 1 ? (h.wavenumberMaxCm - h.wavenumberMinCm) / (h.nPoints - 1) : 0;
    for (let j = 0; j < h.nPoints; j++) nu[j] = h.wavenumberMinCm + j * step;
    blocks.push({ ...h, wavenumberCm: nu, crossSectionCm2: values, line: headerLine });
  }
  if (blocks.length === 0) throw new PlumetraceError('PT_ERR_XSC_FORMAT', 'the file holds no block', { file });
  return blocks;
}

type Header = Omit<XscBlock, 'wavenumberCm' | 'crossSectionCm2' | 'line'> & { nPoints: number };

function parseHeader(text: string, file: string, line: number): Header {
  const fields: Record<string, string> = {};
  let pos = 0;
  for (const c of xscFormat.headerColumns) {
    fields[c.field] = text.slice(pos, pos + c.width).trim();
    pos += c.width;
  }
  const need = (field: string, integer = false): number => {
    const raw = fields[field];
    const v = Number(raw);
    if (raw === '' || !Number.isFinite(v) || (integer && !Number.isInteger(v))) {
      throw new PlumetraceError(
        'PT_ERR_XSC_FORMAT',
        `header field ${field} is "${raw}", not ${integer ? 'an integer' : 'a number'} (fixed columns A20,F10.4,F10.4,I7,F7.2,F6.1,E10.3,…)`,
        { file, line },
      );
    }
    return v;
  };
  const h: Header = {
    molecule: fields.molecule,
    wavenumberMinCm: need('wavenumberMinCm'),
    wavenumberMaxCm: need('wavenumberMaxCm'),
    nPoints: need('nPoints', true),
    temperatureK: need('temperatureK'),
    pressureTorr: need('pressureTorr'),
    maxCrossSectionCm2: need('maxCrossSectionCm2'),
    resolution: fields.resolution,
    commonName: fields.commonName,
    broadener: fields.broadener,
    reference: fields.reference,
  };
  if (h.molecule === '') throw new PlumetraceError('PT_ERR_XSC_FORMAT', 'the header names no molecule', { file, line });
  if (h.nPoints < 1 || !(h.wavenumberMaxCm > h.wavenumberMinCm) || !(h.temperatureK > 0)) {
    throw new PlumetraceError(
      'PT_ERR_XSC_FORMAT',
      `header has npts ${h.nPoints}, wmin ${h.wavenumberMinCm}, wmax ${h.wavenumberMaxCm}, T ${h.temperatureK} K: need npts ≥ 1, wmax > wmin, T > 0`,
      { file, line },
    );
  }
  return h;
}

/** Writes blocks in the HITRAN layout (header columns fixed, values E10.3, ten per line). */
export function writeXsc(blocks: readonly Omit<XscBlock, 'wavenumberCm' | 'line'>[]): string {
  const out: string[] = [];
  for (const b of blocks) {
    const n = b.crossSectionCm2.length;
    out.push(
      b.molecule.padStart(20) +
        b.wavenumberMinCm.toFixed(4).padStart(10) +
        b.wavenumberMaxCm.toFixed(4).padStart(10) +
        String(n).padStart(7) +
        b.temperatureK.toFixed(2).padStart(7) +
        b.pressureTorr.toFixed(1).padStart(6) +
        e103(b.maxCrossSectionCm2) +
        b.resolution.padStart(5) +
        b.commonName.padStart(15) +
        '    ' +
        b.broadener.padStart(3) +
        b.reference.padStart(3),
    );
    for (let i = 0; i < n; i += xscFormat.valuesPerLine) {
      let line = '';
      for (let k = i; k < Math.min(n, i + xscFormat.valuesPerLine); k++) line += e103(b.crossSectionCm2[k]);
      out.push(line);
    }
  }
  return `${out.join('\n')}\n`;
}

function e103(v: number): string {
  return v
    .toExponential(3)
    .toUpperCase()
    .replace(/E([+-])(\d)$/, 'E$10$2')
    .padStart(xscFormat.valueWidth);
}
