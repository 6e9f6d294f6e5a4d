/**
 * JCAMP-DX ordinate codecs: AFFN (plain ASCII numbers, with PAC-style `+`/`-` separators) and the
 * ASDF compressed forms SQZ, DIF and DUP (McDonald & Wilks, Appl. Spectrosc. 42 (1988) 151, §5.9).
 *
 *   SQZ  a value's sign and first digit in one letter:  @=0, A–I = +1…+9, a–i = −1…−9
 *   DIF  a difference from the previous value, likewise: %=0, J–R = +1…+9, j–r = −1…−9
 *   DUP  a repeat count of the previous token (value or difference): S–Z = 1…8, s = 9
 *
 * A DIF line ends with a difference; the next line then starts (after its X) with the absolute value
 * of that same last point again — the Y check. The decoder verifies and drops it.
 *
 * Pure: text in, numbers out; errors are registered PlumetraceErrors that name file, line and column.
 */
import { PlumetraceError } from '../../core/errors.ts';

export type AsdfTokenKind = 'affn' | 'sqz' | 'dif' | 'dup' | 'missing';

export interface AsdfToken {
  readonly kind: AsdfTokenKind;
  /** Value (affn, sqz), difference (dif) or repeat count (dup); NaN for a missing value (`?`). */
  readonly value: number;
  /** 1-based column of the token's first character. */
  readonly column: number;
}

const SQZ_POS = '@ABCDEFGHI';
const SQZ_NEG = '@abcdefghi';
const DIF_POS = '%JKLMNOPQR';
const DIF_NEG = '%jklmnopqr';
const DUP_DIGITS = '_STUVWXYZs';

/** True when `text` holds any ASDF character other than `E`/`e` (which may be AFFN exponents). */
export function hasAsdfCharacters(text: string): boolean {
  return /[@A-DF-Ia-df-i%J-Rj-rS-Zs]/.test(text);
}

interface Ctx {
  readonly file: string;
  readonly line: number;
}

function badChar(ctx: Ctx, column: number, detail: string): PlumetraceError {
  return new PlumetraceError('PT_ERR_JCAMP_BAD_CHARACTER', `${detail} at column ${column}`, {
    file: ctx.file,
    line: ctx.line,
  });
}

/**
 * Splits one data line into tokens. `compressed` says the data block uses ASDF, so `E`/`e` are SQZ
 * digits (+5/−5) rather than AFFN exponents.
 */
export function tokenizeDataLine(text: string, compressed: boolean, ctx: Ctx): AsdfToken[] {
  const tokens: AsdfToken[] = [];
  let kind: AsdfTokenKind | undefined;
  let buf = '';
  let start = 0;
  const flush = (): void => {
    if (kind === undefined) return;
    let value: number;
    if (kind === 'affn') {
      value = Number(buf);
      if (buf === '' || buf === '+' || buf === '-' || !Number.isFinite(value)) {
        throw badChar(ctx, start, `"${buf}" is not a number`);
      }
    } else if (kind === 'missing') {
      value = Number.NaN;
    } else {
      value = Number(buf);
    }
    tokens.push({ kind, value, column: start });
    kind = undefined;
    buf = '';
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    const col = i + 1;
    if (c === ' ' || c === '\t' || c === ',' || c === ';' || c === '\r') {
      flush();
      continue;
    }
    if (c >= '0' && c <= '9') {
      if (kind === undefined || kind === 'missing') {
        flush();
        kind = 'affn';
        start = col;
      }
      buf += c;
      continue;
    }
    if (c === '.') {
      if (kind !== 'affn') {
        flush();
        kind = 'affn';
        start = col;
      }
      buf += c;
      continue;
    }
    if (c === '+' || c === '-') {
      // An exponent sign stays inside its number; otherwise a sign starts a new AFFN number.
      if (kind === 'affn' && /[eE]$/.test(buf)) {
        buf += c;
        continue;
      }
      flush();
      kind = 'affn';
      start = col;
      buf = c;
      continue;
    }
    if ((c === 'E' || c === 'e') && !compressed && kind === 'affn' && /\d/.test(buf)) {
      buf += c;
      continue;
    }
    if (c === '?') {
      flush();
      kind = 'missing';
      start = col;
      flush();
      continue;
    }
    let digit = SQZ_POS.indexOf(c);
    if (digit >= 0) {
      flush();
      kind = 'sqz';
      start = col;
      buf = String(digit);
      continue;
    }
    digit = SQZ_NEG.indexOf(c);
    if (digit > 0) {
      flush();
      kind = 'sqz';
      start = col;
      buf = `-${digit}`;
      continue;
    }
    digit = DIF_POS.indexOf(c);
    if (digit >= 0) {
      flush();
      kind = 'dif';
      start = col;
      buf = String(digit);
      continue;
    }
    digit = DIF_NEG.indexOf(c);
    if (digit > 0) {
      flush();
      kind = 'dif';
      start = col;
      buf = `-${digit}`;
      continue;
    }
    digit = DUP_DIGITS.indexOf(c);
    if (digit > 0) {
      flush();
      kind = 'dup';
      start = col;
      buf = String(digit);
      continue;
    }
    throw badChar(ctx, col, `character "${c}" (code ${c.charCodeAt(0)}) is neither AFFN nor ASDF`);
  }
  flush();
  return tokens;
}

