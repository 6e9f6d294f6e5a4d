/**
 * Pipeline stages for in-situ series: ingest (file → store), locate (stored series → source
 * estimate), fuse (estimate → detection → site). Each stage is a plain async function over the
 * Store, so a job queue (embedded now, distributed later) can run them one by one.
 */
import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import type { LineString, Polygon } from 'geojson';
import { PlumetraceError } from '../core/errors.ts';
import { associateDetection } from '../core/fusion/associate.ts';
import { localFrame } from '../core/geo/local-frame.ts';
import { STE_METHOD, STE_VERSION, type SteOptions, type SteResult, estimateSources } from '../core/inversion/ste.ts';
import { type InSituSeries, SAMPLE_KIND_PATH, SAMPLE_KIND_POINT } from '../core/types.ts';
import { readObservationFile } from '../io/observations.ts';
import type { Campaign, InSituSample, Platform, Site, Store } from '../store/types.ts';

export type Progress = (fraction: number, label: string) => void;

export const DEFAULT_ORGANIZATION = 'Local analysts';
export const DEFAULT_CAMPAIGN = 'Unassigned';

/** The campaign to file new flights under (created with its organization when missing). */
export async function ensureCampaign(
  store: Store,
  name = DEFAULT_CAMPAIGN,
  orgName = DEFAULT_ORGANIZATION,
): Promise<Campaign> {
  const existing = await store.findCampaignByName(name);
  if (existing) return existing;
  const org =
    (await store.findOrganizationByName(orgName)) ??
    (await store.createOrganization({ name: orgName, kind: 'analyst' }));
  return store.createCampaign({ organizationId: org.id, name, description: '' });
}

export interface IngestOptions {
  campaign?: string;
  platform?: Platform;
  /** Flight name; default: the file's base name. */
  flightName?: string;
}

export type IngestOutcome =
  | { file: string; stored: true; acquisitionId: string; flightId: string; sampleCount: number; gas: string }
  | { file: string; stored: false; reason: 'duplicate'; acquisitionId: string; flightId: string };

/** Reads, validates and stores one in-situ CSV file (all of it, or nothing). */
export async function ingestInSituFile(store: Store, file: string, opts: IngestOptions = {}): Promise<IngestOutcome> {
  const { series, bytes, track: flownTrack, format } = await readObservationFile(file);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const existing = await store.findAcquisitionBySha256(sha256);
  if (existing)
    return { file, stored: false, reason: 'duplicate', acquisitionId: existing.id, flightId: existing.flightId };

  const campaign = await ensureCampaign(store, opts.campaign);
  const n = series.ppm.length;
  const startTime = new Date(series.timeMs[0]).toISOString();
  const endTime = new Date(series.timeMs[n - 1]).toISOString();
  const track = trackOf(flownTrack ?? series);
  const result = await store.storeInSituAcquisition({
    flight: {
      campaignId: campaign.id,
      name: opts.flightName ?? basename(file).replace(/\.(csv|ulg)$/i, ''),
      platform: opts.platform ?? 'drone',
      sensorKind: 'insitu',
      startTime,
      endTime,
      track,
    },
    acquisition: {
      kind: 'insitu-series',
      sourceUri: file,
      contentSha256: sha256,
      gas: series.gas,
      sampleCount: n,
      startTime,
      endTime,
      footprint: footprintOf(series, 25),
      metadata: { format, hasWind: series.windU !== undefined, hasSigma: series.sigmaPpm !== undefined },
    },
    samples: samplesOf(series),
  });
  if (!result.stored)
    return { file, stored: false, reason: 'duplicate', acquisitionId: result.acquisitionId, flightId: result.flightId };
  return {
    file,
    stored: true,
    acquisitionId: result.acquisitionId,
    flightId: result.flightId,
    sampleCount: n,
    gas: series.gas,
  };
}

export interface ProcessOutcome {
  acquisitionId: string;
  /** The estimate; null when this acquisition was already processed by this algorithm version. */
  result: SteResult | null;
  /** Sites the detections joined or created (empty when no source was found). */
  sites: Site[];
  /** False when this acquisition was already processed by this algorithm version. */
  processed: boolean;
}

