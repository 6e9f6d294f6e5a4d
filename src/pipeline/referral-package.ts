/**
 * Gathers a referral's evidence from the store into the input of the export writers
 * (io/exports): the site and its detections with their uncertainty, the emission history, the
 * exposure estimate and its areas (core/exposure, from the site's rate, the wind and the
 * stability the estimate inferred), plume images read from the scene products, reviews, the
 * referral's timeline and the provenance of every number. Personal data stays out: people appear
 * by display name only.
 */
import type { Polygon } from 'geojson';
import { PlumetraceError } from '../core/errors.ts';
import {
  type ExposureInput,
  exposureContours,
  exposureEstimate,
  exposureGrid,
  type StabilityPrior,
} from '../core/exposure/index.ts';
import type { StabilityClass } from '../core/types.ts';
import { referralOverdue } from '../core/workflow/urgency.ts';
import { openEnvi } from '../io/envi/reader.ts';
import { buildReferralPackage } from '../io/exports/index.ts';
import type {
  EmissionHistoryPoint,
  LocationEllipse,
  PlumeImage,
  ReferralDetection,
  ReferralExposure,
  ReferralPackage,
  ReferralPackageInput,
} from '../io/exports/types.ts';
import type { Acquisition, Detection, Referral, Store } from '../store/types.ts';
import { sceneProducts } from './imaging.ts';

/** Concentrations whose downwind reach a referral states, ppm (issue 4: "e.g. 1 and 10 ppm"). */
export const DEFAULT_EXPOSURE_THRESHOLDS_PPM: readonly number[] = [1, 10];
/** When no estimate inferred the stability: neutral to slightly stable, as over a day and night. */
const FALLBACK_STABILITY: StabilityPrior = { C: 0.2, D: 0.5, E: 0.3 };
/** z of the two-sided 90% interval of a normal. */
const Z90 = 1.6448536269514722;
/** Side of a plume image, pixels. */
const IMAGE_SIDE = 64;

export interface AssembleOptions {
  /** Who asks (display name and organization name only). */
  generatedBy: { displayName: string; organizationName: string };
  /** ISO time of the package; default now. */
  now?: string;
  thresholdsPpm?: readonly number[];
}

const prop = <T>(d: Detection, key: string): T | undefined => d.properties[key] as T | undefined;

function rateCi90(d: Detection): [number, number] | null {
  const ci = prop<[number, number]>(d, 'rateKgPerHourCi90');
  if (Array.isArray(ci) && ci.every(Number.isFinite)) return [ci[0], ci[1]];
  if (d.rateKgPerHour === null) return null;
  const s = d.rateSigmaKgPerHour ?? 0;
  return [Math.max(0, d.rateKgPerHour - Z90 * s), d.rateKgPerHour + Z90 * s];
}

function ellipse(d: Detection): LocationEllipse | null {
  const e = prop<LocationEllipse>(d, 'locationCi90');
  return e && [e.semiMajorM, e.semiMinorM, e.azimuthDeg].every(Number.isFinite) ? e : null;
}

/**
 * A window of the scene's column map of the detection's gas around the plume origin, when the
 * product is still on disk: the SWIR scene's CH4 map, or the thermal scene's map of the plume's best
 * gas (the detection's gas). The title names the gas.
 */
async function plumeImage(d: Detection, acq: Acquisition | null): Promise<PlumeImage | null> {
  const line = prop<number>(d, 'originLine');
  const sample = prop<number>(d, 'originSample');
  if (!acq || line === undefined || sample === undefined) return null;
  const products = sceneProducts(acq);
  const map = products.columnMaps.find((m) => m.gas === d.gas);
  if (!map) return null;
  let reader: Awaited<ReturnType<typeof openEnvi>> | undefined;
  try {
    reader = await openEnvi(map.headerPath);
    const lines = Math.min(IMAGE_SIDE, reader.lines);
    const samples = Math.min(IMAGE_SIDE, reader.samples);
    const line0 = Math.max(0, Math.min(reader.lines - lines, Math.round(line) - lines / 2));
    const sample0 = Math.max(0, Math.min(reader.samples - samples, Math.round(sample) - samples / 2));
    const values = await reader.readWindow({ line0, lines, sample0, samples, bands: [0] });
    const what =
      products.kind === 'lwir'
        ? `${map.gas}${map.cas ? ` (CAS ${map.cas})` : ''} column (thermal matched filter)`
        : `${map.gas} column enhancement`;
    return {
      detectionId: d.id,
      title: `${what} around the plume origin (lines ${line0}–${line0 + lines - 1}, samples ${sample0}–${sample0 + samples - 1})`,
      width: samples,
      height: lines,
      values,
      unit: 'ppm·m',
    };
  } catch {
    return null; // the product was moved or deleted: the package goes without the image
  } finally {
    await reader?.close();
  }
}

