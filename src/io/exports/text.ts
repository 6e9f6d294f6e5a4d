/**
 * Text for the PDF's standard fonts, which encode only WinAnsi (Windows-1252): characters outside
 * it are mapped to a close ASCII form where one exists (CH₄ → CH4, ≤ → <=, σ → sigma, ’ → ') and
 * otherwise to "?", and control characters to spaces, so no user text can crash the report.
 */

/** Windows-1252 characters above Latin-1's printable range 0x20–0x7E / 0xA0–0xFF. */
const CP1252_EXTRA = '€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ';

const MAP: Record<string, string> = {
  '₀': '0',
  '₁': '1',
  '₂': '2',
  '₃': '3',
  '₄': '4',
  '₅': '5',
  '₆': '6',
  '₇': '7',
  '₈': '8',
  '₉': '9',
  '≤': '<=',
  '≥': '>=',
  '≈': '~',
  '≠': '!=',
  '−': '-',
  '‐': '-',
  '‑': '-',
  '→': '->',
  '←': '<-',
  '×': 'x',
  '√': 'sqrt',
  σ: 'sigma',
  µ: 'u',
  μ: 'u',
  Δ: 'delta',
  '′': "'",
  '″': '"',
  '\u00a0': ' ',
};

export function isWinAnsi(ch: string): boolean {
  const c = ch.codePointAt(0) ?? 0;
  return (c >= 0x20 && c <= 0x7e) || (c >= 0xa0 && c <= 0xff) || CP1252_EXTRA.includes(ch);
}

export function winAnsi(s: string): string {
  let out = '';
  for (const ch of s) {
    if (isWinAnsi(ch)) out += ch;
    else if (MAP[ch] !== undefined) out += MAP[ch];
    else if (/\s/.test(ch) || (ch.codePointAt(0) ?? 0) < 0x20) out += ' ';
    else {
      // A letter with combining accents that has a Latin-1 base (e.g. precomposed forms outside it).
      const base = ch.normalize('NFKD').replace(/[\u0300-\u036f]/g, '');
      out += base.length > 0 && [...base].every(isWinAnsi) ? base : '?';
    }
  }
  return out;
}
