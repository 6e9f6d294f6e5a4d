/**
 * Writes a simulated survey beside its truth: `<dir>/<name>.csv` and `<dir>/<name>.truth.json`.
 * Each file is written to a temporary name and renamed into place, so a crash never leaves a
 * half-written file under the final name.
 */

import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PlumetraceError } from '../core/errors.ts';
import { type InSituSurvey, surveyToCsv } from './insitu-survey.ts';

export interface WrittenSurvey {
  csvPath: string;
  truthPath: string;
}

function writeAtomic(path: string, text: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, text, 'utf8');
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/** Writes `<name>.csv` (surveyToCsv) and `<name>.truth.json` in `dir` (created if needed). */
export function writeSurvey(dir: string, name: string, survey: InSituSurvey): WrittenSurvey {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) {
    throw new PlumetraceError(
      'PT_ERR_BAD_REQUEST',
      `survey name "${name}" must be a plain file name (letters, digits, . _ -)`,
    );
  }
  mkdirSync(dir, { recursive: true });
  const csvPath = join(dir, `${name}.csv`);
  const truthPath = join(dir, `${name}.truth.json`);
  writeAtomic(csvPath, surveyToCsv(survey.series));
  writeAtomic(truthPath, `${JSON.stringify(survey.truth, null, 2)}\n`);
  return { csvPath, truthPath };
}