function exposureOf(
  site: { lat: number; lon: number; gases: readonly string[] },
  latest: Detection | undefined,
  rate: number | null,
  ci: [number, number] | null,
  thresholdsPpm: readonly number[],
): ReferralExposure | null {
  if (!latest || rate === null || ci === null || rate <= 0) return null;
  const windSpeedMps = prop<number>(latest, 'windSpeedMps');
  const windFromDeg = prop<number>(latest, 'windFromDeg');
  if (!Number.isFinite(windSpeedMps) || !Number.isFinite(windFromDeg) || windSpeedMps! <= 0) return null;
  const posterior = prop<Partial<Record<StabilityClass, number>>>(latest, 'stabilityPosterior');
  const stability =
    posterior && Object.values(posterior).some((w) => (w ?? 0) > 0)
      ? (posterior as StabilityPrior)
      : FALLBACK_STABILITY;
  const input: ExposureInput = {
    gas: latest.gas,
    rateKgPerHour: rate,
    rateKgPerHourCi90: [Math.min(ci[0], rate), Math.max(ci[1], rate)],
    sourceHeightM: Math.max(0, prop<number>(latest, 'heightM') ?? 0),
    windSpeedMps: windSpeedMps!,
    stability,
    thresholdsPpm: [...thresholdsPpm],
  };
  const estimate = exposureEstimate(input);
  const reach = Math.max(...estimate.thresholds.map((t) => t.maxDistanceM.central), 0);
  const contours: { ppm: number; polygon: Polygon }[] = [];
  if (reach > 0) {
    const extentM = reach * 1.15;
    const grid = exposureGrid({ ...input, windFromDeg: windFromDeg!, cellM: extentM / 150, extentM });
    for (const c of exposureContours(grid, site.lat, site.lon))
      for (const polygon of c.polygons) contours.push({ ppm: c.thresholdPpm, polygon });
  }
  return { estimate, windFromDeg: windFromDeg!, windSpeedMps: windSpeedMps!, contours };
}

