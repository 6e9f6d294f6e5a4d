/**
 * Reader of MODTRAN channel output (`.chn`, as written by MODTRAN for a sensor response file and
 * shipped in isofit's example LUTs) into per-channel atmospheric terms for the radiance model in
 * radiance.ts. Pure (text in, typed arrays out).
 *
 * The file is fixed-width text: a few title lines, then a rule of dashes whose runs mark each
 * column's extent (`------------  ---  ---  -------------  …`), then one row per channel. Column
 * extents are taken from that rule, not guessed from whitespace. Columns used (0-based run index in
 * the rule, header text, unit in the file → what we keep):
 *
 * |  0 | SPECTRAL MOMENT (NANOMETERS)                 | nm             → wavelengthNm (first moment)      |
 * |  2 | CHAN NO.                                     | 1-based        → channel                          |
 * |  4 | SPECTRAL RADIANCE (PER NM)                   | W sr⁻¹ cm⁻² nm⁻¹ → pathRadiance (×1e6 → µW cm⁻² sr⁻¹ nm⁻¹) |
 * |  8 | FULL CHANNEL WIDTH (NM)                      | nm             → channelWidthNm (equivalent width) |
 * | 18 | COSSUN TIMES TOA_SUN / PI                    | W sr⁻¹ cm⁻² (channel-integrated) → solarTerm = col18 / col8 × 1e6, µW cm⁻² sr⁻¹ nm⁻¹ |
 * | 21 | A, DIRECT REFLECTANCE COEFFICIENT            | 1              → part of transmittanceDownUp  |
 * | 22 | B, DIFFUSE REFLECTANCE COEFFICIENT           | 1              → part of transmittanceDownUp  |
 * | 23 | SPHERICAL ALBEDO AT GROUND                   | 1              → sphericalAlbedo                  |
 * | 24 | SENSOR PATH TRANSM                           | 1              → transmittanceUp                  |
 * | 26 | CHANNEL DESCRIPTION ("CENTER: … FWHM: … NM") | text           → fwhmNm                           |
 *
 * The run that made the file had a black surface, so column 4 (total radiance) is the atmosphere's
 * path radiance alone: it equals (col14 + col15) / col8, the single plus multiple scattered solar
 * path terms per nm (checked in chn.test). A + B is the sun → ground → sensor transmittance, direct
 * plus diffuse, of a Lambertian surface; T_down = (A + B) / T_up is derived from it.
 */

import { PlumetraceError } from '../../core/errors.ts';

/** Per-channel MODTRAN terms, all Float64Array of one length, in file order (not sorted by wavelength). */
export interface ModtranChannels {
  /** MODTRAN channel number, 1-based (AVIRIS band number for an AVIRIS run). */
  readonly channel: Int32Array;
  /** First spectral moment of the channel response, nm. */
  readonly wavelengthNm: Float64Array;
  /** FWHM from the channel description, nm. */
  readonly fwhmNm: Float64Array;
  /** Equivalent width of the channel response, nm (divides channel-integrated terms into per-nm). */
  readonly channelWidthNm: Float64Array;
  /** Path radiance, µW cm⁻² sr⁻¹ nm⁻¹. */
  readonly pathRadianceUwPerCm2SrNm: Float64Array;
  /** E_sun · cos(θs) / π at the top of the atmosphere, µW cm⁻² sr⁻¹ nm⁻¹. */
  readonly solarCosOverPiUwPerCm2SrNm: Float64Array;
  /** T_down · T_up (A + B): total (direct + diffuse) sun → ground → sensor transmittance. */
  readonly transmittanceDownUp: Float64Array;
  /** T_down = (A + B) / T_up. */
  readonly transmittanceDown: Float64Array;
  /** Ground → sensor transmittance (SENSOR PATH TRANSM). */
  readonly transmittanceUp: Float64Array;
  /** Spherical albedo of the atmosphere seen from the ground. */
  readonly sphericalAlbedo: Float64Array;
}

const W_TO_UW = 1e6;
const COL = { wl: 0, chan: 2, rdnPerNm: 4, width: 8, solar: 18, a: 21, b: 22, sphalb: 23, tup: 24 } as const;
const MIN_COLUMNS = 26;

