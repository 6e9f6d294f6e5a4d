/**
 * The plumetrace command end to end, as a user runs it: a real process, real files, a real
 * SQLite database. Checks the demo's located sources against the simulator's truth, and that
 * malformed input gets its registered exit code, names the file and line, and stores nothing.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../src/core/errors.ts';
import { distanceM } from '../../src/core/geo/local-frame.ts';
import { REFERRED_STATES, WORKFLOW_STATUSES } from '../../src/core/workflow/machine.ts';
import { DEMO_SURVEYS } from '../../src/pipeline/demo.ts';
import { DEMO_PARTNER, DEMO_STATES, DEMO_USERS } from '../../src/pipeline/demo-workflow.ts';
import { verifyPassword } from '../../src/server/auth/password.ts';
import { openStore, verifyAuditChain } from '../../src/store/index.ts';

const root = new URL('../..', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'plumetrace-cli-'));
const db = join(dir, 'db.sqlite');
const demoDir = join(dir, 'demo');

function cli(...args: (string | Record<string, string>)[]): { status: number; stdout: string; stderr: string } {
  const env = args.filter((a): a is Record<string, string> => typeof a !== 'string');
  const r = spawnSync(
    process.execPath,
    [join(root, 'bin/plumetrace.js'), ...args.filter((a) => typeof a === 'string')],
    {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, PLUMETRACE_DB: db, PLUMETRACE_NO_PROGRESS: '1', ...Object.assign({}, ...env) },
    },
  );
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

async function counts(): Promise<{ acquisitions: number; flights: number; sites: number }> {
  const store = await openStore(db);
  try {
    return {
      acquisitions: (await store.listAcquisitions()).length,
      flights: (await store.listFlights()).length,
      sites: (await store.listSites()).length,
    };
  } finally {
    await store.close();
  }
}

const DEMO_PASSWORD = 'demo password for tests';
let demoRun: { status: number; stdout: string; stderr: string };
beforeAll(() => {
  demoRun = cli('demo', '--out', demoDir, { PLUMETRACE_DEMO_PASSWORD: DEMO_PASSWORD });
  expect(demoRun.stderr).not.toContain('error');
  expect(demoRun.status).toBe(0);
});

/** Distinct simulated sources, plus the sites seen only from the air (C: SWIR, J: thermal). */
const DEMO_SITES = new Set(DEMO_SURVEYS.map((s) => `${s.config.source.lat},${s.config.source.lon}`)).size + 2;

describe('plumetrace demo', () => {
  it('stores every survey and the imaging scenes as flights; repeat observations of a source join its site', async () => {
    const c = await counts();
    expect(c.flights).toBe(DEMO_SURVEYS.length + 2); // and two imaging flights (SWIR, thermal)
    expect(c.sites).toBe(DEMO_SITES); // A (two surveys), B, D–I, and C and J seen only from the air
    expect(DEMO_SITES).toBe(10);
  });

  it('seeds an agency, a partner authority over the demo area, users of every role and a site in every workflow state', async () => {
    const store = await openStore(db);
    try {
      const sites = await store.listSites();
      expect(sites.map((s) => s.status).sort()).toEqual([...DEMO_STATES].sort());
      expect(new Set(sites.map((s) => s.status))).toEqual(new Set(WORKFLOW_STATUSES));
      const partner = await store.findOrganizationByName(DEMO_PARTNER);
      expect(partner?.kind).toBe('partner');
      const referred = await store.listReferrals({ organizationId: partner!.id });
      expect(referred.length).toBe(sites.filter((s) => REFERRED_STATES.includes(s.status)).length);
      expect(referred.every((r) => r.basis === 'jurisdiction')).toBe(true);
      const roles = new Set<string>();
      for (const u of DEMO_USERS) {
        const cred = await store.findUserCredentials(u.email);
        expect(cred?.passwordHash).toBeTruthy();
        expect(await verifyPassword(DEMO_PASSWORD, cred!.passwordHash!)).toBe(true);
        roles.add(cred!.user.role);
      }
      expect([...roles].sort()).toEqual(['admin', 'analyst', 'partner', 'reviewer', 'viewer']);
      expect(verifyAuditChain(await store.listAudit()).ok).toBe(true);
    } finally {
      await store.close();
    }
    // The password came from the environment: it is not printed.
    expect(demoRun.stdout).toContain('password from PLUMETRACE_DEMO_PASSWORD');
    expect(demoRun.stdout).not.toContain(DEMO_PASSWORD);
  });

  it('is idempotent: a second run stores nothing new and keeps the users and their passwords', async () => {
    const before = await counts();
    const again = cli('demo', '--out', demoDir);
    expect(again.status).toBe(0);
    expect(again.stdout).toContain('demo users already exist');
    expect(await counts()).toEqual(before);
  });

  it('generates and prints a password when none is given, and refuses a short one', async () => {
    const fresh = join(dir, 'fresh.sqlite');
    const short = cli('demo', '--out', join(dir, 'demo-fresh'), '--db', fresh, { PLUMETRACE_DEMO_PASSWORD: 'short' });
    expect(short.status).toBe(ERROR_CODES.PT_ERR_PASSWORD_WEAK.exitCode);
    const generated = cli('demo', '--out', join(dir, 'demo-fresh'), '--db', fresh, { PLUMETRACE_DEMO_PASSWORD: '' });
    expect(generated.status).toBe(0);
    const password = /password "([^"]+)"/.exec(generated.stdout)?.[1];
    expect(password?.length).toBeGreaterThanOrEqual(16);
    const store = await openStore(fresh);
    try {
      const cred = await store.findUserCredentials(DEMO_USERS[0]!.email);
      expect(await verifyPassword(password!, cred!.passwordHash!)).toBe(true);
    } finally {
      await store.close();
    }
  });
});

