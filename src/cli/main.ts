/**
 * The `plumetrace` command. Each subcommand has --help; errors print one clear line and exit
 * with the code registered for them in src/core/errors.ts (see docs/errors.md).
 */
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { createInterface } from 'node:readline';
import { Command, CommanderError, Option } from 'commander';
import { ERROR_CODES, PlumetraceError, isPlumetraceError } from '../core/errors.ts';
import { type SteOptions, type SteResult, estimateSources } from '../core/inversion/ste.ts';
import { STABILITY_CLASSES, type StabilityClass } from '../core/types.ts';
import { readJurisdictionFile } from '../io/geojson/jurisdictions.ts';
import { readPopulationFile } from '../io/geojson/population.ts';
import { readObservationFile } from '../io/observations.ts';
import { buildDemo } from '../pipeline/demo.ts';
import { DEMO_USERS } from '../pipeline/demo-workflow.ts';
import {
  DEFAULT_SEGMENT_LINES,
  detectScene,
  IMAGING_METHODS,
  type ImagingMethod,
  type SceneDetection,
  storeSceneDetections,
} from '../pipeline/imaging.ts';
import { ingestInSituFile, processInSituAcquisition } from '../pipeline/insitu.ts';
import { cubeIsThermal, detectLwirScene, LWIR_WINDOW_NM } from '../pipeline/lwir-imaging.ts';
import {
  EXAMPLE_PROFILES_PATH,
  loadSignatureProfiles,
  readSignatureProfiles,
  resolveProfilesPath,
} from '../pipeline/signature-profiles.ts';
import type { SignatureProfile } from '../core/spectral/signature-profiles.ts';
import { openStore, verifyAuditChain } from '../store/index.ts';
import type { Jurisdiction, Role, Store } from '../store/types.ts';
import { resolveDb, resolveHost, resolvePort } from './config.ts';
import { progress } from './progress.ts';

const out = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (e) {
    return reportError(e);
  }
}

function reportError(e: unknown): number {
  if (e instanceof CommanderError) {
    if (e.exitCode === 0) return 0; // --help, --version
    process.stderr.write(`error: ${ERROR_CODES.PT_ERR_USAGE.message}: ${e.message.replace(/^error: /, '')}\n`);
    return ERROR_CODES.PT_ERR_USAGE.exitCode;
  }
  if (isPlumetraceError(e)) {
    process.stderr.write(`error: ${e.message}\n`);
    return e.exitCode;
  }
  const err = e as Error;
  process.stderr.write(`error: PT_ERR_INTERNAL: ${err?.message ?? String(e)}\n`);
  if (process.env.PLUMETRACE_DEBUG) process.stderr.write(`${err?.stack ?? ''}\n`);
  return ERROR_CODES.PT_ERR_INTERNAL.exitCode;
}

const dbOption = () =>
  new Option('--db <path>', 'SQLite database file (env PLUMETRACE_DB; default var/plumetrace.sqlite)');
const hostOption = () => new Option('--host <host>', 'interface to listen on (env HOST; default 127.0.0.1)');
const portOption = () => new Option('--port <port>', 'port to listen on (env PORT; default 8080)');