/** The export writers' input for one referral. */
export async function assembleReferralPackage(
  store: Store,
  referral: Referral,
  opts: AssembleOptions,
): Promise<ReferralPackageInput> {
  const now = opts.now ?? new Date().toISOString();
  const site = await store.getSite(referral.siteId);
  if (!site) throw new PlumetraceError('PT_ERR_NOT_FOUND', `site ${referral.siteId} does not exist`);
  const names = new Map<string, string>();
  const nameOf = async (userId: string | null): Promise<string> => {
    if (userId === null) return 'system';
    if (!names.has(userId)) names.set(userId, (await store.getUser(userId))?.displayName ?? 'former user');
    return names.get(userId)!;
  };
  const organization = await store.getOrganization(referral.organizationId);
  const coverage = await store.siteCoverage(site.id);

  const detections: ReferralDetection[] = [];
  const history: EmissionHistoryPoint[] = [];
  const images: PlumeImage[] = [];
  let latestRated: { d: Detection; time: string } | undefined;
  for (const d of await store.listDetections({ siteId: site.id })) {
    const acq = await store.getAcquisition(d.acquisitionId);
    const flight = acq ? await store.getFlight(acq.flightId) : null;
    const time = acq?.startTime ?? d.createdAt;
    const ci = rateCi90(d);
    detections.push({
      id: d.id,
      time,
      gas: d.gas,
      lat: d.lat,
      lon: d.lon,
      method: d.method,
      algorithmVersion: d.algorithmVersion,
      rateKgPerHour: d.rateKgPerHour,
      rateKgPerHourCi90: ci,
      enhancement: d.enhancement,
      enhancementUnit: d.enhancementUnit,
      flightName: flight?.name ?? 'unknown flight',
      platform: flight?.platform ?? 'unknown',
      sensorKind: flight?.sensorKind ?? 'unknown',
      locationCi90: ellipse(d),
      plumeOutline: d.geometry.type === 'Polygon' ? d.geometry : null,
    });
    if (d.rateKgPerHour !== null && ci) {
      history.push({ time, rateKgPerHour: d.rateKgPerHour, lo: ci[0], hi: ci[1], method: d.method });
      if (!latestRated || time >= latestRated.time) latestRated = { d, time };
    }
    const image = await plumeImage(d, acq);
    if (image) images.push(image);
  }
  history.sort((a, b) => a.time.localeCompare(b.time));
  const siteCi = latestRated ? rateCi90(latestRated.d) : null;
  const exposure = exposureOf(
    site,
    latestRated?.d,
    site.rateKgPerHour,
    siteCi,
    opts.thresholdsPpm ?? DEFAULT_EXPOSURE_THRESHOLDS_PPM,
  );

  const u = referral.urgency;
  const deadlines = referralOverdue(referral, site.status, now);
  const [ack, act] = deadlines?.deadlines ?? [];

  const reviews = [];
  for (const r of await store.listReviews(site.id))
    reviews.push({
      stage: r.stage,
      reviewerName: await nameOf(r.reviewerId),
      decision: r.decision,
      reason: r.reason,
      at: r.createdAt,
    });
  const events = [];
  for (const e of await store.listReferralEvents(referral.id))
    events.push({ at: e.at, action: e.kind, by: await nameOf(e.byUserId), text: e.text });

  const latest = latestRated?.d;
  return {
    generatedAt: now,
    generatedBy: opts.generatedBy,
    referral: {
      id: referral.id,
      status: referral.status,
      createdAt: referral.createdAt,
      organizationName: organization?.name ?? referral.organizationId,
      basis: referral.basis,
      reason: referral.reason,
      urgency: { level: u?.level ?? 'routine', score: u?.score ?? 0 },
      acknowledgeBy: ack?.dueAt ?? referral.createdAt,
      actionBy: act?.dueAt ?? referral.createdAt,
      overdue: {
        acknowledge: (ack?.missed ?? false) && ack?.metAt === undefined,
        action: (act?.missed ?? false) && act?.metAt === undefined,
      },
      outcome: referral.outcome,
    },
    site: {
      id: site.id,
      name: site.name,
      lat: site.lat,
      lon: site.lon,
      gases: site.gases,
      status: site.status,
      rateKgPerHour: site.rateKgPerHour,
      rateKgPerHourCi90: siteCi,
      persistence: { detections: coverage.detectedFlights, overflights: coverage.overflights },
      firstSeen: site.firstSeen,
      lastSeen: site.lastSeen,
      locationCi90: latest ? ellipse(latest) : null,
    },
    detections,
    emissionHistory: history,
    exposure,
    plumeImages: images,
    reviews,
    events,
    provenance: [
      {
        quantity: 'Emission rate (latest)',
        value: site.rateKgPerHour === null ? 'not quantified' : `${site.rateKgPerHour.toFixed(2)} kg/h`,
        source: latest ? `${latest.method} ${latest.algorithmVersion}, detection ${latest.id}` : 'no rated detection',
      },
      {
        quantity: 'Persistence',
        value: `${coverage.detectedFlights} of ${coverage.overflights} covering overflights`,
        source: 'flight footprints containing the site (store coverage)',
      },
      {
        quantity: 'Exposure distances',
        value: exposure ? 'see the exposure table' : 'not computed (no rate or no wind)',
        source: 'core/exposure: Gaussian plume, ISC3 rural sigmas, stability posterior of the estimate',
      },
      {
        quantity: 'Urgency and deadlines',
        value: u ? `${u.level} (score ${u.score.toFixed(2)})` : 'not set',
        source: 'core/workflow/urgency: rate, persistence and people nearby when loaded',
      },
      ...detections.map((d) => ({
        quantity: `Detection ${d.id.slice(0, 8)}`,
        value: d.rateKgPerHour === null ? d.gas : `${d.gas} ${d.rateKgPerHour.toFixed(2)} kg/h`,
        source: `${d.method} ${d.algorithmVersion} on ${d.flightName} (${d.platform}, ${d.sensorKind})`,
      })),
    ],
  };
}

/** Every format of a referral's package. */
export async function referralPackage(
  store: Store,
  referral: Referral,
  opts: AssembleOptions,
): Promise<ReferralPackage> {
  return buildReferralPackage(await assembleReferralPackage(store, referral, opts));
}
