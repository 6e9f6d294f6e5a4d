/**
 * JCAMP-DX reader (see format.ts and README.md): the labelled header in file order, and the data of
 * `##XYDATA=(X++(Y..Y))` (AFFN or ASDF SQZ/DIF/DUP, Y checks verified), `##XYPOINTS` and
 * `##PEAK TABLE` pairs. Values come back in the file's units with XFACTOR and YFACTOR applied.
 *
 * Abscissae of XYDATA are computed from FIRSTX, LASTX and NPOINTS (the standard's definition;
 * FIRSTX + i·DELTAX where a writer left LASTX out, and the decoded count where it left NPOINTS out);
 * each line's own X value is only a check. It must lie within 1.5 steps of where the line's first
 * point falls: NIST's quantitative files label every line after the first with the X of the point
 * before it (one step early), which that tolerance accepts and anything worse does not.
 *
 * Pure (text in): reading a file from disk is the caller's business (files are latin1).
 */
import { PlumetraceError } from '../../core/errors.ts';
import { decodeXyLine, hasAsdfCharacters, tokenizeDataLine } from './asdf.ts';
import { jcampFormat, normaliseLabel } from './format.ts';

export interface JcampLabel {
  /** The label as written, without `##` and `=` (e.g. `CAS REGISTRY NO`). */
  readonly key: string;
  /** Normalised name used for look-ups (e.g. `CASREGISTRYNO`). */
  readonly name: string;
  /** The value as written (continuation lines joined with `\n`, `$$` comments kept). */
  readonly value: string;
  /** 1-based line of the label. */
  readonly line: number;
}

export interface JcampPairs {
  /** The form, e.g. `(XY..XY)`. */
  readonly form: string;
  readonly x: Float64Array;
  readonly y: Float64Array;
  /** Widths for `(XYW..XYW)`. */
  readonly w?: Float64Array;
}

export interface JcampSpectrum {
  readonly file: string;
  readonly title: string;
  /** Every label of the header in file order, data labels included (their value is the form). */
  readonly labels: readonly JcampLabel[];
  readonly xUnits: string;
  readonly yUnits: string;
  readonly xFactor: number;
  readonly yFactor: number;
  /** `##CAS REGISTRY NO`, when present. */
  readonly casRegistryNo?: string;
  /** `##MOLFORM`, when present. */
  readonly molecularFormula?: string;
  /** How the XYDATA ordinates were written; 'PAIRS' when the data came from XYPOINTS. */
  readonly dataForm: 'AFFN' | 'ASDF' | 'PAIRS' | 'NONE';
  /** Abscissae in XUNITS (XFACTOR applied). Empty when the file has only a peak table. */
  readonly x: Float64Array;
  /** Ordinates in YUNITS (YFACTOR applied); NaN where the file has `?`. */
  readonly y: Float64Array;
  readonly peakTable?: JcampPairs;
}

/** The value of a label by any spelling of its name (`'CAS REGISTRY NO'`, `'casregistryno'`). */
export function jcampLabel(spectrum: Pick<JcampSpectrum, 'labels'>, name: string): string | undefined {
  const n = normaliseLabel(name);
  return spectrum.labels.find((l) => l.name === n)?.value;
}

interface RawBlock {
  readonly label: JcampLabel;
  readonly lines: { text: string; line: number }[];
}