function locatorOptions(o: LocatorFlags): SteOptions {
  const opts: SteOptions = {};
  if (o.stability !== undefined) {
    const s = o.stability.toUpperCase();
    if (!STABILITY_CLASSES.includes(s as StabilityClass)) {
      throw new PlumetraceError('PT_ERR_USAGE', `--stability must be one of A..F, not "${o.stability}"`);
    }
    opts.stabilityPrior = { [s]: 1 };
  }
  const num = (raw: string, flag: string, min: number, max: number): number => {
    const v = Number(raw);
    if (!Number.isFinite(v) || v < min || v > max) {
      throw new PlumetraceError('PT_ERR_USAGE', `${flag} must be a number in [${min}, ${max}], not "${raw}"`);
    }
    return v;
  };
  if ((o.windSpeed === undefined) !== (o.windFromDeg === undefined)) {
    throw new PlumetraceError('PT_ERR_USAGE', '--wind-speed and --wind-from-deg go together');
  }
  if (o.windSpeed !== undefined && o.windFromDeg !== undefined) {
    opts.wind = {
      speedMps: num(o.windSpeed, '--wind-speed', 0, 60),
      toDeg: (num(o.windFromDeg, '--wind-from-deg', 0, 360) + 180) % 360,
    };
  }
  if (o.area !== undefined) {
    const parts = o.area.split(',').map(Number);
    if (parts.length !== 4 || parts.some((v) => !Number.isFinite(v)) || parts[0] >= parts[2] || parts[1] >= parts[3]) {
      throw new PlumetraceError('PT_ERR_USAGE', `--area must be minLon,minLat,maxLon,maxLat, not "${o.area}"`);
    }
    opts.area = parts as [number, number, number, number];
  }
  if (o.maxSources !== undefined) opts.maxSources = Math.round(num(o.maxSources, '--max-sources', 0, 2));
  if (o.heightMax !== undefined) opts.heightMaxM = num(o.heightMax, '--height-max', 0.1, 500);
  if (o.windHeight !== undefined) opts.windHeightM = num(o.windHeight, '--wind-height', 0.5, 500);
  if (o.seed !== undefined) opts.seed = Math.round(num(o.seed, '--seed', 0, 2 ** 32));
  return opts;
}

/** A human summary of an estimate, a line each. */
function describe(r: SteResult): string[] {
  const d = r.diagnostics;
  const p = r.sourceCountProbabilities;
  const classes = Object.entries(d.stabilityPosterior)
    .map(([c, v]) => `${c} ${(v ?? 0).toFixed(2)}`)
    .join(', ');
  const lines = [
    `${r.gas}: ${d.sampleCount} samples (${d.pathSamples} path), background ${r.backgroundPpm.toFixed(3)} ppm, wind ${d.windSpeedMps.toFixed(1)} m/s from ${d.windFromDeg.toFixed(0)}°`,
    `P(no source) ${p['0'].toFixed(3)}, P(one) ${p['1'].toFixed(3)}, P(two) ${p['2'].toFixed(3)}; stability ${classes || 'n/a'}`,
  ];
  if (r.sources.length === 0) lines.push('no source found');
  for (const s of r.sources) {
    const e = s.locationCi90;
    lines.push(
      `source at ${s.lat.toFixed(6)}, ${s.lon.toFixed(6)} (90%: ${e.semiMajorM.toFixed(1)} × ${e.semiMinorM.toFixed(1)} m, azimuth ${e.azimuthDeg.toFixed(0)}°), height ${s.heightM.toFixed(1)} m: ${s.rateKgPerHour.toFixed(2)} kg/h (90%: ${s.rateKgPerHourCi90[0].toFixed(2)}–${s.rateKgPerHourCi90[1].toFixed(2)})`,
    );
  }
  return lines;
}

interface LocatorFlags {
  stability?: string;
  windSpeed?: string;
  windFromDeg?: string;
  area?: string;
  maxSources?: string;
  heightMax?: string;
  windHeight?: string;
  seed?: string;
}

function addLocatorFlags(cmd: Command): Command {
  return cmd
    .option('--stability <class>', 'Pasquill–Gifford stability class A..F (default D)')
    .option('--wind-speed <m/s>', 'mean wind speed at 10 m, when the rows carry no wind')
    .option('--wind-from-deg <deg>', 'bearing the wind comes from (meteorological), with --wind-speed')
    .option('--area <bbox>', 'search bounds minLon,minLat,maxLon,maxLat (default: around the samples)')
    .option('--max-sources <n>', 'largest number of simultaneous sources considered, 0..2', '2')
    .option('--height-max <m>', 'upper bound of the release-height prior (m)', '10')
    .option('--wind-height <m>', 'height above ground of the wind measurement (m)', '10')
    .option('--seed <n>', 'seed of the sampler (a seed gives the same result every time)', '1');
}

