/**
 * What the referral-package writers take. The caller (the referral workflow) gathers these from the
 * store; the writers only format them. Every number must be finite (NaN or ±Infinity is
 * PT_ERR_EXPORT_BAD_NUMBER naming the field); "nothing known" is `null`, never NaN.
 * Times are ISO-8601 strings in UTC. Coordinates are WGS84 degrees; polygons are GeoJSON
 * (positions [lon, lat]).
 */
import type { Polygon } from 'geojson';
import type { ExposureEstimate } from '../../core/exposure/index.ts';

/** A 90% location-uncertainty ellipse around a point. */
export interface LocationEllipse {
  /** Semi-major axis of the 90% ellipse (m, ≥ 0). */
  semiMajorM: number;
  /** Semi-minor axis of the 90% ellipse (m, ≥ 0, ≤ semiMajorM). */
  semiMinorM: number;
  /** Direction of the major axis (degrees clockwise from north). */
  azimuthDeg: number;
}

/** A 90% interval [lo, hi] of an emission rate (kg/h). */
export type RateInterval = readonly [lo: number, hi: number];

export type UrgencyLevel = 'routine' | 'priority' | 'urgent';
export type ReferralBasis = 'jurisdiction' | 'analyst-choice';
export type ReviewStage = 'R1' | 'R2';
export type EnhancementUnit = 'ppm' | 'ppm·m';

export interface ReferralPackageInput {
  /** When the package was made (ISO). Also the CoT event's time. */
  generatedAt: string;
  /** Who made it: the user's display name and organization (no email, no other personal data). */
  generatedBy: { displayName: string; organizationName: string };
  referral: {
    /** Referral id (stable; the CoT detail and every file name carry it). */
    id: string;
    /** Workflow state of the referral (e.g. "referred", "acknowledged"). */
    status: string;
    /** When the referral was made (ISO). */
    createdAt: string;
    /** The authority the site was referred to. */
    organizationName: string;
    /** Why that authority: its jurisdiction contains the site, or the analyst chose it. */
    basis: ReferralBasis;
    /** The analyst's reason, when the basis is their choice (free text). */
    reason?: string | null;
    /** Urgency class and the score (0–1 or any finite scale) that set it. */
    urgency: { level: UrgencyLevel; score: number };
    /** Deadline to acknowledge (ISO). */
    acknowledgeBy: string;
    /** Deadline to act (inspect) (ISO). */
    actionBy: string;
    /** Whether each deadline has passed without the step being done. */
    overdue: { acknowledge: boolean; action: boolean };
    /** Recorded outcome (dismantled, remediated, not found, no access), if any. */
    outcome?: string | null;
  };
  site: {
    id: string;
    name: string;
    /** Site position: latitude, longitude (degrees WGS84). */
    lat: number;
    lon: number;
    /** Gases seen at the site (e.g. ["CH4"]). */
    gases: readonly string[];
    /** Workflow state of the site. */
    status: string;
    /** Best emission-rate estimate (kg/h), or null when not quantified. */
    rateKgPerHour: number | null;
    /** Its 90% interval (kg/h), or null. */
    rateKgPerHourCi90: RateInterval | null;
    /** Overflights that covered the site, and how many of them detected it. */
    persistence: { detections: number; overflights: number };
    /** First and last detection (ISO). */
    firstSeen: string;
    lastSeen: string;
    /** 90% location ellipse of the site, when known. */
    locationCi90?: LocationEllipse | null;
  };
  detections: readonly ReferralDetection[];
  /** Emission-rate estimates over time (one per quantified detection or fused estimate). */
  emissionHistory: readonly EmissionHistoryPoint[];
  /** Downwind exposure estimate, or null when none could be made (e.g. no rate). */
  exposure: ReferralExposure | null;
  /** Plume images (enhancement maps) to show in the report. */
  plumeImages: readonly PlumeImage[];
  /** The two-person review record. */
  reviews: readonly ReferralReview[];
  /** The referral's timeline (workflow events), oldest first. */
  events: readonly ReferralEvent[];
  /** Where each number in the package comes from. */
  provenance: readonly ProvenanceEntry[];
}

export interface ReferralDetection {
  id: string;
  /** Observation time (ISO). */
  time: string;
  gas: string;
  lat: number;
  lon: number;
  /** Detection method (e.g. "CMF", "in-situ STE"). */
  method: string;
  /** Version of the algorithm that produced these numbers. */
  algorithmVersion: string;
  rateKgPerHour: number | null;
  rateKgPerHourCi90: RateInterval | null;
  /** Peak enhancement of the plume, in enhancementUnit, or null. */
  enhancement: number | null;
  /** 'ppm·m' for column enhancements (imaging), 'ppm' for in-situ; null with enhancement null. */
  enhancementUnit: EnhancementUnit | null;
  flightName: string;
  /** Aircraft or drone (e.g. "AVIRIS-NG / King Air B200"). */
  platform: string;
  /** Sensor kind (e.g. "imaging spectrometer SWIR", "in-situ laser"). */
  sensorKind: string;
  locationCi90?: LocationEllipse | null;
  /** Plume outline, a GeoJSON Polygon in lon/lat, when the method gives one. */
  plumeOutline?: Polygon | null;
}

export interface EmissionHistoryPoint {
  time: string;
  rateKgPerHour: number;
  /** 90% interval bounds (kg/h). */
  lo: number;
  hi: number;
  method: string;
}

export interface ReferralExposure {
  /** The estimate from core/exposure `exposureEstimate` (thresholds, spreads, warnings, assumptions). */
  estimate: ExposureEstimate;
  /** Wind the estimate used: the direction it blows from (degrees clockwise from north) and speed (m/s). */
  windFromDeg: number;
  windSpeedMps: number;
  /** Areas above each threshold (ppm), as GeoJSON Polygons in lon/lat, for the map. */
  contours: readonly { ppm: number; polygon: Polygon }[];
}

export interface PlumeImage {
  /** The detection the image belongs to. */
  detectionId: string;
  title: string;
  /** Pixels across and down. */
  width: number;
  height: number;
  /** Row-major values (row 0 at the top, north up), width × height of them; NaN marks no data. */
  values: Float32Array;
  /** Unit of the values (e.g. "ppm·m"). */
  unit: string;
}

export interface ReferralReview {
  stage: ReviewStage;
  reviewerName: string;
  /** e.g. "confirm", "dismiss", "reviewed". */
  decision: string;
  reason: string;
  /** When (ISO). */
  at: string;
}

export interface ReferralEvent {
  at: string;
  /** Workflow action (e.g. "refer", "acknowledge"). */
  action: string;
  /** Who did it (display name and organization as the caller wishes to show them). */
  by: string;
  text?: string | null;
}

export interface ProvenanceEntry {
  /** What the number is (e.g. "Emission rate (kg/h)"). */
  quantity: string;
  /** The number as shown, with its unit. */
  value: string;
  /** Where it comes from: algorithm and version, data, reference. */
  source: string;
}

/** Every file of a referral package. */
export interface ReferralPackage {
  pdf: Uint8Array;
  geojson: string;
  kml: string;
  kmz: Uint8Array;
  cot: string;
  csv: string;
}
