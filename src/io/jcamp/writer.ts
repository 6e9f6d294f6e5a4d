/**
 * JCAMP-DX writer: one `##XYDATA=(X++(Y..Y))` spectrum, AFFN or ASDF (SQZ, DIF, DIFDUP), and its
 * peak table if it has one, with the
 * header labels of the input kept in order (their values verbatim, continuation lines included) and
 * the data-description labels (units, factors, FIRSTX … NPOINTS) computed from the data.
 *
 * AFFN writes each ordinate y / YFACTOR with up to 12 significant digits, so a file read and written
 * again keeps the precision it had. The ASDF forms hold integers: they write round(y / YFACTOR),
 * exact when the ordinates were integers × YFACTOR (as in NIST's files), otherwise within YFACTOR / 2.
 * DIF lines end with a difference; the next line repeats that point's value as its Y check, and a
 * last line holding only the check closes the block.
 */
import { PlumetraceError } from '../../core/errors.ts';
import { dif, dup, sqz } from './asdf.ts';
import { jcampFormat, normaliseLabel } from './format.ts';
import type { JcampLabel, JcampPairs } from './reader.ts';

export type JcampForm = 'AFFN' | 'SQZ' | 'DIF' | 'DIFDUP';

export interface JcampWriteInput {
  readonly title: string;
  readonly xUnits: string;
  readonly yUnits: string;
  /** Evenly spaced abscissae (ascending or descending), in XUNITS. */
  readonly x: Float64Array | readonly number[];
  /** Ordinates in YUNITS. */
  readonly y: Float64Array | readonly number[];
  /** Other header labels, written in this order after ##TITLE (computed ones are skipped). */
  readonly labels?: readonly Pick<JcampLabel, 'key' | 'value'>[];
  readonly xFactor?: number;
  readonly yFactor?: number;
  /** Written as `##PEAK TABLE=(XY..XY)`, or `(XYW..XYW)` when it has widths. */
  readonly peakTable?: Pick<JcampPairs, 'x' | 'y' | 'w'>;
}

export interface JcampWriteOptions {
  /** Ordinate form; default AFFN. */
  readonly form?: JcampForm;
  /** Ordinates per line in AFFN (default 6); ASDF lines are filled up to 80 characters. */
  readonly valuesPerLine?: number;
}