/** Parses the text of one JCAMP-DX file. */
export function parseJcamp(text: string, file: string): JcampSpectrum {
  const lines = text.split(/\r\n|\r|\n/);
  const labels: JcampLabel[] = [];
  const blocks: RawBlock[] = [];
  let block: RawBlock | undefined;
  let ended = false;
  let lastLineNo = 0;
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const raw = lines[i];
    if (raw.trim() === '') continue;
    lastLineNo = lineNo;
    if (labels.length === 0) {
      if (!raw.trimStart().toUpperCase().startsWith(jcampFormat.magic)) {
        throw new PlumetraceError(
          'PT_ERR_JCAMP_FORMAT',
          `a JCAMP-DX file starts with "##TITLE=", found "${clip(raw)}"`,
          {
            file,
            line: lineNo,
          },
        );
      }
    }
    if (raw.startsWith('##')) {
      const eq = raw.indexOf('=');
      if (eq < 0) {
        throw new PlumetraceError('PT_ERR_JCAMP_FORMAT', `label "${clip(raw)}" has no "="`, { file, line: lineNo });
      }
      const key = raw.slice(2, eq).trim();
      const name = normaliseLabel(key);
      const value = raw.slice(eq + 1).trim();
      if (name === 'END') {
        ended = true;
        break;
      }
      if (name === 'TITLE' && labels.length > 0) {
        throw new PlumetraceError(
          'PT_ERR_JCAMP_FORMAT',
          'a second ##TITLE before ##END= (compound files are not read)',
          {
            file,
            line: lineNo,
          },
        );
      }
      if (name === 'BLOCKS' || name === 'BLOCKID' || name === 'NTUPLES') {
        throw new PlumetraceError(
          'PT_ERR_JCAMP_FORMAT',
          `##${key} — compound or n-tuple files are not read; export one XYDATA spectrum per file`,
          { file, line: lineNo },
        );
      }
      const label: JcampLabel = { key, name, value, line: lineNo };
      labels.push(label);
      if (name === 'XYDATA' || name === 'XYPOINTS' || name === 'PEAKTABLE') {
        block = { label, lines: [] };
        blocks.push(block);
      } else {
        block = undefined;
      }
      continue;
    }
    if (block) {
      const data = stripComment(raw);
      if (data.trim() !== '') block.lines.push({ text: data, line: lineNo });
      continue;
    }
    // A continuation line of the previous label's value (e.g. NIST's multi-line ##OWNER).
    const prev = labels[labels.length - 1];
    labels[labels.length - 1] = { ...prev, value: `${prev.value}\n${raw.trimEnd()}` };
  }
  if (labels.length === 0) {
    throw new PlumetraceError('PT_ERR_JCAMP_FORMAT', 'the file has no labels (empty?)', { file });
  }
  if (!ended) {
    throw new PlumetraceError('PT_ERR_JCAMP_TRUNCATED', `the file ends at line ${lastLineNo} without "##END="`, {
      file,
      line: lastLineNo,
    });
  }

  const get = (name: string): JcampLabel | undefined => labels.find((l) => l.name === name);
  const num = (name: string, fallback?: number): number => {
    const l = get(name);
    if (l === undefined) {
      if (fallback !== undefined) return fallback;
      throw new PlumetraceError('PT_ERR_JCAMP_FORMAT', `the header has no ##${name}=`, { file });
    }
    const v = Number(stripComment(l.value).trim());
    if (stripComment(l.value).trim() === '' || !Number.isFinite(v)) {
      throw new PlumetraceError('PT_ERR_JCAMP_FORMAT', `##${l.key}= "${clip(l.value)}" is not a number`, {
        file,
        line: l.line,
      });
    }
    return v;
  };
  const str = (name: string): string | undefined => {
    const v = get(name)?.value;
    return v === undefined ? undefined : stripComment(v).trim();
  };

  const xFactor = num('XFACTOR', 1);
  const yFactor = num('YFACTOR', 1);
  for (const [n, v] of [
    ['XFACTOR', xFactor],
    ['YFACTOR', yFactor],
  ] as const) {
    if (v === 0) {
      throw new PlumetraceError('PT_ERR_JCAMP_FORMAT', `##${n}= is 0`, { file, line: get(n)?.line });
    }
  }
  const title = str('TITLE') ?? '';
  const xUnits = str('XUNITS') ?? '';
  const yUnits = str('YUNITS') ?? '';

  const xyBlock = blocks.find((b) => b.label.name === 'XYDATA');
  const pointsBlock = blocks.find((b) => b.label.name === 'XYPOINTS');
  const peakBlock = blocks.find((b) => b.label.name === 'PEAKTABLE');
  if (!xyBlock && !pointsBlock && !peakBlock) {
    throw new PlumetraceError('PT_ERR_JCAMP_FORMAT', 'no ##XYDATA=, ##XYPOINTS= or ##PEAK TABLE= block', { file });
  }

  let x: Float64Array = new Float64Array(0);
  let y: Float64Array = new Float64Array(0);
  let dataForm: JcampSpectrum['dataForm'] = 'NONE';
  if (xyBlock) {
    const form = xyBlock.label.value.replace(/\s/g, '').toUpperCase();
    if (!(jcampFormat.xyDataForms as readonly string[]).includes(form)) {
      throw new PlumetraceError('PT_ERR_JCAMP_FORMAT', `##XYDATA=${xyBlock.label.value} — only (X++(Y..Y)) is read`, {
        file,
        line: xyBlock.label.line,
      });
    }
    // NPOINTS and LASTX are required by the standard; some writers leave them out. Without NPOINTS
    // the decoded count stands; without LASTX, DELTAX gives the step.
    const nPoints = get('NPOINTS') ? num('NPOINTS') : undefined;
    const firstX = num('FIRSTX');
    const lastX = get('LASTX') ? num('LASTX') : undefined;
    if (lastX === undefined && get('DELTAX') === undefined) {
      throw new PlumetraceError('PT_ERR_JCAMP_FORMAT', 'the header has neither ##LASTX= nor ##DELTAX=', { file });
    }
    const deltaX = lastX === undefined ? num('DELTAX') : undefined;
    ({ x, y, dataForm } = decodeXyData(xyBlock, { file, nPoints, firstX, lastX, deltaX, xFactor, yFactor }));
  } else if (pointsBlock) {
    const pairs = decodePairs(pointsBlock, file, xFactor, yFactor);
    const nPoints = get('NPOINTS') ? num('NPOINTS') : pairs.x.length;
    if (nPoints !== pairs.x.length) {
      throw new PlumetraceError(
        'PT_ERR_JCAMP_NPOINTS',
        `##XYPOINTS holds ${pairs.x.length} points, ##NPOINTS= says ${nPoints}`,
        { file, line: pointsBlock.label.line },
      );
    }
    x = pairs.x;
    y = pairs.y;
    dataForm = 'PAIRS';
  }
  const peakTable = peakBlock ? decodePairs(peakBlock, file, xFactor, yFactor) : undefined;

  return {
    file,
    title,
    labels,
    xUnits,
    yUnits,
    xFactor,
    yFactor,
    casRegistryNo: str('CASREGISTRYNO'),
    molecularFormula: str('MOLFORM'),
    dataForm,
    x,
    y,
    ...(peakTable ? { peakTable } : {}),
  };
}

