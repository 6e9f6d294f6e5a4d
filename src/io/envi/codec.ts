/**
 * Raw bytes ↔ typed arrays for the ENVI data types, without per-value DataView calls: bytes in the
 * host's order are viewed in place as a typed array; bytes in the other order are swapped in place
 * first (Buffer.swap16/32/64, native code). 64-bit integers become float64 (exact to 2^53).
 */
import { PlumetraceError } from '../../core/errors.ts';
import { type EnviByteOrder, type EnviDataType, enviDataTypes } from './format.ts';

export type NumericArray =
  | Uint8Array
  | Int8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | Float32Array
  | Float64Array;

export const hostByteOrder: EnviByteOrder = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1 ? 'little' : 'big';

/** Swaps each value's bytes in place (n = bytes per value). */
export function swapBytes(bytes: Uint8Array, n: number): void {
  if (n === 1) return;
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (n === 2) b.swap16();
  else if (n === 4) b.swap32();
  else b.swap64();
}

/**
 * Views `bytes` (whose byteOffset must be a multiple of the value size; fresh buffers are) as values
 * of `type`, in the host's order. The bytes are swapped in place when `order` is not the host's.
 */
export function decodeInPlace(bytes: Uint8Array, type: EnviDataType, order: EnviByteOrder): NumericArray {
  const size = enviDataTypes[type].bytes;
  if (bytes.byteOffset % size !== 0 || bytes.byteLength % size !== 0) {
    throw new PlumetraceError('PT_ERR_INTERNAL', `decode: buffer not aligned to ${size}-byte values`);
  }
  if (order !== hostByteOrder) swapBytes(bytes, size);
  const { buffer, byteOffset } = bytes;
  const n = bytes.byteLength / size;
  switch (type) {
    case 'uint8':
      return bytes;
    case 'int16':
      return new Int16Array(buffer, byteOffset, n);
    case 'uint16':
      return new Uint16Array(buffer, byteOffset, n);
    case 'int32':
      return new Int32Array(buffer, byteOffset, n);
    case 'uint32':
      return new Uint32Array(buffer, byteOffset, n);
    case 'float32':
      return new Float32Array(buffer, byteOffset, n);
    case 'float64':
      return new Float64Array(buffer, byteOffset, n);
    case 'int64':
    case 'uint64': {
      const big =
        type === 'int64' ? new BigInt64Array(buffer, byteOffset, n) : new BigUint64Array(buffer, byteOffset, n);
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = Number(big[i]);
      return out;
    }
  }
}

/** The value to compare raw values against for `data ignore value` (NaN: nothing matches). */
export function ignoreComparand(type: EnviDataType, ignore: number | undefined): number {
  if (ignore === undefined) return Number.NaN;
  return type === 'float32' ? Math.fround(ignore) : ignore;
}

/**
 * Converts values (already in file order) to bytes of `type` and `order`. NaN becomes
 * `ignoreValue` when given; integer types round to nearest and refuse NaN (without an ignore
 * value) and values out of range. `where(i)` describes value i for error messages.
 */
export function encodeValues(
  values: ArrayLike<number>,
  type: EnviDataType,
  order: EnviByteOrder,
  ignoreValue: number | undefined,
  where: (i: number) => string,
  file: string,
): Uint8Array {
  const spec = enviDataTypes[type];
  const n = values.length;
  let out: NumericArray;
  switch (type) {
    case 'float32':
    case 'float64': {
      out = type === 'float32' ? new Float32Array(n) : new Float64Array(n);
      out.set(values);
      if (ignoreValue !== undefined) {
        for (let i = 0; i < n; i++) if (Number.isNaN(values[i])) out[i] = ignoreValue;
      }
      break;
    }
    case 'uint8':
    case 'int16':
    case 'uint16':
    case 'int32':
    case 'uint32': {
      out =
        type === 'uint8'
          ? new Uint8Array(n)
          : type === 'int16'
            ? new Int16Array(n)
            : type === 'uint16'
              ? new Uint16Array(n)
              : type === 'int32'
                ? new Int32Array(n)
                : new Uint32Array(n);
      const min = spec.min as number;
      const max = spec.max as number;
      for (let i = 0; i < n; i++) {
        let v = values[i];
        if (Number.isNaN(v)) {
          if (ignoreValue === undefined) {
            throw new PlumetraceError(
              'PT_ERR_RASTER_WRITE',
              `NaN at ${where(i)} cannot be stored as ${type} without a data ignore value`,
              { file },
            );
          }
          v = ignoreValue;
        }
        const r = Math.round(v);
        if (!(r >= min && r <= max)) {
          throw new PlumetraceError(
            'PT_ERR_RASTER_WRITE',
            `${v} at ${where(i)} does not fit ${type} (${min}..${max})`,
            {
              file,
            },
          );
        }
        out[i] = r;
      }
      break;
    }
    default:
      throw new PlumetraceError('PT_ERR_RASTER_WRITE', `data type ${type} can be read but not written`, { file });
  }
  const bytes = new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  if (order !== hostByteOrder) swapBytes(bytes, spec.bytes);
  return bytes;
}