async function withStore<T>(db: string, fn: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore(db);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/**
 * Serves until Ctrl-C. The session cookie is marked Secure (HTTPS only) unless the server listens on
 * a loopback address only, where plain http is the normal local use and nothing leaves the machine.
 */
async function serveUntilStopped(
  store: Store,
  host: string,
  port: number,
  secureCookies?: boolean,
  signatureProfiles: readonly SignatureProfile[] = [],
): Promise<void> {
  const { startServer } = await import('../server/app.ts');
  const secure = secureCookies === true || !LOOPBACK.has(host.toLowerCase());
  const server = await startServer({ store, host, port, auth: { secureCookies: secure }, signatureProfiles });
  out(`plumetrace is serving ${server.url}  (Ctrl-C to stop)`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await server.close();
}

const ROLES: readonly Role[] = ['admin', 'analyst', 'reviewer', 'partner', 'viewer'];
const MIN_PASSWORD_LENGTH = 12;

/** The first line of standard input, trimmed ('' when there is none). */
function readFirstStdinLine(): Promise<string> {
  return new Promise((resolve, reject) => {
    const rl = createInterface({ input: process.stdin, terminal: false });
    let done = false;
    rl.once('line', (line) => {
      done = true;
      rl.close();
      process.stdin.pause();
      resolve(line.trim());
    });
    rl.once('close', () => {
      if (!done) resolve('');
    });
    process.stdin.once('error', reject);
  });
}

function buildProgram(): Command {
  const program = new Command('plumetrace')
    .description('Find chemical emission sources from airborne sensor data.')
    .version('0.1.0')
    .exitOverride()
    .showHelpAfterError('(add --help for usage)')
    .configureOutput({ writeErr: (s) => process.stderr.write(s.startsWith('error:') ? '' : s) });

  program
    .command('demo')
    .description(
      'Build the demo campaign (simulated drone surveys) into the database; with --serve, then serve the app.',
    )
    .addOption(dbOption())
    .option('--out <dir>', 'where the simulated survey files are written', 'var/demo')
    .option('--serve', 'serve the app when the demo is built')
    .option(
      '--profiles <file>',
      'signature-profile file (env PLUMETRACE_SIGNATURE_PROFILES; default config/signature-profiles.json, else the shipped example)',
    )
    .addOption(hostOption())
    .addOption(portOption())
    .exitOverride()
    .action(
      async (o: { db?: string; out: string; serve?: boolean; host?: string; port?: string; profiles?: string }) => {
        const db = resolveDb(o.db);
        const host = resolveHost(o.host);
        const port = resolvePort(o.port);
        // The demo shows the example profiles unless the user has a profile file of their own.
        const profiles = await readSignatureProfiles((await resolveProfilesPath(o.profiles)) ?? EXAMPLE_PROFILES_PATH);
        const store = await openStore(db);
        try {
          const bar = progress('Building demo campaign');
          // Unset or empty: a password is generated and printed.
          const given = process.env.PLUMETRACE_DEMO_PASSWORD || undefined;
          if (given !== undefined && given.length < MIN_PASSWORD_LENGTH)
            throw new PlumetraceError(
              'PT_ERR_PASSWORD_WEAK',
              `PLUMETRACE_DEMO_PASSWORD has ${given.length} characters; at least ${MIN_PASSWORD_LENGTH} are needed`,
            );
          const password = given ?? randomBytes(12).toString('base64url');
          const { hashPassword } = await import('../server/auth/password.ts');
          const summary = await buildDemo(store, {
            dir: o.out,
            onProgress: (f, label) => bar.update(f, label),
            people: { password, hashPassword },
            profiles,
          });
          bar.done(`${summary.sites} sites from ${summary.flights} flights`);
          out(`demo campaign "${summary.campaign}" is in ${db}: ${summary.flights} flights, ${summary.sites} sites`);
          const created = summary.people?.createdUsers ?? [];
          if (created.length > 0) {
            out(`demo users (password ${given !== undefined ? 'from PLUMETRACE_DEMO_PASSWORD' : `"${password}"`}):`);
            for (const u of DEMO_USERS)
              out(`  ${u.email.padEnd(26)} ${u.role}${u.org === 'partner' ? ' (partner)' : ''}`);
          } else {
            out('demo users already exist; their passwords are unchanged');
          }
          if (o.serve) await serveUntilStopped(store, host, port, undefined, profiles);
        } finally {
          await store.close();
        }
      },
    );

  program
    .command('serve')
    .description('Serve the map app and the REST API.')
    .addOption(dbOption())
    .addOption(hostOption())
    .addOption(portOption())
    .option(
      '--secure-cookies',
      'mark the session cookie Secure (HTTPS only) on a loopback address too; always so on any other address',
    )
    .option(
      '--profiles <file>',
      'signature-profile file scored on each site (env PLUMETRACE_SIGNATURE_PROFILES; default config/signature-profiles.json when present)',
    )
    .exitOverride()
    .action(async (o: { db?: string; host?: string; port?: string; secureCookies?: boolean; profiles?: string }) => {
      const port = resolvePort(o.port);
      const profiles = await loadSignatureProfiles(o.profiles);
      await withStore(resolveDb(o.db), (store) =>
        serveUntilStopped(store, resolveHost(o.host), port, o.secureCookies, profiles),
      );
    });

  addLocatorFlags(
    program
      .command('ingest')
      .description('Store in-situ CSV files (each whole or not at all), then locate their sources and update sites.')
      .argument(
        '<files...>',
        'in-situ CSV files (columns time, lat, lon, alt_m, ppm; optional wind_u, wind_v, sigma_ppm, gas)',
      )
      .addOption(dbOption())
      .option('--campaign <name>', 'campaign to file the flights under', 'Unassigned')
      .addOption(
        new Option('--platform <kind>', 'platform that carried the sensor')
          .choices(['drone', 'aircraft', 'ground'])
          .default('drone'),
      )
      .option('--no-process', 'only store; do not locate sources'),
  )
    .exitOverride()
    .action(
      async (
        files: string[],
        o: LocatorFlags & {
          db?: string;
          campaign: string;
          platform: 'drone' | 'aircraft' | 'ground';
          process: boolean;
        },
      ) => {
        const locOpts = locatorOptions(o);
        let firstError: unknown;
        await withStore(resolveDb(o.db), async (store) => {
          const bar = progress(`Ingesting ${files.length} file${files.length === 1 ? '' : 's'}`);
          const lines: string[] = [];
          let i = 0;
          for (const file of files) {
            try {
              const r = await ingestInSituFile(store, file, { campaign: o.campaign, platform: o.platform });
              if (!r.stored) {
                lines.push(`${file}: already stored (acquisition ${r.acquisitionId}); nothing new stored`);
              } else {
                lines.push(`${file}: stored ${r.sampleCount} ${r.gas} samples (acquisition ${r.acquisitionId})`);
                if (o.process) {
                  const p = await processInSituAcquisition(store, r.acquisitionId, locOpts);
                  if (p.result) for (const l of describe(p.result)) lines.push(`  ${l}`);
                  for (const site of p.sites)
                    lines.push(`  → site "${site.name}" (${site.detectionCount} detection(s))`);
                }
              }
            } catch (e) {
              firstError ??= e;
              lines.push(`${file}: ${isPlumetraceError(e) ? e.message : (e as Error).message}`);
            }
            bar.update(++i / files.length, file);
          }
          bar.done(`${files.length} done`);
          for (const l of lines) out(l);
        });
        if (firstError) throw firstError;
      },
    );

  addLocatorFlags(
    program
      .command('locate')
      .description(
        'Locate the emission source(s) of one observation file (in-situ CSV or PX4 ULog) with their uncertainty; stores nothing.',
      )
      .argument('<file>', 'in-situ CSV (point or path rows) or PX4 ULog file')
      .option('--json <out.json>', 'also write the result as JSON to this file ("-" for stdout)'),
  )
    .exitOverride()
    .action(async (file: string, o: LocatorFlags & { json?: string }) => {
      const locOpts = locatorOptions(o);
      const { series, warnings } = await readObservationFile(file);
      for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
      const bar = progress('Locating source');
      const result = estimateSources(series, { ...locOpts, onProgress: (f) => bar.update(f) });
      bar.done(`${result.sources.length} source(s) in ${result.elapsedMs.toFixed(0)} ms`);
      const json = `${JSON.stringify(result, null, 2)}\n`;
      if (o.json === '-') {
        process.stdout.write(json);
        return;
      }
      for (const l of describe(result)) out(l);
      if (o.json) {
        await writeFile(o.json, json);
        out(`wrote ${o.json}`);
      }
    });

  program
    .command('detect')
    .description(
      'Detect gas plumes in an imaging-spectrometer radiance cube (ENVI): methane in a shortwave cube (2.1–2.45 µm), solvents and other gases in a thermal one (7–14 µm, told by the header wavelengths). Writes the ppm·m map(s), the plume outlines (GeoJSON) and a summary; stores the scene and its plumes unless --no-store.',
    )
    .argument('<radiance>', 'ENVI radiance header (.hdr) or its data file; needs band wavelengths')
    .option(
      '--gas <gas>',
      'shortwave: CH4 (the default and only gas); thermal: auto (default, the whole gas library) or NAME[,NAME] (names, file stems or CAS numbers)',
    )
    .option(
      '--radiance-units <units>',
      'thermal: radiance units of the cube when the header has no `data units` (or to override it); default uW/(cm^2 sr cm^-1)',
    )
    .option(
      '--gas-library <dir>',
      'thermal: a folder of extra JCAMP-DX / .xsc gas spectra added to the shipped library (env PLUMETRACE_GAS_LIBRARY)',
    )
    .option(
      '--profiles <file>',
      'thermal: signature-profile file (env PLUMETRACE_SIGNATURE_PROFILES; default config/signature-profiles.json when present)',
    )
    .option('--method <method>', `detector: ${IMAGING_METHODS.join(' | ')}`, 'cmf')
    .option('--wind-speed <m/s>', '10 m wind speed; without it no emission rates are given (null)')
    .option('--wind-from-deg <deg>', 'direction the wind blows from (clockwise from north); picks the upwind origin')
    .option('--pixel-size <m>', 'pixel size for a cube without metric map info')
    .option(
      '--segment-lines <n>',
      `shortwave: most lines detected at once (default ${DEFAULT_SEGMENT_LINES}, at least 128); a longer flightline is detected in overlapping along-track windows, so memory stays bounded`,
    )
    .option('--time <iso>', 'acquisition time (default: the data file modification time)')
    .option('--out <dir>', 'where the outputs are written', '.')
    .addOption(dbOption())
    .option('--campaign <name>', 'campaign to file the flight under', 'Unassigned')
    .option('--no-store', 'only write the outputs; store nothing')
    .exitOverride()
    .action(
      async (
        file: string,
        o: {
          gas?: string;
          radianceUnits?: string;
          gasLibrary?: string;
          profiles?: string;
          method: string;
          windSpeed?: string;
          windFromDeg?: string;
          pixelSize?: string;
          segmentLines?: string;
          time?: string;
          out: string;
          db?: string;
          campaign: string;
          store: boolean;
        },
      ) => {
        if (!(IMAGING_METHODS as readonly string[]).includes(o.method)) {
          throw new PlumetraceError(
            'PT_ERR_USAGE',
            `--method must be one of ${IMAGING_METHODS.join(', ')}, not "${o.method}"`,
          );
        }
        const num = (v: string | undefined, flag: string): number | undefined => {
          if (v === undefined) return undefined;
          const x = Number(v);
          if (v.trim() === '' || !Number.isFinite(x))
            throw new PlumetraceError('PT_ERR_USAGE', `${flag} must be a number, not "${v}"`);
          return x;
        };
        if (o.time !== undefined && Number.isNaN(Date.parse(o.time))) {
          throw new PlumetraceError('PT_ERR_USAGE', `--time must be an ISO-8601 time, not "${o.time}"`);
        }
        const windSpeedMps = num(o.windSpeed, '--wind-speed');
        const windFromDeg = num(o.windFromDeg, '--wind-from-deg');
        const pixelSizeM = num(o.pixelSize, '--pixel-size');
        const segmentLines = num(o.segmentLines, '--segment-lines');
        const store = async (det: SceneDetection): Promise<void> => {
          if (!o.store) return;
          await withStore(resolveDb(o.db), async (db) => {
            const r = await storeSceneDetections(db, det, {
              campaign: o.campaign,
              ...(o.time !== undefined ? { acquisitionTime: new Date(o.time).toISOString() } : {}),
            });
            out(
              r.stored
                ? `stored the scene (acquisition ${r.acquisitionId}) and ${r.detectionsRecorded} detection(s)`
                : `the scene was already stored (acquisition ${r.acquisitionId}); ${r.detectionsRecorded} new detection(s)`,
            );
            for (const site of r.sites) out(`  → site "${site.name}" (${site.detectionCount} detection(s))`);
          });
        };
        if (await cubeIsThermal(file)) {
          // Rates and detector choice belong to the methane path; say so rather than ignore them silently.
          const shortwaveOnly = [
            o.method !== 'cmf' ? '--method' : null,
            o.windSpeed !== undefined ? '--wind-speed' : null,
            o.windFromDeg !== undefined ? '--wind-from-deg' : null,
            o.pixelSize !== undefined ? '--pixel-size' : null,
            o.segmentLines !== undefined ? '--segment-lines' : null,
          ].filter((f): f is string => f !== null);
          if (shortwaveOnly.length > 0)
            process.stderr.write(
              `warning: ${shortwaveOnly.join(', ')} ${shortwaveOnly.length === 1 ? 'applies' : 'apply'} to shortwave (methane) cubes only; ignored for this thermal cube\n`,
            );
          const gasLibrary = o.gasLibrary ?? (process.env.PLUMETRACE_GAS_LIBRARY || undefined);
          const profiles = await loadSignatureProfiles(o.profiles);
          const bar = progress('Detecting gas plumes (thermal)');
          const det = await detectLwirScene(file, {
            outDir: o.out,
            ...(o.gas !== undefined ? { gas: o.gas } : {}),
            ...(o.radianceUnits !== undefined ? { radianceUnits: o.radianceUnits } : {}),
            ...(gasLibrary !== undefined ? { gasLibraryDirs: [gasLibrary] } : {}),
            profiles,
            onProgress: (f, label) => bar.update(f, label),
          });
          bar.done(`${det.plumes.length} plume(s)`);
          const s = det.summary as { bandsUsed: number; candidateGases: unknown[] };
          out(
            `${det.name}: ${det.plumes.length} gas plume(s) (thermal, ${s.bandsUsed} bands, ${s.candidateGases.length} candidate gases)`,
          );
          for (const p of det.plumes) {
            const where =
              p.originLat !== null && p.originLon !== null
                ? `${p.originLat.toFixed(5)}, ${p.originLon.toFixed(5)}`
                : `line ${p.originLine}, sample ${p.originSample}`;
            const gases = (p.gases ?? [])
              .map((g) => `${g.name} ${(100 * g.confidence).toFixed(0)}% ${g.columnPpmM.toFixed(0)} ppm·m`)
              .join(' + ');
            const prof = p.profiles?.[0] ? `; profile "${p.profiles[0].name}" ${p.profiles[0].score.toFixed(2)}` : '';
            out(
              `  origin ${where}: ${gases}; max ${p.maxEnhancementPpmM.toFixed(0)} ppm·m, score ${p.score.toFixed(1)}${prof}`,
            );
          }
          for (const f of [
            ...Object.values(det.outputs.columnHeaderPaths ?? {}),
            det.outputs.geojsonPath,
            det.outputs.summaryPath,
          ])
            out(`wrote ${f}`);
          await store(det);
          return;
        }
        if (o.gas !== undefined && o.gas.trim().toUpperCase() !== 'CH4') {
          throw new PlumetraceError(
            'PT_ERR_LWIR_WAVELENGTHS',
            `--gas ${o.gas} needs a thermal cube (most band centres in ${LWIR_WINDOW_NM[0] / 1000}–${LWIR_WINDOW_NM[1] / 1000} µm); this one is not, and a shortwave cube is searched for CH4 only`,
            { file },
          );
        }
        if (o.radianceUnits !== undefined) {
          throw new PlumetraceError('PT_ERR_USAGE', '--radiance-units applies to thermal cubes only');
        }
        const bar = progress('Detecting plumes');
        const det = await detectScene(file, {
          outDir: o.out,
          gas: o.gas ?? 'CH4',
          method: o.method as ImagingMethod,
          ...(windSpeedMps !== undefined ? { windSpeedMps } : {}),
          ...(windFromDeg !== undefined ? { windFromDeg } : {}),
          ...(pixelSizeM !== undefined ? { pixelSizeM } : {}),
          ...(segmentLines !== undefined ? { segmentLines } : {}),
          onProgress: (f, label) => bar.update(f, label),
        });
        bar.done(`${det.plumes.length} plume(s)`);
        out(
          `${det.name}: ${det.plumes.length} ${det.gas} plume(s) (${det.method}, bands ${(det.summary.bandWindowNm as number[]).join('–')} nm)`,
        );
        for (const p of det.plumes) {
          const where =
            p.originLat !== null && p.originLon !== null
              ? `${p.originLat.toFixed(5)}, ${p.originLon.toFixed(5)}`
              : `line ${p.originLine}, sample ${p.originSample}`;
          const rate =
            p.rateKgPerHour !== null && p.rateSigmaKgPerHour !== null
              ? `${p.rateKgPerHour.toFixed(0)} ± ${p.rateSigmaKgPerHour.toFixed(0)} kg/h`
              : 'rate not computed (no --wind-speed)';
          const ime = p.imeKg !== null ? `IME ${p.imeKg.toFixed(1)} kg` : 'IME not computed (no pixel size)';
          out(`  origin ${where}: max ${p.maxEnhancementPpmM.toFixed(0)} ppm·m, ${ime}, ${rate}`);
        }
        for (const f of [det.outputs.enhancementHeaderPath, det.outputs.geojsonPath, det.outputs.summaryPath])
          out(`wrote ${f}`);
        await store(det);
      },
    );

  const audit = program.command('audit').description('The append-only, hash-chained audit log.');
  audit
    .command('verify')
    .description(
      'Check the audit log hash chain: exits 0 when intact, otherwise names the first changed, deleted or reordered event.',
    )
    .addOption(dbOption())
    .exitOverride()
    .action(async (o: { db?: string }) => {
      await withStore(resolveDb(o.db), async (store) => {
        const verdict = verifyAuditChain(await store.listAudit());
        if (!verdict.ok) {
          throw new PlumetraceError(
            'PT_ERR_AUDIT_BROKEN',
            `first bad event: seq ${verdict.seq}, id ${verdict.id}, problem ${verdict.problem}`,
          );
        }
        out(`audit chain intact: ${verdict.count} events`);
      });
    });
  audit.exitOverride();

  const org = program.command('org').description('Organizations (analyst agencies and partner authorities).');
  org
    .command('add')
    .description('Add an organization, with the jurisdiction polygons of a GeoJSON file.')
    .argument('<name>', 'organization name (unique)')
    .option(
      '--jurisdiction <file.geojson>',
      'Polygon/MultiPolygon geometry, Feature or FeatureCollection; each polygon feature becomes a jurisdiction named from its "name" property or the file name',
    )
    .addOption(new Option('--kind <kind>', 'kind of organization').choices(['analyst', 'partner']).default('analyst'))
    .addOption(dbOption())
    .exitOverride()
    .action(async (name: string, o: { jurisdiction?: string; kind: 'analyst' | 'partner'; db?: string }) => {
      const trimmed = name.trim();
      if (!trimmed) throw new PlumetraceError('PT_ERR_USAGE', 'the organization name is empty');
      const jurisdictions = o.jurisdiction ? await readJurisdictionFile(o.jurisdiction) : [];
      await withStore(resolveDb(o.db), async (store) => {
        if (await store.findOrganizationByName(trimmed)) {
          throw new PlumetraceError('PT_ERR_ALREADY_EXISTS', `organization "${trimmed}" exists already`);
        }
        const created = await store.createOrganization({ name: trimmed, kind: o.kind }, jurisdictions, {
          audit: { actorUserId: null },
        });
        const js: Jurisdiction[] = await store.listJurisdictions(created.id);
        out(`organization "${created.name}" (${created.kind}) added: ${created.id}`);
        for (const j of js) out(`  jurisdiction "${j.name}" (${j.geometry.type})`);
      });
    });
  org.exitOverride();

  const population = program
    .command('population')
    .description('Population or building data: people near a site raise the urgency of its referral.');
  population
    .command('load')
    .description(
      'Load a GeoJSON FeatureCollection of Points (or building Polygons) with a "people" count each; replaces the dataset of the same name.',
    )
    .argument('<file.geojson>', 'the population or building file')
    .requiredOption('--org <name>', 'the analyst organization that loads it')
    .option('--dataset <name>', 'dataset name (default: the file name)')
    .addOption(dbOption())
    .exitOverride()
    .action(async (file: string, o: { org: string; dataset?: string; db?: string }) => {
      const points = await readPopulationFile(file);
      await withStore(resolveDb(o.db), async (store) => {
        const organization = await store.findOrganizationByName(o.org);
        if (!organization) throw new PlumetraceError('PT_ERR_NOT_FOUND', `no organization "${o.org}"`);
        const dataset = o.dataset ?? basename(file);
        const r = await store.loadPopulation(organization.id, dataset, points, { actorUserId: null });
        out(`population dataset "${dataset}" loaded for ${organization.name}: ${r.points} points, ${r.people} people`);
      });
    });
  population.exitOverride();

  const user = program.command('user').description("The platform's user accounts.");
  user
    .command('add')
    .description(
      'Add a user to an organization; the password is the first line of standard input (at least 12 characters).',
    )
    .argument('<email>', "the user's email address (unique)")
    .requiredOption('--org <name>', 'name of the organization the user belongs to')
    .addOption(new Option('--role <role>', 'role of the user').choices(ROLES).makeOptionMandatory())
    .option('--name <display name>', 'display name (default: the email address)')
    .addOption(dbOption())
    .exitOverride()
    .action(async (email: string, o: { org: string; role: Role; name?: string; db?: string }) => {
      const addr = email.trim().toLowerCase();
      if (!/^[^\s@]+@[^\s@]+$/.test(addr)) {
        throw new PlumetraceError('PT_ERR_USAGE', `"${email}" is not an email address`);
      }
      const password = await readFirstStdinLine();
      if (password.length < MIN_PASSWORD_LENGTH) {
        throw new PlumetraceError(
          'PT_ERR_PASSWORD_WEAK',
          password.length === 0
            ? 'no password on standard input (give it as the first line)'
            : `the password has ${password.length} characters; at least ${MIN_PASSWORD_LENGTH} are needed`,
        );
      }
      const { hashPassword } = await import('../server/auth/password.ts');
      await withStore(resolveDb(o.db), async (store) => {
        const organization = await store.findOrganizationByName(o.org.trim());
        if (!organization) throw new PlumetraceError('PT_ERR_NOT_FOUND', `organization "${o.org}" does not exist`);
        if (await store.findUserByEmail(addr)) {
          throw new PlumetraceError('PT_ERR_ALREADY_EXISTS', `a user with email ${addr} exists already`);
        }
        const created = await store.createUser(
          {
            organizationId: organization.id,
            email: addr,
            displayName: o.name?.trim() || addr,
            role: o.role,
            passwordHash: await hashPassword(password),
          },
          { audit: { actorUserId: null } },
        );
        out(`user ${created.email} (${created.role}) added to "${organization.name}": ${created.id}`);
      });
    });
  user.exitOverride();

  const token = program.command('token').description('API tokens (Authorization: Bearer <token>).');
  const userByEmail = async (store: Store, email: string) => {
    const u = await store.findUserByEmail(email);
    if (!u) throw new PlumetraceError('PT_ERR_NOT_FOUND', `no user with email ${email.trim().toLowerCase()}`);
    return u;
  };
  token
    .command('create')
    .description('Create an API token for a user and print it; it is shown only this once (only its hash is stored).')
    .argument('<email>', 'the user the token acts as')
    .addOption(dbOption())
    .exitOverride()
    .action(async (email: string, o: { db?: string }) => {
      await withStore(resolveDb(o.db), async (store) => {
        const u = await userByEmail(store, email);
        const created = await store.createApiToken(u.id);
        out(created.token);
      });
    });
  token
    .command('revoke')
    .description('Revoke every API token of a user (they stop working at once; the rows stay for the audit).')
    .argument('<email>', 'the user whose tokens are revoked')
    .addOption(dbOption())
    .exitOverride()
    .action(async (email: string, o: { db?: string }) => {
      await withStore(resolveDb(o.db), async (store) => {
        const u = await userByEmail(store, email);
        const n = await store.revokeApiTokens(u.id);
        out(`${n} API token${n === 1 ? '' : 's'} of ${u.email} revoked`);
      });
    });
  token.exitOverride();

  return program;
}