describe('plumetrace locate', () => {
  // Done-when of the Foundation issue: within 20 m and a factor of 2 of the simulator's truth.
  for (const { name } of DEMO_SURVEYS) {
    it(`locates the source of ${name} within 20 m and its rate within a factor of 2`, () => {
      const out = join(dir, `${name}.json`);
      const r = cli('locate', join(demoDir, `${name}.csv`), '--json', out);
      expect(r.status).toBe(0);
      const result = JSON.parse(readFileSync(out, 'utf8'));
      const truth = JSON.parse(readFileSync(join(demoDir, `${name}.truth.json`), 'utf8'));
      expect(result.gas).toBe('CH4');
      expect(typeof result.backgroundPpm).toBe('number');
      expect(typeof result.algorithmVersion).toBe('string');
      expect(result.elapsedMs).toBeGreaterThan(0);
      expect(result.sources).toHaveLength(1);
      const [s] = result.sources;
      const d = distanceM(s.lat, s.lon, truth.source.lat, truth.source.lon);
      const ratio = s.rateKgPerHour / truth.source.rateKgPerHour;
      expect(d).toBeLessThan(20);
      expect(ratio).toBeGreaterThan(0.5);
      expect(ratio).toBeLessThan(2);
    });
  }

  it('writes JSON to stdout with --json -', () => {
    const r = cli('locate', join(demoDir, `${DEMO_SURVEYS[0].name}.csv`), '--json', '-');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).sources).toHaveLength(1);
  });

  it('asks for the wind when the rows carry none', () => {
    const f = join(dir, 'nowind.csv');
    const lines = readFileSync(join(demoDir, `${DEMO_SURVEYS[0].name}.csv`), 'utf8')
      .trim()
      .split('\n');
    const header = lines[0].split(',');
    const keep = header.map((h, i) => (['wind_u', 'wind_v'].includes(h) ? -1 : i)).filter((i) => i >= 0);
    writeFileSync(f, lines.map((l) => keep.map((i) => l.split(',')[i]).join(',')).join('\n'));
    const r = cli('locate', f);
    expect(r.status).toBe(ERROR_CODES.PT_ERR_NO_WIND.exitCode);
    expect(r.stderr).toContain('PT_ERR_NO_WIND');
    const withWind = cli('locate', f, '--wind-speed', '3.5', '--wind-from-deg', '240', '--json', '-');
    expect(withWind.status).toBe(0);
    expect(JSON.parse(withWind.stdout).sources).toHaveLength(1);
  });
});

