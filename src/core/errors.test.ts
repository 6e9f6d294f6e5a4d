import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, PlumetraceError } from './errors.ts';

describe('error registry', () => {
  it('docs/errors.md lists exactly the registered codes, with the same message, HTTP status and exit code', () => {
    const md = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
    const rows = md
      .split('\n')
      .filter((l) => l.startsWith('| PT_ERR_'))
      .map((l) => l.split('|').map((c) => c.trim()))
      .map(([, code, message, http, exit]) => ({ code, message, httpStatus: Number(http), exitCode: Number(exit) }));
    const registry = Object.entries(ERROR_CODES).map(([code, spec]) => ({ code, ...spec }));
    expect(rows).toEqual(registry);
  });

  it('exit codes are unique, non-zero and fit in a byte; HTTP statuses are errors', () => {
    const exits = Object.values(ERROR_CODES).map((s) => s.exitCode);
    expect(new Set(exits).size).toBe(exits.length);
    for (const s of Object.values(ERROR_CODES)) {
      expect(s.exitCode).toBeGreaterThan(0);
      expect(s.exitCode).toBeLessThan(126);
      expect(s.httpStatus).toBeGreaterThanOrEqual(400);
      expect(s.httpStatus).toBeLessThan(600);
    }
  });

  it('a PlumetraceError names the file, line and column', () => {
    const e = new PlumetraceError('PT_ERR_CSV_BAD_VALUE', '"x" is not a number', {
      file: 'a.csv',
      line: 7,
      column: 'ppm',
    });
    expect(e.message).toBe('PT_ERR_CSV_BAD_VALUE: Bad value in CSV (a.csv, line 7, column "ppm"): "x" is not a number');
    expect(e.exitCode).toBe(7);
    expect(e.httpStatus).toBe(400);
  });
});
