/**
 * The demo campaign: seeded, simulated drone surveys around two emission sources in the Test
 * Valley (Hampshire, UK — near the Chilbolton release site), written as in-situ CSV files with
 * their truth beside them, then run through the real pipeline (ingest → locate → detection → site).
 * Running it again stores nothing new: the files come out byte-identical and are recognised.
 * Each survey's stability class is what Turner's table gives for its time, place and wind (late
 * morning and early afternoon in May, 3.5–5 m/s: C, C and D).
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { InSituSurveyConfig } from '../sim/insitu-survey.ts';
import { simulateInSituSurvey } from '../sim/insitu-survey.ts';
import { writeSurvey } from '../sim/write.ts';
import type { Store } from '../store/types.ts';
import { type Progress, ensureCampaign, ingestInSituFile, processInSituAcquisition } from './insitu.ts';

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
];

export interface DemoSummary {
  campaign: string;
  flights: number;
  sites: number;
  files: string[];
}

export async function buildDemo(store: Store, opts: { dir: string; onProgress?: Progress }): Promise<DemoSummary> {
  const report = opts.onProgress ?? (() => {});
  await mkdir(opts.dir, { recursive: true });
  const campaign = await ensureCampaign(store, DEMO_CAMPAIGN, DEMO_ORGANIZATION);
  const files: string[] = [];
  const steps = DEMO_SURVEYS.length * 2;
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
  report(1, 'done');
  const flights = await store.listFlights(campaign.id);
  const sites = await store.listSites({ campaignId: campaign.id });
  return { campaign: campaign.name, flights: flights.length, sites: sites.length, files };
}
