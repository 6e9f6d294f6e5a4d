/**
 * Structural check of a ULog file before it is decoded: the magic, then every message's framing
 * (uint16 size, uint8 type, payload) from the header to the last byte, and the consistency of the
 * definitions the data refers to.
 *
 * Why this exists: @foxglove/ulog stops indexing silently when a message runs past the end of the
 * file, so a truncated log would read as a shorter, valid one; and its own errors name no offset.
 * This walk finds a cut or a corrupt header at its byte offset and reports it as
 * PT_ERR_ULOG_CORRUPT. A file cut exactly between two messages of the data section cannot be told
 * from a complete log (ULog has no end marker and no index) and passes.
 *
 * Pure: works on the bytes, no I/O.
 */
import { PlumetraceError } from '../../core/errors.ts';
import { ULOG_BASIC_TYPE_BYTES, ULOG_FLAG_BITS_BYTES, ULOG_MSG, ulogFormat } from './format.ts';

/** One field of a ULog format ("type name" or "type[n] name"). */
export interface ULogFieldSpec {
  type: string;
  name: string;
  arrayLength?: number;
}

export interface ULogFraming {
  /** Format version (byte 7 of the header). */
  version: number;
  /** Logging start, µs since boot (bytes 8–15 of the header). */
  startTimestampUs: bigint;
  /** Number of messages after the header. */
  messageCount: number;
  /** Byte offset of the first message of the data section. */
  dataSectionOffset: number;
}

const DATA_SECTION_TYPES = new Set<number>([
  ULOG_MSG.addLogged,
  ULOG_MSG.removeLogged,
  ULOG_MSG.data,
  ULOG_MSG.log,
  ULOG_MSG.logTagged,
  ULOG_MSG.sync,
  ULOG_MSG.dropout,
]);
const DEFINITION_TYPES = new Set<number>([
  ULOG_MSG.flagBits,
  ULOG_MSG.format,
  ULOG_MSG.info,
  ULOG_MSG.infoMulti,
  ULOG_MSG.parameter,
  ULOG_MSG.parameterDefault,
]);

/** Parses "name:type a;type[4] b;" into a name and fields; undefined when malformed. */
export function parseULogFormat(text: string): { name: string; fields: ULogFieldSpec[] } | undefined {
  const colon = text.indexOf(':');
  if (colon <= 0) return undefined;
  const name = text.slice(0, colon);
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return undefined;
  const fields: ULogFieldSpec[] = [];
  for (const part of text.slice(colon + 1).split(';')) {
    const s = part.trim();
    if (s === '') continue;
    const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:\[(\d+)\])? ([A-Za-z_][A-Za-z0-9_]*)$/.exec(s);
    if (!m) return undefined;
    const field: ULogFieldSpec = { type: m[1], name: m[3] };
    if (m[2] !== undefined) {
      const n = Number(m[2]);
      if (!(n > 0)) return undefined;
      field.arrayLength = n;
    }
    fields.push(field);
  }
  return { name, fields };
}

function hex(bytes: Uint8Array, n: number): string {
  return Array.from(bytes.subarray(0, n), (b) => b.toString(16).toUpperCase().padStart(2, '0')).join(' ');
}

function typeName(type: number): string {
  return type >= 0x20 && type < 0x7f ? `'${String.fromCharCode(type)}'` : `0x${type.toString(16).padStart(2, '0')}`;
}

/**
 * Checks the bytes of a ULog file; throws PT_ERR_FILE_EMPTY for no bytes and PT_ERR_ULOG_CORRUPT,
 * naming `file` and the byte offset, for anything that is not a complete, well-framed ULog.
 */
