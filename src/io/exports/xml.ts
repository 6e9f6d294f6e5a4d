/**
 * XML text for KML and CoT: the five special characters escaped, and characters XML 1.0 cannot
 * hold at all (control characters, lone surrogates, U+FFFE/U+FFFF) replaced by U+FFFD, so any
 * name or reason a user typed comes out as well-formed XML.
 */

/** Whether XML 1.0 may hold the code point (tab, LF, CR, and the Char production's ranges). */
function xmlChar(c: number): boolean {
  return (
    c === 0x9 ||
    c === 0xa ||
    c === 0xd ||
    (c >= 0x20 && c <= 0xd7ff) ||
    (c >= 0xe000 && c <= 0xfffd) ||
    (c >= 0x10000 && c <= 0x10ffff)
  );
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

export function xmlText(s: string): string {
  let out = '';
  // for…of walks code points: a surrogate pair is one character, a lone surrogate one bad one.
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    out += xmlChar(c) ? (ESCAPES[ch] ?? ch) : '\uFFFD';
  }
  return out;
}

/**
 * Text for an attribute value: as xmlText, with tab, line feed and carriage return as character
 * references, since a parser normalizes literal ones in attributes to spaces.
 */
export function xmlAttr(s: string): string {
  return xmlText(s).replace(/\t/g, '&#9;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;');
}

/** Numbers in XML and CSV: the shortest text that reads back to the same double. */
export function numText(v: number): string {
  return String(v);
}