/** Parses a MODTRAN `.chn` file's text. `file` names it in errors (PT_ERR_SPECTRAL_INPUT with file and line). */
export function parseModtranChn(text: string, file: string): ModtranChannels {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const ruleIdx = lines.findIndex((l) => /^-{4,}\s+-{2,}/.test(l));
  if (ruleIdx < 0) {
    throw new PlumetraceError('PT_ERR_SPECTRAL_INPUT', 'no rule of dashes (----) marking the columns was found', {
      file,
    });
  }
  const extents: Array<[number, number]> = [];
  for (const m of lines[ruleIdx].matchAll(/-+/g)) extents.push([m.index, m.index + m[0].length]);
  if (extents.length < MIN_COLUMNS) {
    throw new PlumetraceError(
      'PT_ERR_SPECTRAL_INPUT',
      `the column rule marks ${extents.length} columns, expected at least ${MIN_COLUMNS}`,
      { file, line: ruleIdx + 1 },
    );
  }
  // A right-aligned number may start left of its rule run; a field runs from the end of the previous
  // run to the end of its own run.
  const field = (line: string, c: number): string => line.slice(c === 0 ? 0 : extents[c - 1][1], extents[c][1]).trim();

  const rows: number[][] = [];
  const fwhm: number[] = [];
  for (let i = ruleIdx + 1; i < lines.length; i++) {
    const line = lines[i];
    if (line.trim() === '') continue;
    const lineNo = i + 1;
    const num = (c: number, name: string): number => {
      const raw = field(line, c);
      const v = Number(raw);
      if (raw === '' || !Number.isFinite(v)) {
        throw new PlumetraceError('PT_ERR_SPECTRAL_INPUT', `column ${c} (${name}) is "${raw}", not a number`, {
          file,
          line: lineNo,
        });
      }
      return v;
    };
    rows.push([
      num(COL.wl, 'spectral moment'),
      num(COL.chan, 'channel number'),
      num(COL.rdnPerNm, 'radiance per nm'),
      num(COL.width, 'full channel width'),
      num(COL.solar, 'cossun times TOA_SUN/pi'),
      num(COL.a, 'A'),
      num(COL.b, 'B'),
      num(COL.sphalb, 'spherical albedo'),
      num(COL.tup, 'sensor path transmittance'),
    ]);
    const m = /FWHM:\s*([0-9.Ee+-]+)\s*NM/i.exec(line.slice(extents[MIN_COLUMNS - 1][1]));
    const w = m ? Number(m[1]) : Number.NaN;
    if (!(w > 0)) {
      throw new PlumetraceError('PT_ERR_SPECTRAL_INPUT', 'the channel description has no "FWHM: <n> NM"', {
        file,
        line: lineNo,
      });
    }
    fwhm.push(w);
  }
  const n = rows.length;
  if (n === 0) throw new PlumetraceError('PT_ERR_SPECTRAL_INPUT', 'no channel rows after the column rule', { file });
  const out = {
    channel: new Int32Array(n),
    wavelengthNm: new Float64Array(n),
    fwhmNm: Float64Array.from(fwhm),
    channelWidthNm: new Float64Array(n),
    pathRadianceUwPerCm2SrNm: new Float64Array(n),
    solarCosOverPiUwPerCm2SrNm: new Float64Array(n),
    transmittanceDownUp: new Float64Array(n),
    transmittanceDown: new Float64Array(n),
    transmittanceUp: new Float64Array(n),
    sphericalAlbedo: new Float64Array(n),
  };
  for (let i = 0; i < n; i++) {
    const [wl, chan, rdn, width, solar, a, b, s, tup] = rows[i];
    if (!(width > 0) || !(tup > 0)) {
      throw new PlumetraceError(
        'PT_ERR_SPECTRAL_INPUT',
        `channel ${chan}: channel width ${width} nm and sensor-path transmittance ${tup} must be > 0`,
        { file },
      );
    }
    out.channel[i] = chan;
    out.wavelengthNm[i] = wl;
    out.channelWidthNm[i] = width;
    out.pathRadianceUwPerCm2SrNm[i] = rdn * W_TO_UW;
    out.solarCosOverPiUwPerCm2SrNm[i] = (solar / width) * W_TO_UW;
    out.transmittanceDownUp[i] = a + b;
    out.transmittanceDown[i] = (a + b) / tup;
    out.transmittanceUp[i] = tup;
    out.sphericalAlbedo[i] = s;
  }
  return out;
}