export function checkULogFraming(bytes: Uint8Array, file: string): ULogFraming {
  const corrupt = (detail: string): PlumetraceError => new PlumetraceError('PT_ERR_ULOG_CORRUPT', detail, { file });
  const len = bytes.length;
  if (len === 0) throw new PlumetraceError('PT_ERR_FILE_EMPTY', 'the file is empty (0 bytes)', { file });
  const magic = ulogFormat.magic;
  for (let i = 0; i < Math.min(len, magic.length); i++) {
    if (bytes[i] !== magic[i]) {
      throw corrupt(
        `not a ULog file: it starts with ${hex(bytes, 8)}, a ULog file starts with ${hex(Uint8Array.from(magic), magic.length)} ("ULog" 01 12 35); byte ${i} differs`,
      );
    }
  }
  const headerBytes = ulogFormat.headerBytes;
  if (len < headerBytes)
    throw corrupt(`the file has ${len} bytes, less than the ${headerBytes}-byte ULog header: truncated`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const decoder = new TextDecoder();
  const text = (from: number, to: number): string => decoder.decode(bytes.subarray(from, to));

  const formats = new Map<string, ULogFieldSpec[]>();
  const sizeCache = new Map<string, number>();
  const sizeOf = (type: string, stack: string[]): number => {
    const basic = ULOG_BASIC_TYPE_BYTES[type];
    if (basic !== undefined) return basic;
    const cached = sizeCache.get(type);
    if (cached !== undefined) return cached;
    const fields = formats.get(type);
    if (!fields)
      throw corrupt(`format "${stack[stack.length - 1]}" uses type "${type}", which no format message defines`);
    if (stack.includes(type)) throw corrupt(`format "${type}" contains itself (${[...stack, type].join(' → ')})`);
    let size = 0;
    for (const f of fields) size += sizeOf(f.type, [...stack, type]) * (f.arrayLength ?? 1);
    sizeCache.set(type, size);
    return size;
  };
  /** Per subscribed msg_id: topic name and the fewest data bytes a message may have. */
  const subscriptions = new Map<number, { name: string; minBytes: number; hasTimestamp: boolean }>();

  let pos: number = headerBytes;
  let count = 0;
  let dataSectionOffset = -1;
  while (pos < len) {
    if (len - pos < ulogFormat.messageHeaderBytes) {
      throw corrupt(`the file ends ${len - pos} byte(s) into the header of the message at byte ${pos}: truncated`);
    }
    const size = view.getUint16(pos, true);
    const type = bytes[pos + 2];
    const body = pos + ulogFormat.messageHeaderBytes;
    const end = body + size;
    if (type < 0x41 || type > 0x5a) {
      throw corrupt(`byte ${pos} should start a message but its type byte is ${typeName(type)}: the file is corrupt`);
    }
    if (end > len) {
      throw corrupt(
        `the ${typeName(type)} message at byte ${pos} declares ${size} bytes but the file ends after ${len - body}: truncated`,
      );
    }
    if (dataSectionOffset < 0 && DATA_SECTION_TYPES.has(type)) dataSectionOffset = pos;
    const inData = dataSectionOffset >= 0;
    const bad = (why: string): PlumetraceError => corrupt(`the ${typeName(type)} message at byte ${pos} ${why}`);

    switch (type) {
      case ULOG_MSG.flagBits: {
        if (count !== 0) throw bad('must be the first message after the header');
        if (size < ULOG_FLAG_BITS_BYTES) throw bad(`has ${size} bytes, the flag bits need ${ULOG_FLAG_BITS_BYTES}`);
        const incompat = bytes.subarray(body + 8, body + 16);
        if (incompat[0] > 1 || incompat.subarray(1).some((b) => b !== 0)) {
          throw bad(`sets incompatible flags (${hex(incompat, 8)}) this reader does not know`);
        }
        break;
      }
      case ULOG_MSG.format: {
        if (inData) break; // formats count only in the definitions section
        const f = parseULogFormat(text(body, end));
        if (!f) throw bad(`is not a valid format definition: "${text(body, Math.min(end, body + 80))}"`);
        if (formats.has(f.name)) throw bad(`defines format "${f.name}" a second time`);
        formats.set(f.name, f.fields);
        break;
      }
      case ULOG_MSG.info:
      case ULOG_MSG.parameter:
        if (size < 1 || bytes[body] > size - 1) throw bad(`has a key length ${bytes[body]} beyond its ${size} bytes`);
        break;
      case ULOG_MSG.infoMulti:
      case ULOG_MSG.parameterDefault:
        if (size < 2 || bytes[body + 1] > size - 2) throw bad(`has a key length beyond its ${size} bytes`);
        break;
      case ULOG_MSG.addLogged: {
        if (size < 3) throw bad(`has ${size} bytes, at least 3 are needed`);
        const msgId = view.getUint16(body + 1, true);
        const name = text(body + 3, end);
        const fields = formats.get(name);
        if (!fields) throw bad(`subscribes msg_id ${msgId} to "${name}", which no format message defines`);
        let full = 0;
        for (const fl of fields) full += sizeOf(fl.type, [name]) * (fl.arrayLength ?? 1);
        // PX4 does not write padding at the end of a message: the data may be that much shorter.
        let trailing = 0;
        for (let i = fields.length - 1; i >= 0 && fields[i].name.startsWith('_padding'); i--) {
          trailing += sizeOf(fields[i].type, [name]) * (fields[i].arrayLength ?? 1);
        }
        const hasTimestamp = fields.some((fl) => fl.name === 'timestamp' && fl.type === 'uint64_t' && !fl.arrayLength);
        subscriptions.set(msgId, { name, minBytes: full - trailing, hasTimestamp });
        break;
      }
      case ULOG_MSG.data: {
        if (size < 2) throw bad(`has ${size} bytes, at least 2 are needed`);
        const msgId = view.getUint16(body, true);
        const sub = subscriptions.get(msgId);
        if (!sub) throw bad(`carries msg_id ${msgId}, which no earlier 'A' message subscribed`);
        if (!sub.hasTimestamp) throw bad(`carries topic "${sub.name}", whose format has no uint64_t timestamp`);
        if (size - 2 < sub.minBytes) {
          throw bad(`carries ${size - 2} bytes of "${sub.name}", whose format needs ${sub.minBytes}`);
        }
        break;
      }
      case ULOG_MSG.log:
        if (size < 9) throw bad(`has ${size} bytes, at least 9 are needed`);
        break;
      case ULOG_MSG.logTagged:
        if (size < 11) throw bad(`has ${size} bytes, at least 11 are needed`);
        break;
      case ULOG_MSG.dropout:
        if (size < 2) throw bad(`has ${size} bytes, at least 2 are needed`);
        break;
      default:
        // Unknown letters are skipped in the data section (newer writers may add types) but not
        // among the definitions, where the decoder refuses them.
        if (!inData && !DEFINITION_TYPES.has(type) && !DATA_SECTION_TYPES.has(type)) {
          throw bad('has a type this reader does not know, among the definitions');
        }
    }
    pos = end;
    count++;
  }
  if (dataSectionOffset < 0) {
    throw corrupt(`the file ends at byte ${len} before its data section begins (only definitions): truncated`);
  }
  return {
    version: bytes[7],
    startTimestampUs: view.getBigUint64(8, true),
    messageCount: count,
    dataSectionOffset,
  };
}