function decodeXyData(
  block: RawBlock,
  p: {
    file: string;
    nPoints: number | undefined;
    firstX: number;
    lastX: number | undefined;
    deltaX: number | undefined;
    xFactor: number;
    yFactor: number;
  },
): { x: Float64Array; y: Float64Array; dataForm: 'AFFN' | 'ASDF' } {
  const { file } = p;
  if (p.nPoints !== undefined && (!Number.isInteger(p.nPoints) || p.nPoints < 1)) {
    throw new PlumetraceError('PT_ERR_JCAMP_FORMAT', `##NPOINTS= ${p.nPoints} is not a positive integer`, { file });
  }
  const compressed = hasAsdfCharacters(block.lines.map((l) => l.text).join(''));
  const ys: number[] = [];
  const lineStarts: { xLabel: number; index: number; line: number }[] = [];
  let previous: { endsInDif: boolean; lastY: number } | undefined;
  for (const l of block.lines) {
    const decoded = decodeXyLine(l.text, compressed, { file, line: l.line }, previous);
    const index = ys.length - (decoded.yCheck ? 1 : 0);
    lineStarts.push({ xLabel: decoded.x * p.xFactor, index, line: l.line });
    for (const v of decoded.ys) ys.push(v);
    const lastY = ys.length > 0 ? ys[ys.length - 1] : Number.NaN;
    previous = { endsInDif: decoded.endsInDif, lastY };
  }
  if (block.lines.length === 0) {
    throw new PlumetraceError('PT_ERR_JCAMP_TRUNCATED', '##XYDATA= has no data lines', {
      file,
      line: block.label.line,
    });
  }
  if (p.nPoints !== undefined && ys.length !== p.nPoints) {
    throw new PlumetraceError(
      'PT_ERR_JCAMP_NPOINTS',
      `##XYDATA decodes to ${ys.length} points, ##NPOINTS= says ${p.nPoints}`,
      { file, line: block.label.line },
    );
  }
  const nPoints = ys.length;
  const step = p.lastX !== undefined ? (nPoints > 1 ? (p.lastX - p.firstX) / (nPoints - 1) : 0) : (p.deltaX as number);
  const x = new Float64Array(nPoints);
  for (let i = 0; i < nPoints; i++) x[i] = p.firstX + i * step;
  if (nPoints > 1) {
    for (const s of lineStarts) {
      const expected = p.firstX + s.index * step;
      const offSteps = (s.xLabel - expected) / step;
      if (!(Math.abs(offSteps) <= 1.5)) {
        throw new PlumetraceError(
          'PT_ERR_JCAMP_FORMAT',
          `the line's X value ${s.xLabel} is ${offSteps.toFixed(1)} steps from its first point's X ${expected} ` +
            '(FIRSTX + index × (LASTX − FIRSTX)/(NPOINTS − 1)); a line is missing or the header is wrong',
          { file, line: s.line },
        );
      }
    }
  }
  const y = new Float64Array(nPoints);
  for (let i = 0; i < nPoints; i++) y[i] = ys[i] * p.yFactor;
  return { x, y, dataForm: compressed ? 'ASDF' : 'AFFN' };
}

