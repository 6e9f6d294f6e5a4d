/**
 * The demo campaign: seeded, simulated drone surveys around two emission sources in the Test
 * Valley (Hampshire, UK — near the Chilbolton release site), written as in-situ CSV files with
 * their truth beside them, then run through the real pipeline (ingest → locate → detection → site).
 * Running it again stores nothing new: the files come out byte-identical and are recognised.
 * Each survey's stability class is what Turner's table gives for its time, place and wind with
 * up to 4 oktas of cloud (late mornings and early afternoons of May and June, 3–6 m/s: C or D).
 * Sites A and B are surveyed first (A twice); six later surveys find sites D–I, one each.
 *
 * With `people`, the demo also seeds its organizations, users of every role and the sites'
 * workflow states (demo-workflow.ts).
 *
 * One aircraft SWIR scene is added (DEMO_SCENE; `imaging: false` leaves it out): a simulated AVIRIS-like
 * cube 1.5 km east of source B (Jasper Ridge background, UTM zone 30 N map info) with a strong
 * release — a third site, seen only from the air — written as ENVI and run through the same code as
 * `plumetrace detect`.
 *
 * One thermal imaging flight is added too (DEMO_THERMAL_SCENE; `thermal: false` leaves it out): a
 * simulated HyTES-like LWIR cube (src/sim/lwir, 252 channels, a real Gross atmosphere) with a
 * tetrachloroethene plume about 2 km east of source A, written as ENVI and run through the same code
 * as `plumetrace detect` on a thermal cube (every gas of the library is a candidate) — site J, whose
 * detection carries the identified gases. The signature profiles given in `profiles` (the demo
 * command passes the example file unless the user has one) are scored on its plumes.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { SignatureProfile } from '../core/spectral/signature-profiles.ts';
import { toGasAbsorbance } from '../core/spectral/lwir-channels.ts';
import { DEFAULT_GAS_LIBRARY_DIR, readGasSpectrumFile } from '../io/gas-library.ts';
import { readMag1cLut } from '../io/lut/read.ts';
import { loadLwirInputs } from '../sim/lwir/load.ts';
import { type LwirSceneOptions, simulateLwirScene } from '../sim/lwir/scene.ts';
import { writeLwirScene } from '../sim/lwir/write.ts';
import type { InSituSurveyConfig } from '../sim/insitu-survey.ts';
import { simulateInSituSurvey } from '../sim/insitu-survey.ts';
import { loadSwirInputs } from '../sim/swir/load.ts';
import { type SwirSceneOptions, simulateSwirScene } from '../sim/swir/scene.ts';
import { type SwirMapOrigin, writeSwirScene } from '../sim/swir/write.ts';
import { writeSurvey } from '../sim/write.ts';
import type { Store } from '../store/types.ts';
import { type DemoPeopleResult, seedDemoWorkflow } from './demo-workflow.ts';
import { DEFAULT_CH4_LUT, detectScene, storeSceneDetections } from './imaging.ts';
import { type Progress, ensureCampaign, ingestInSituFile, processInSituAcquisition } from './insitu.ts';
import { detectLwirScene } from './lwir-imaging.ts';

export const DEMO_ORGANIZATION = 'Demo Analyst Agency';
export const DEMO_CAMPAIGN = 'Demo campaign — Test Valley 2026';

/** The demo surveys and their truth (public so tests can check the pipeline against it). */
export const DEMO_SURVEYS: readonly { name: string; config: InSituSurveyConfig }[] = [
  {
    name: 'survey-a-2026-05-09',
    config: {
      seed: 20260509,
      source: { lat: 51.15, lon: -1.44, heightM: 2, rateKgPerHour: 12 },
      windSpeedMps: 3.5,
      windToDeg: 60,
      stability: 'C',
      startTime: '2026-05-09T10:00:00Z',
    },
  },
  {
    name: 'survey-a-2026-05-16',
    config: {
      seed: 20260516,
      source: { lat: 51.15, lon: -1.44, heightM: 2, rateKgPerHour: 9 },
      windSpeedMps: 4.5,
      windToDeg: 110,
      stability: 'C',
      startTime: '2026-05-16T09:30:00Z',
    },
  },
  {
    name: 'survey-b-2026-05-09',
    config: {
      seed: 20260510,
      source: { lat: 51.138, lon: -1.418, heightM: 0, rateKgPerHour: 30 },
      windSpeedMps: 5,
      windToDeg: 45,
      stability: 'D',
      startTime: '2026-05-09T13:15:00Z',
    },
  },
  {
    name: 'survey-d-2026-05-20',
    config: {
      seed: 20260520,
      source: { lat: 51.165, lon: -1.47, heightM: 2, rateKgPerHour: 8 },
      windSpeedMps: 4.0,
      windToDeg: 200,
      stability: 'C',
      startTime: '2026-05-20T10:30:00Z',
    },
  },
  {
    name: 'survey-e-2026-05-23',
    config: {
      seed: 20260523,
      source: { lat: 51.125, lon: -1.455, heightM: 1, rateKgPerHour: 20 },
      windSpeedMps: 5.5,
      windToDeg: 30,
      stability: 'D',
      startTime: '2026-05-23T14:00:00Z',
    },
  },
  {
    name: 'survey-f-2026-05-27',
    config: {
      seed: 20260527,
      source: { lat: 51.175, lon: -1.425, heightM: 3, rateKgPerHour: 6 },
      windSpeedMps: 3.0,
      windToDeg: 150,
      stability: 'C',
      startTime: '2026-05-27T11:15:00Z',
    },
  },
  {
    name: 'survey-g-2026-06-02',
    config: {
      seed: 20260602,
      source: { lat: 51.12, lon: -1.39, heightM: 0, rateKgPerHour: 35 },
      windSpeedMps: 6.0,
      windToDeg: 80,
      stability: 'D',
      startTime: '2026-06-02T09:45:00Z',
    },
  },
  {
    name: 'survey-h-2026-06-05',
    config: {
      seed: 20260605,
      source: { lat: 51.155, lon: -1.375, heightM: 2, rateKgPerHour: 15 },
      windSpeedMps: 5,
      windToDeg: 260,
      stability: 'C',
      startTime: '2026-06-05T12:30:00Z',
    },
  },
  {
    name: 'survey-i-2026-06-09',
    config: {
      seed: 20260609,
      source: { lat: 51.185, lon: -1.46, heightM: 1, rateKgPerHour: 10 },
      windSpeedMps: 3.5,
      windToDeg: 10,
      stability: 'C',
      startTime: '2026-06-09T13:00:00Z',
    },
  },
];

