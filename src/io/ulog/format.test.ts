import { describe, expect, it } from 'vitest';
import { looksLikeULog, ulogFormat } from './format.ts';
import { ULogWriter } from './test-writer.ts';

describe('ULog format descriptor', () => {
  it('names the format and recognises the magic the writer (and PX4) put first', () => {
    expect(ulogFormat.name).toBe('PX4 ULog');
    expect(ulogFormat.extensions).toEqual(['.ulg']);
    const bytes = new ULogWriter({ startUs: 5n }).finish();
    expect(new TextDecoder().decode(bytes.subarray(0, 4))).toBe('ULog');
    expect(Array.from(bytes.subarray(4, 7))).toEqual([0x01, 0x12, 0x35]);
    expect(bytes.length).toBe(ulogFormat.headerBytes + ulogFormat.messageHeaderBytes + 40);
    expect(looksLikeULog(bytes)).toBe(true);
    expect(looksLikeULog(bytes.subarray(0, 6))).toBe(false);
    expect(looksLikeULog(new TextEncoder().encode('ULog\x01\x12\x36xxxxxxxxx'))).toBe(false);
  });
});
