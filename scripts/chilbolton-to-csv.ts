// Converts the Chilbolton 2017 controlled release rel02 into plumetrace's in-situ CSV (one path row
// per beam and UTC minute) and writes its ground truth beside it (<out>.truth.json).
//
//   node --import tsx scripts/chilbolton-to-csv.ts <datasetDir> <out.csv>
//
// <datasetDir> is a copy of the dataset such as data/chilbolton_ch4_2017. Both files are written to
// temporary names first and renamed at the end, so a failure leaves neither half-written.
// See src/io/chilbolton/README.md for the choices (clock, wind frame, anchor, statistics).
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { PlumetraceError } from '../src/core/errors.ts';
import { convertChilboltonRelease } from '../src/io/chilbolton/convert.ts';

function main(argv: string[]): void {
  if (argv.length !== 2 || argv.some((a) => a.startsWith('-'))) {
    throw new PlumetraceError('PT_ERR_USAGE', 'usage: chilbolton-to-csv.ts <datasetDir> <out.csv>');
  }
  const [dir, out] = argv;
  const truthPath = out.toLowerCase().endsWith('.csv') ? `${out.slice(0, -4)}.truth.json` : `${out}.truth.json`;
  const result = convertChilboltonRelease(dir, 'rel02');
  const json = `${JSON.stringify({ ...result.truth, meta: result.meta, warnings: result.warnings }, null, 2)}\n`;
  const tmpCsv = `${out}.tmp-${process.pid}`;
  const tmpJson = `${truthPath}.tmp-${process.pid}`;
  try {
    writeFileSync(tmpCsv, result.csv);
    writeFileSync(tmpJson, json);
    renameSync(tmpCsv, out);
    renameSync(tmpJson, truthPath);
  } catch (e) {
    rmSync(tmpCsv, { force: true });
    rmSync(tmpJson, { force: true });
    throw new PlumetraceError('PT_ERR_INTERNAL', `cannot write ${out}: ${(e as Error).message}`, { file: out });
  }
  for (const w of result.warnings) process.stderr.write(`warning: ${w}\n`);
  process.stdout.write(
    `wrote ${result.meta.rows} rows to ${out} and the truth to ${truthPath} ` +
      `(release window ${result.truth.releaseWindow.start} – ${result.truth.releaseWindow.end}, ` +
      `scale rate ${result.truth.scaleRateKgPerHour ?? '?'} kg/h, wind ${result.meta.windConvention})\n`,
  );
}

try {
  main(process.argv.slice(2));
} catch (e) {
  if (e instanceof PlumetraceError) {
    process.stderr.write(`${e.message}\n`);
    process.exit(e.exitCode);
  }
  throw e;
}