/**
 * The demo's aircraft scene: 100 × 100 pixels of 10 m, the source pixel (line 50, sample 58) 1.5 km
 * east of source B (51.138 N, 1.418 W = UTM 30 N E 610,676 m, N 5,666,361 m), wind toward the east.
 * The release is large (5,000 kg/h): the Jasper background's clutter puts the matched filter's
 * noise near 1,500–2,500 ppm·m per pixel, so weaker plumes do not show at this pixel size.
 */
export const DEMO_SCENE: {
  name: string;
  time: string;
  windFromDeg: number;
  mapOrigin: SwirMapOrigin;
  options: SwirSceneOptions;
} = {
  name: 'scene-c-2026-05-09',
  time: '2026-05-09T13:40:00.000Z',
  windFromDeg: 270,
  mapOrigin: { utmZone: 30, hemisphere: 'North', eastingM: 611591, northingM: 5666866 },
  options: {
    seed: 20260511,
    source: { line: 50, sample: 58 },
    rateKgPerHour: 5000,
    windSpeedMps: 2,
    windToDeg: 90,
    stability: 'C',
    pixelSizeM: 10,
    textureSigma: 0.3,
  },
};

/**
 * The demo's thermal scene: 48 × 48 pixels of 3 m (HyTES at low altitude), the plume centred at
 * line 24, sample 18, which lies at 51.145 N, 1.395 W (UTM 30 N E 612,268 m, N 5,667,174 m; the
 * map origin below is that point minus 18.5 and 24.5 pixels). A tetrachloroethene (dry-cleaning and
 * degreasing solvent) puff of 150 ppm·m peak column, 5 K warmer than the ground: 8 times the
 * matched filter's noise-equivalent column for that gas on this scene (18.7 ppm·m). `gasFile`: the library file it is drawn from.
 */
export const DEMO_THERMAL_SCENE: {
  name: string;
  time: string;
  gasFile: string;
  pixelSizeM: number;
  mapOrigin: SwirMapOrigin;
  options: Omit<LwirSceneOptions, 'plume'> & { plume: Omit<NonNullable<LwirSceneOptions['plume']>, 'gases'> };
  peakColumnPpmM: number;
} = {
  name: 'scene-j-2026-06-12',
  time: '2026-06-12T11:20:00.000Z',
  gasFile: 'tetrachloroethene.jdx',
  pixelSizeM: 3,
  mapOrigin: { utmZone: 30, hemisphere: 'North', eastingM: 612212, northingM: 5667248 },
  peakColumnPpmM: 150,
  options: {
    seed: 20260612,
    lines: 48,
    samples: 48,
    plume: {
      centerLine: 24,
      centerSample: 18,
      sigmaAlongPx: 8,
      sigmaAcrossPx: 4,
      directionDeg: 90,
      contrastK: 5,
    },
  },
};