/** Writes one spectrum as JCAMP-DX text (lines end with `\n`). */
export function writeJcamp(input: JcampWriteInput, options: JcampWriteOptions = {}): string {
  const form = options.form ?? 'AFFN';
  const n = input.x.length;
  const bad = (detail: string): PlumetraceError =>
    new PlumetraceError('PT_ERR_JCAMP_FORMAT', `cannot write: ${detail}`);
  if (n === 0 || input.y.length !== n) throw bad(`x has ${n} values and y ${input.y.length}; both need the same, ≥ 1`);
  const xFactor = input.xFactor ?? 1;
  const yFactor = input.yFactor ?? 1;
  if (!(xFactor > 0) || !(Math.abs(yFactor) > 0)) throw bad('XFACTOR and YFACTOR must be non-zero');
  const step = n > 1 ? (input.x[n - 1] - input.x[0]) / (n - 1) : 0;
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(input.x[i])) throw bad(`x[${i}] is not finite`);
    if (n > 1 && Math.abs(input.x[i] - (input.x[0] + i * step)) > 1e-6 * Math.abs(step) + 1e-9 * Math.abs(input.x[i])) {
      throw bad(`x is not evenly spaced at index ${i}; (X++(Y..Y)) needs an even grid`);
    }
  }
  const ord = new Float64Array(n);
  let minY = Number.POSITIVE_INFINITY;
  let maxY = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    const v = input.y[i];
    if (Number.isNaN(v) && form === 'AFFN') {
      ord[i] = Number.NaN;
      continue;
    }
    if (!Number.isFinite(v)) throw bad(`y[${i}] is not finite`);
    ord[i] = form === 'AFFN' ? v / yFactor : Math.round(v / yFactor);
    if (form !== 'AFFN' && !Number.isSafeInteger(ord[i])) throw bad(`y[${i}] / YFACTOR is too large for ASDF`);
    minY = Math.min(minY, v);
    maxY = Math.max(maxY, v);
  }

  const out: string[] = [`##TITLE=${input.title}`];
  const given = input.labels ?? [];
  const version = given.find((l) => normaliseLabel(l.key) === 'JCAMPDX');
  out.push(`##JCAMP-DX=${version?.value ?? '4.24'}`);
  const computed = new Set<string>(jcampFormat.computedLabels);
  for (const l of given) {
    if (computed.has(normaliseLabel(l.key))) continue;
    out.push(`##${l.key}=${l.value}`);
  }
  const minX = Math.min(input.x[0], input.x[n - 1]);
  const maxX = Math.max(input.x[0], input.x[n - 1]);
  out.push(
    `##XUNITS=${input.xUnits}`,
    `##YUNITS=${input.yUnits}`,
    `##XFACTOR=${num(xFactor)}`,
    `##YFACTOR=${num(yFactor)}`,
    `##FIRSTX=${num(input.x[0])}`,
    `##LASTX=${num(input.x[n - 1])}`,
    ...(n > 1 ? [`##DELTAX=${num(step)}`] : []),
    `##FIRSTY=${num(input.y[0])}`,
    `##MAXX=${num(maxX)}`,
    `##MINX=${num(minX)}`,
    ...(Number.isFinite(maxY) ? [`##MAXY=${num(maxY)}`, `##MINY=${num(minY)}`] : []),
    `##NPOINTS=${n}`,
    '##XYDATA=(X++(Y..Y))',
  );
  const xLabel = (i: number): string => num(input.x[i] / xFactor);
  if (form === 'AFFN') {
    const per = options.valuesPerLine ?? 6;
    for (let i = 0; i < n; i += per) {
      const parts = [xLabel(i)];
      for (let k = i; k < Math.min(n, i + per); k++) parts.push(Number.isNaN(ord[k]) ? '?' : num(ord[k]));
      out.push(parts.join(' '));
    }
  } else {
    out.push(...asdfLines(ord, xLabel, form));
  }
  const pt = input.peakTable;
  if (pt && pt.x.length > 0) {
    if (pt.y.length !== pt.x.length || (pt.w && pt.w.length !== pt.x.length)) {
      throw bad("the peak table's x, y (and w) differ in length");
    }
    out.push(`##PEAK TABLE=${pt.w ? '(XYW..XYW)' : '(XY..XY)'}`);
    for (let i = 0; i < pt.x.length; i += 5) {
      const tuples: string[] = [];
      for (let k = i; k < Math.min(pt.x.length, i + 5); k++) {
        const parts = [num(pt.x[k] / xFactor), num(pt.y[k] / yFactor)];
        if (pt.w) parts.push(num(pt.w[k]));
        tuples.push(parts.join(','));
      }
      out.push(tuples.join(' '));
    }
  }
  out.push('##END=');
  return `${out.join('\n')}\n`;
}

function asdfLines(ord: Float64Array, xLabel: (i: number) => string, form: 'SQZ' | 'DIF' | 'DIFDUP'): string[] {
  const lines: string[] = [];
  const max = jcampFormat.maxLineLength;
  const n = ord.length;
  if (form === 'SQZ') {
    let i = 0;
    while (i < n) {
      let line = xLabel(i);
      do {
        line += sqz(ord[i]);
        i++;
      } while (i < n && line.length + sqz(ord[i]).length <= max);
      lines.push(line);
    }
    return lines;
  }
  // DIF / DIFDUP: each line starts with the absolute (SQZ) value of its first point; for every line
  // after the first that point is the previous line's last point (the Y check).
  let i = 0;
  let endedInDif = false;
  while (i < n) {
    let line = xLabel(i) + sqz(ord[i]);
    let last = i;
    let j = i + 1;
    endedInDif = false;
    while (j < n) {
      const d = ord[j] - ord[j - 1];
      let count = 1;
      if (form === 'DIFDUP') {
        while (j + count < n && ord[j + count] - ord[j + count - 1] === d) count++;
      }
      const token = dif(d) + (count > 1 ? dup(count) : '');
      if (line.length + token.length > max) break;
      line += token;
      j += count;
      last = j - 1;
      endedInDif = true;
    }
    lines.push(line);
    if (last === n - 1) break;
    i = last;
  }
  if (endedInDif) lines.push(xLabel(n - 1) + sqz(ord[n - 1]));
  return lines;
}

/** Shortest decimal with up to 12 significant digits (upper-case exponent). */
function num(v: number): string {
  if (Number.isInteger(v) && Math.abs(v) < 1e15) return String(v);
  return String(Number(v.toPrecision(12))).toUpperCase();
}