describe('malformed input', () => {
  const good = () => readFileSync(join(demoDir, `${DEMO_SURVEYS[0].name}.csv`), 'utf8');
  const cases: { name: string; content: () => string | Buffer; code: keyof typeof ERROR_CODES; line?: number }[] = [
    {
      name: 'missing-column.csv',
      content: () => good().replace('alt_m', 'altitude'),
      code: 'PT_ERR_CSV_MISSING_COLUMN',
      line: 1,
    },
    {
      name: 'bad-number.csv',
      content: () => {
        const l = good().split('\n');
        l[41] = l[41].replace(/,([0-9.]+),([-0-9.]+),([-0-9.]+),/, ',$1,abc,$3,');
        return l.join('\n');
      },
      code: 'PT_ERR_CSV_BAD_VALUE',
      line: 42,
    },
    { name: 'empty.csv', content: () => '', code: 'PT_ERR_FILE_EMPTY' },
    {
      name: 'not-csv.csv',
      content: () => readFileSync(join(root, 'node_modules/world-atlas/countries-110m.json')).subarray(0, 2000),
      code: 'PT_ERR_CSV_FORMAT',
    },
    {
      name: 'binary.csv',
      content: () => Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52]),
      code: 'PT_ERR_CSV_FORMAT',
    },
  ];

  for (const c of cases) {
    it(`${c.name}: exits ${ERROR_CODES[c.code].exitCode} (${c.code}), names the file${c.line ? ' and line' : ''}, stores nothing`, async () => {
      const f = join(dir, c.name);
      writeFileSync(f, c.content());
      const before = await counts();
      for (const cmd of ['locate', 'ingest']) {
        const r = cli(cmd, f);
        expect(r.status, r.stderr).toBe(ERROR_CODES[c.code].exitCode);
        expect(r.stderr).toContain(c.code);
        expect(r.stderr).toContain(f);
        if (c.line) expect(r.stderr).toContain(`line ${c.line}`);
        expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
      }
      expect(await counts()).toEqual(before);
    });
  }

  it('a zero-length beam, rows out of time order, all-NaN concentrations and a corrupt ULog get their registered codes', () => {
    const head = 'time,lat,lon,alt_m,ppm,wind_u,wind_v,kind,lat2,lon2,alt2_m';
    const cases: [string, string | Buffer, keyof typeof ERROR_CODES][] = [
      [
        'beam.csv',
        `${head}\n2017-05-09T10:27:30Z,51.1455,-1.4361,1.6,2.1,1,1,path,51.1455,-1.4361,1.6\n`,
        'PT_ERR_CSV_BAD_VALUE',
      ],
      [
        'order.csv',
        'time,lat,lon,alt_m,ppm\n2026-05-09T10:00:02Z,51,-1,2,2\n2026-05-09T10:00:01Z,51,-1,2,2\n',
        'PT_ERR_CSV_BAD_VALUE',
      ],
      [
        'nan.csv',
        `time,lat,lon,alt_m,ppm,wind_u,wind_v\n${Array.from({ length: 10 }, (_, i) => `2026-05-09T10:00:0${i}Z,51,-1,2,NaN,1,1`).join('\n')}\n`,
        'PT_ERR_TOO_FEW_SAMPLES',
      ],
      [
        'corrupt.ulg',
        readFileSync(join(root, 'src/io/ulog/fixtures/survey.ulg')).subarray(0, 5000),
        'PT_ERR_ULOG_CORRUPT',
      ],
    ];
    for (const [name, content, code] of cases) {
      const f = join(dir, name);
      writeFileSync(f, content);
      const r = cli('locate', f);
      expect(r.stderr).toContain(code);
      expect(r.status, `${name}: ${r.stderr}`).toBe(ERROR_CODES[code].exitCode);
    }
  });

  it('locates the source of a PX4 ULog flight', () => {
    const r = cli('locate', join(root, 'src/io/ulog/fixtures/survey.ulg'), '--json', '-');
    expect(r.status, r.stderr).toBe(0);
    // Truth of the fixture (src/io/ulog/fixtures/README.md): 6 kg/h at 47.4 N, 8.55 E.
    const [s] = JSON.parse(r.stdout).sources;
    expect(distanceM(s.lat, s.lon, 47.4, 8.55)).toBeLessThan(20);
    expect(s.rateKgPerHourCi90[0]).toBeLessThan(6);
    expect(s.rateKgPerHourCi90[1]).toBeGreaterThan(6);
  });

  it('a missing file is PT_ERR_FILE_NOT_FOUND', () => {
    const r = cli('locate', join(dir, 'nope.csv'));
    expect(r.status).toBe(ERROR_CODES.PT_ERR_FILE_NOT_FOUND.exitCode);
  });
});

describe('plumetrace ingest', () => {
  it('takes several files, stores the good ones, reports duplicates, and exits with the first error code', async () => {
    const fresh = join(dir, 'fresh.csv');
    // Same survey shifted by one hour: new content, same place — joins the existing site.
    writeFileSync(fresh, readFileSync(join(demoDir, `${DEMO_SURVEYS[2].name}.csv`), 'utf8').replaceAll('T13:', 'T14:'));
    const bad = join(dir, 'empty2.csv');
    writeFileSync(bad, '');
    const before = await counts();
    const r = cli('ingest', join(demoDir, `${DEMO_SURVEYS[0].name}.csv`), fresh, bad);
    expect(r.stdout).toContain('already stored');
    expect(r.stdout).toMatch(/fresh\.csv: stored \d+ CH4 samples/);
    expect(r.status).toBe(ERROR_CODES.PT_ERR_FILE_EMPTY.exitCode);
    const after = await counts();
    expect(after.acquisitions).toBe(before.acquisitions + 1);
    expect(after.sites).toBe(before.sites);
  });

  it('refuses a postgres URL for now with its registered code', () => {
    const r = cli('ingest', '--db', 'postgres://localhost/x', join(demoDir, `${DEMO_SURVEYS[0].name}.csv`));
    expect(r.status).toBe(ERROR_CODES.PT_ERR_DB_UNSUPPORTED.exitCode);
  });
});

describe('help and usage', () => {
  for (const cmd of ['demo', 'serve', 'ingest', 'locate']) {
    it(`${cmd} --help exits 0 and documents the command`, () => {
      const r = cli(cmd, '--help');
      expect(r.status).toBe(0);
      expect(r.stdout).toContain(`Usage: plumetrace ${cmd}`);
    });
  }
  it('a bad flag value is PT_ERR_USAGE', () => {
    const r = cli('locate', 'x.csv', '--stability', 'Q');
    expect(r.status).toBe(ERROR_CODES.PT_ERR_USAGE.exitCode);
  });
  it('an unknown command is PT_ERR_USAGE', () => {
    expect(cli('frobnicate').status).toBe(ERROR_CODES.PT_ERR_USAGE.exitCode);
  });
});