/** One decoded `(X++(Y..Y))` line: its X label and the ordinates it adds (Y check removed). */
export interface DecodedLine {
  readonly x: number;
  readonly ys: number[];
  /** True when the line's first ordinate was a Y check of the previous line (and was dropped). */
  readonly yCheck: boolean;
  /** True when the line ended with a DIF (or a DUP of a DIF), so the next line starts with a Y check. */
  readonly endsInDif: boolean;
}

/**
 * Decodes one `(X++(Y..Y))` line. `previous` is the line before in the same block (for the Y
 * check), or undefined for the first line.
 */
export function decodeXyLine(
  text: string,
  compressed: boolean,
  ctx: Ctx,
  previous: { endsInDif: boolean; lastY: number } | undefined,
): DecodedLine {
  const tokens = tokenizeDataLine(text, compressed, ctx);
  if (tokens.length === 0) throw badChar(ctx, 1, 'empty data line');
  const xTok = tokens[0];
  if (xTok.kind !== 'affn' && xTok.kind !== 'sqz') {
    throw badChar(ctx, xTok.column, `a line must start with its X value, found a ${xTok.kind.toUpperCase()} token`);
  }
  const ys: number[] = [];
  let lastKind: 'value' | 'dif' | undefined;
  let lastDif = 0;
  for (let k = 1; k < tokens.length; k++) {
    const t = tokens[k];
    if (t.kind === 'affn' || t.kind === 'sqz' || t.kind === 'missing') {
      ys.push(t.value);
      lastKind = 'value';
    } else if (t.kind === 'dif') {
      if (ys.length === 0 || Number.isNaN(ys[ys.length - 1])) {
        throw badChar(ctx, t.column, 'a DIF has no value before it on this line');
      }
      ys.push(ys[ys.length - 1] + t.value);
      lastKind = 'dif';
      lastDif = t.value;
    } else {
      if (lastKind === undefined) throw badChar(ctx, t.column, 'a DUP has nothing before it to repeat');
      if (t.value < 1) throw badChar(ctx, t.column, `DUP count ${t.value} is less than 1`);
      for (let r = 1; r < t.value; r++) {
        ys.push(lastKind === 'dif' ? ys[ys.length - 1] + lastDif : ys[ys.length - 1]);
      }
    }
  }
  let yCheck = false;
  if (previous?.endsInDif) {
    if (ys.length === 0) {
      throw new PlumetraceError('PT_ERR_JCAMP_Y_CHECK', 'the line after a DIF line has no Y-check value', {
        file: ctx.file,
        line: ctx.line,
      });
    }
    if (ys[0] !== previous.lastY) {
      throw new PlumetraceError(
        'PT_ERR_JCAMP_Y_CHECK',
        `the line starts with Y-check ${ys[0]} but the previous line ended at ${previous.lastY}`,
        { file: ctx.file, line: ctx.line },
      );
    }
    ys.shift();
    yCheck = true;
  }
  return { x: xTok.value, ys, yCheck, endsInDif: lastKind === 'dif' };
}

/** SQZ form of an integer: sign and first digit as one letter, then the other digits. */
export function sqz(v: number): string {
  return lead(v, SQZ_POS, SQZ_NEG);
}

/** DIF form of an integer difference. */
export function dif(d: number): string {
  return lead(d, DIF_POS, DIF_NEG);
}

/** DUP form of a repeat count (≥ 2). */
export function dup(count: number): string {
  const s = String(count);
  return DUP_DIGITS[Number(s[0])] + s.slice(1);
}

function lead(v: number, pos: string, neg: string): string {
  if (!Number.isSafeInteger(v)) throw new RangeError(`ASDF encodes integers only, got ${v}`);
  const s = String(Math.abs(v));
  return (v < 0 ? neg : pos)[Number(s[0])] + s.slice(1);
}