/** Locates the source(s) of a stored in-situ series and records them as detections and sites. */
export async function processInSituAcquisition(
  store: Store,
  acquisitionId: string,
  opts: SteOptions = {},
): Promise<ProcessOutcome> {
  const acq = await store.getAcquisition(acquisitionId);
  if (!acq) throw new PlumetraceError('PT_ERR_NOT_FOUND', `acquisition ${acquisitionId} does not exist`);
  const prior = await store.listDetections({ acquisitionId });
  if (prior.some((d) => d.algorithmVersion === STE_VERSION)) {
    const siteIds = new Set(prior.map((d) => d.siteId).filter((s): s is string => s !== null));
    const sites = (await Promise.all([...siteIds].map((id) => store.getSite(id)))).filter((s): s is Site => s !== null);
    return { acquisitionId, result: null, sites, processed: false };
  }
  const flight = await store.getFlight(acq.flightId);
  const series = seriesOf(acq.gas ?? 'CH4', await store.getInSituSamples(acquisitionId));
  const result = estimateSources(series, opts);
  if (result.sources.length === 0) return { acquisitionId, result, sites: [], processed: true };

  const existingSites = await store.listSites({ gas: result.gas });
  const items = result.sources.map((src, k) => {
    // 1-sigma of the position from the 90% ellipse's major axis (chi-square, 2 degrees of freedom).
    const locationSigmaM = src.locationCi90.semiMajorM / Math.sqrt(4.605170185988091);
    const match = associateDetection({ lat: src.lat, lon: src.lon, gas: result.gas, locationSigmaM }, existingSites);
    return {
      detection: {
        gas: result.gas,
        geometry: { type: 'Point' as const, coordinates: [src.lon, src.lat] },
        lat: src.lat,
        lon: src.lon,
        enhancement: maxEnhancement(series, result.backgroundPpm),
        enhancementUnit: 'ppm' as const,
        rateKgPerHour: src.rateKgPerHour,
        rateSigmaKgPerHour: src.rateSigmaKgPerHour,
        method: STE_METHOD,
        algorithmVersion: result.algorithmVersion,
        properties: {
          heightM: src.heightM,
          rateKgPerHourCi90: src.rateKgPerHourCi90,
          locationCi90: src.locationCi90,
          backgroundPpm: result.backgroundPpm,
          sourceCountProbabilities: result.sourceCountProbabilities,
          windSpeedMps: result.diagnostics.windSpeedMps,
          windFromDeg: result.diagnostics.windFromDeg,
          stabilityPosterior: result.diagnostics.stabilityPosterior,
          sampleCount: result.diagnostics.sampleCount,
        },
      },
      site: match
        ? { id: match.siteId }
        : {
            new: {
              campaignId: flight?.campaignId ?? null,
              name: siteName(result.gas, src.lat, src.lon, k),
              lat: src.lat,
              lon: src.lon,
            },
          },
    };
  });
  const { sites } = await store.recordDetections(acquisitionId, items);
  return { acquisitionId, result, sites, processed: true };
}

function siteName(gas: string, lat: number, lon: number, k: number): string {
  return `${gas} source ${lat.toFixed(4)}, ${lon.toFixed(4)}${k > 0 ? ` #${k + 1}` : ''}`;
}

function maxEnhancement(series: InSituSeries, background: number): number {
  let m = 0;
  for (const v of series.ppm) if (Number.isFinite(v) && v - background > m) m = v - background;
  return m;
}

/** The flown track as a LineString, thinned to at most 2,000 vertices. */
function trackOf(s: { lat: Float64Array; lon: Float64Array }): LineString {
  const n = s.lat.length;
  const stride = Math.max(1, Math.ceil(n / 2000));
  const coordinates: [number, number][] = [];
  for (let i = 0; i < n; i += stride) coordinates.push([s.lon[i], s.lat[i]]);
  if ((n - 1) % stride !== 0) coordinates.push([s.lon[n - 1], s.lat[n - 1]]);
  if (coordinates.length === 1) coordinates.push(coordinates[0]);
  return { type: 'LineString', coordinates };
}