function decodePairs(block: RawBlock, file: string, xFactor: number, yFactor: number): JcampPairs {
  const form = block.label.value.replace(/\s/g, '').toUpperCase();
  if (!(jcampFormat.pairForms as readonly string[]).includes(form)) {
    throw new PlumetraceError(
      'PT_ERR_JCAMP_FORMAT',
      `##${block.label.key}=${block.label.value} is not a pair form read here`,
      {
        file,
        line: block.label.line,
      },
    );
  }
  const arity = form.startsWith('(XYW') ? 3 : 2;
  const values: number[] = [];
  for (const l of block.lines) {
    for (const t of tokenizeDataLine(l.text, false, { file, line: l.line })) {
      if (t.kind !== 'affn') {
        throw new PlumetraceError('PT_ERR_JCAMP_BAD_CHARACTER', `##${block.label.key} holds AFFN numbers only`, {
          file,
          line: l.line,
        });
      }
      values.push(t.value);
    }
  }
  if (values.length % arity !== 0) {
    throw new PlumetraceError(
      'PT_ERR_JCAMP_TRUNCATED',
      `##${block.label.key} has ${values.length} numbers, not a whole number of ${arity}-tuples`,
      { file, line: block.label.line },
    );
  }
  const n = values.length / arity;
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  const w = arity === 3 ? new Float64Array(n) : undefined;
  for (let i = 0; i < n; i++) {
    x[i] = values[i * arity] * xFactor;
    y[i] = values[i * arity + 1] * yFactor;
    if (w) w[i] = values[i * arity + 2];
  }
  return { form, x, y, ...(w ? { w } : {}) };
}

function stripComment(s: string): string {
  const i = s.indexOf('$$');
  return i < 0 ? s : s.slice(0, i);
}

function clip(s: string): string {
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}