export interface DemoSummary {
  campaign: string;
  flights: number;
  sites: number;
  files: string[];
  /** What seeding the people and workflow did (with `people`). */
  people?: DemoPeopleResult;
}

export async function buildDemo(
  store: Store,
  opts: {
    dir: string;
    onProgress?: Progress;
    imaging?: boolean;
    /** Include the thermal (LWIR) scene; default true. */
    thermal?: boolean;
    /** Signature profiles scored on the thermal scene's plumes. */
    profiles?: readonly SignatureProfile[];
    /** Seed organizations, users (with this password) and workflow states. */
    people?: { password: string; hashPassword: (password: string) => Promise<string> };
  },
): Promise<DemoSummary> {
  const imaging = opts.imaging ?? true;
  const thermal = opts.thermal ?? true;
  const report = opts.onProgress ?? (() => {});
  await mkdir(opts.dir, { recursive: true });
  const campaign = await ensureCampaign(store, DEMO_CAMPAIGN, DEMO_ORGANIZATION);
  const files: string[] = [];
  const steps = DEMO_SURVEYS.length * 2 + (imaging ? 2 : 0) + (thermal ? 2 : 0);
  let step = 0;
  for (const { name, config } of DEMO_SURVEYS) {
    report(step++ / steps, `simulating ${name}`);
    await writeSurvey(opts.dir, name, simulateInSituSurvey(config));
    const file = join(opts.dir, `${name}.csv`);
    files.push(file);
    report(step++ / steps, `processing ${name}`);
    const ingested = await ingestInSituFile(store, file, { campaign: campaign.name, platform: 'drone' });
    // Processed as any flight is: the stability class is not told but inferred (stability-prior.ts).
    await processInSituAcquisition(store, ingested.acquisitionId);
  }
  if (imaging) {
    report(step++ / steps, `simulating ${DEMO_SCENE.name}`);
    const table = await readMag1cLut(DEFAULT_CH4_LUT);
    const scene = simulateSwirScene(DEMO_SCENE.options, await loadSwirInputs('jasper', table));
    const written = await writeSwirScene(opts.dir, DEMO_SCENE.name, scene, DEMO_SCENE.mapOrigin);
    files.push(written.radianceHeaderPath);
    report(step++ / steps, `processing ${DEMO_SCENE.name}`);
    const det = await detectScene(written.radianceHeaderPath, {
      outDir: opts.dir,
      windSpeedMps: DEMO_SCENE.options.windSpeedMps,
      windFromDeg: DEMO_SCENE.windFromDeg,
    });
    await storeSceneDetections(store, det, {
      campaign: campaign.name,
      platform: 'aircraft',
      acquisitionTime: DEMO_SCENE.time,
    });
  }
  if (thermal) {
    const t = DEMO_THERMAL_SCENE;
    report(step++ / steps, `simulating ${t.name}`);
    const gas = toGasAbsorbance(await readGasSpectrumFile(join(DEFAULT_GAS_LIBRARY_DIR, t.gasFile)));
    const scene = simulateLwirScene(
      { ...t.options, plume: { ...t.options.plume, gases: [{ gas, peakColumnPpmM: t.peakColumnPpmM }] } },
      loadLwirInputs('grosskc'),
    );
    const written = await writeLwirScene(opts.dir, t.name, scene, t.pixelSizeM, t.mapOrigin);
    files.push(written.radianceHeaderPath);
    report(step++ / steps, `processing ${t.name}`);
    const det = await detectLwirScene(written.radianceHeaderPath, {
      outDir: opts.dir,
      gas: 'auto',
      profiles: opts.profiles ?? [],
    });
    await storeSceneDetections(store, det, { campaign: campaign.name, platform: 'aircraft', acquisitionTime: t.time });
  }
  const flights = await store.listFlights(campaign.id);
  const sites = await store.listSites({ campaignId: campaign.id });
  let people: DemoPeopleResult | undefined;
  if (opts.people) {
    report(0.98, 'seeding organizations, users and workflow states');
    const inOrder = [...sites].sort(
      (a, b) => a.createdAt.localeCompare(b.createdAt) || a.firstSeen.localeCompare(b.firstSeen),
    );
    people = await seedDemoWorkflow(store, { agencyName: DEMO_ORGANIZATION, ...opts.people, sites: inOrder });
  }
  report(1, 'done');
  return {
    campaign: campaign.name,
    flights: flights.length,
    sites: sites.length,
    files,
    ...(people ? { people } : {}),
  };
}