/** The area the series sampled: its bounding box grown by `marginM`. */
function footprintOf(s: InSituSeries, marginM: number): Polygon {
  let [minLat, minLon, maxLat, maxLon] = [90, 180, -90, -180];
  for (let i = 0; i < s.lat.length; i++) {
    minLat = Math.min(minLat, s.lat[i]);
    maxLat = Math.max(maxLat, s.lat[i]);
    minLon = Math.min(minLon, s.lon[i]);
    maxLon = Math.max(maxLon, s.lon[i]);
  }
  const f = localFrame((minLat + maxLat) / 2, (minLon + maxLon) / 2);
  const dLat = marginM / f.metresPerDegLat;
  const dLon = marginM / f.metresPerDegLon;
  [minLat, minLon, maxLat, maxLon] = [minLat - dLat, minLon - dLon, maxLat + dLat, maxLon + dLon];
  return {
    type: 'Polygon',
    coordinates: [
      [
        [minLon, minLat],
        [maxLon, minLat],
        [maxLon, maxLat],
        [minLon, maxLat],
        [minLon, minLat],
      ],
    ],
  };
}

const orNull = (v: number | undefined): number | null => (v === undefined || Number.isNaN(v) ? null : v);

function samplesOf(s: InSituSeries): InSituSample[] {
  const out: InSituSample[] = new Array(s.ppm.length);
  for (let i = 0; i < s.ppm.length; i++) {
    out[i] = {
      seq: i,
      time: new Date(s.timeMs[i]).toISOString(),
      lat: s.lat[i],
      lon: s.lon[i],
      altM: s.altM[i],
      ppm: orNull(s.ppm[i]),
      windU: orNull(s.windU?.[i]),
      windV: orNull(s.windV?.[i]),
      sigmaPpm: orNull(s.sigmaPpm?.[i]),
      kind: s.kind?.[i] === SAMPLE_KIND_PATH ? 'path' : 'point',
      lat2: orNull(s.lat2?.[i]),
      lon2: orNull(s.lon2?.[i]),
      alt2M: orNull(s.alt2M?.[i]),
      windDirStdDeg: orNull(s.windDirStdDeg?.[i]),
      averagingS: orNull(s.averagingS?.[i]),
    };
  }
  return out;
}

/** Rebuilds the typed-array series from stored samples. */
export function seriesOf(gas: string, samples: readonly InSituSample[]): InSituSeries {
  const n = samples.length;
  const s: InSituSeries = {
    gas,
    timeMs: new Float64Array(n),
    lat: new Float64Array(n),
    lon: new Float64Array(n),
    altM: new Float64Array(n),
    ppm: new Float64Array(n),
  };
  const anyWind = samples.some((r) => r.windU !== null && r.windV !== null);
  const anySigma = samples.some((r) => r.sigmaPpm !== null);
  if (anyWind) {
    s.windU = new Float64Array(n);
    s.windV = new Float64Array(n);
  }
  if (anySigma) s.sigmaPpm = new Float64Array(n);
  const nanArray = () => new Float64Array(n).fill(Number.NaN);
  if (samples.some((r) => r.kind === 'path')) {
    s.kind = new Uint8Array(n);
    s.lat2 = nanArray();
    s.lon2 = nanArray();
    s.alt2M = nanArray();
  }
  if (samples.some((r) => r.windDirStdDeg != null)) s.windDirStdDeg = nanArray();
  if (samples.some((r) => r.averagingS != null)) s.averagingS = nanArray();
  samples.forEach((r, i) => {
    s.timeMs[i] = Date.parse(r.time);
    s.lat[i] = r.lat;
    s.lon[i] = r.lon;
    s.altM[i] = r.altM;
    s.ppm[i] = r.ppm ?? Number.NaN;
    if (s.windU && s.windV) {
      s.windU[i] = r.windU ?? Number.NaN;
      s.windV[i] = r.windV ?? Number.NaN;
    }
    if (s.sigmaPpm) s.sigmaPpm[i] = r.sigmaPpm ?? Number.NaN;
    if (s.kind && s.lat2 && s.lon2 && s.alt2M) {
      s.kind[i] = r.kind === 'path' ? SAMPLE_KIND_PATH : SAMPLE_KIND_POINT;
      s.lat2[i] = r.lat2 ?? Number.NaN;
      s.lon2[i] = r.lon2 ?? Number.NaN;
      s.alt2M[i] = r.alt2M ?? Number.NaN;
    }
    if (s.windDirStdDeg) s.windDirStdDeg[i] = r.windDirStdDeg ?? Number.NaN;
    if (s.averagingS) s.averagingS[i] = r.averagingS ?? Number.NaN;
  });
  return s;
}
