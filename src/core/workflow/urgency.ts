/**
 * Urgency of a referral and its deadlines (issue 4, item 2), and which deadlines a referral missed.
 *
 * The scoring rule (monotone: a higher rate, a higher persistence, more people or people closer
 * never lower the score):
 *
 *   rateTerm        = clamp01(log10(rate / 0.1 kg/h) / 3)        0 at ≤ 0.1 kg/h, 1 at ≥ 100 kg/h
 *   persistenceTerm = clamp01(persistence)
 *   exposed         = Σ people_i · w(distance_i),  w(d) = 1 for d ≤ 100 m, (100 / d)² up to 2 km, 0 beyond
 *   peopleTerm      = clamp01(log10(1 + exposed) / log10(1 + 1000))  1 at ≥ 1000 exposed people
 *   score           = 0.45 · rateTerm + 0.25 · persistenceTerm + 0.30 · peopleTerm      (0..1)
 *
 *   level: urgent at score ≥ 0.60, priority at ≥ 0.35, else routine; and at least priority when
 *   anyone lives within 100 m (labs are often inside homes).
 *
 *   deadlines (hours after the referral): urgent ack 4 / act 48; priority 24 / 168; routine 72 / 720.
 *
 * The rate's 1-sigma does not move the level (it is set by the central estimate); `scoreRange`
 * gives the score at rate ∓ sigma so a reader sees how much the uncertainty matters. Without
 * population data the people term is 0 and `populationData` says 'not-loaded': the level then
 * rests on rate and persistence alone, and the result says so.
 *
 * Pure: times are ISO strings; the caller passes `now`.
 */
import { PlumetraceError } from '../errors.ts';
import { isoMs, type WorkflowStatus } from './machine.ts';

export type UrgencyLevel = 'routine' | 'priority' | 'urgent';

export interface UrgencyInput {
  rateKgPerHour: number;
  rateSigmaKgPerHour: number;
  /** Detections / overflights that covered the site, 0..1. */
  persistence: number;
  /** People near the site, from loaded population or building data; absent when none is loaded. */
  peopleWithinM?: readonly { distanceM: number; people: number }[];
}

export interface Deadlines {
  acknowledgeWithinH: number;
  actWithinH: number;
}

export interface Urgency extends Deadlines {
  level: UrgencyLevel;
  /** 0..1, from the central rate. */
  score: number;
  /** The score at max(0, rate − sigma) and at rate + sigma. */
  scoreRange: [number, number];
  terms: { rate: number; persistence: number; people: number };
  /** People-equivalents exposed (distance-weighted); null when no population data is loaded. */
  exposedPeople: number | null;
  populationData: 'loaded' | 'not-loaded';
  /** Plain-words notes for the referral (e.g. that population data was not loaded). */
  notes: string[];
}

export const URGENCY_WEIGHTS = { rate: 0.45, persistence: 0.25, people: 0.3 } as const;
export const URGENCY_THRESHOLDS = { urgent: 0.6, priority: 0.35 } as const;
export const DEADLINES: Readonly<Record<UrgencyLevel, Deadlines>> = {
  urgent: { acknowledgeWithinH: 4, actWithinH: 48 },
  priority: { acknowledgeWithinH: 24, actWithinH: 168 },
  routine: { acknowledgeWithinH: 72, actWithinH: 720 },
};
/** Anyone within this distance makes a site at least 'priority'. */
export const NEAR_HOME_M = 100;
const MAX_PEOPLE_M = 2000;

const clamp01 = (x: number): number => Math.min(1, Math.max(0, x));

function bad(field: string, detail: string): PlumetraceError {
  return new PlumetraceError('PT_ERR_BAD_REQUEST', `${field} ${detail}`, { column: field });
}

function rateTerm(rateKgPerHour: number): number {
  return rateKgPerHour <= 0.1 ? 0 : clamp01(Math.log10(rateKgPerHour / 0.1) / 3);
}

/** Distance weight of a person: 1 within 100 m, falling as (100/d)², 0 beyond 2 km. */
export function peopleWeight(distanceM: number): number {
  if (distanceM <= NEAR_HOME_M) return 1;
  if (distanceM > MAX_PEOPLE_M) return 0;
  return (NEAR_HOME_M / distanceM) ** 2;
}

function levelOf(score: number): UrgencyLevel {
  return score >= URGENCY_THRESHOLDS.urgent ? 'urgent' : score >= URGENCY_THRESHOLDS.priority ? 'priority' : 'routine';
}

export function urgency(input: UrgencyInput): Urgency {
  const { rateKgPerHour: rate, rateSigmaKgPerHour: sigma, persistence } = input;
  if (!Number.isFinite(rate) || rate < 0) throw bad('rateKgPerHour', `must be a finite number ≥ 0, got ${rate}`);
  if (!Number.isFinite(sigma) || sigma < 0)
    throw bad('rateSigmaKgPerHour', `must be a finite number ≥ 0, got ${sigma}`);
  if (!Number.isFinite(persistence) || persistence < 0 || persistence > 1)
    throw bad('persistence', `must be in 0..1, got ${persistence}`);

  const notes: string[] = [];
  let exposed: number | null = null;
  let nearHome = false;
  if (input.peopleWithinM !== undefined) {
    exposed = 0;
    for (const [i, p] of input.peopleWithinM.entries()) {
      if (!Number.isFinite(p.distanceM) || p.distanceM < 0)
        throw bad(`peopleWithinM[${i}].distanceM`, `must be a finite number ≥ 0, got ${p.distanceM}`);
      if (!Number.isFinite(p.people) || p.people < 0)
        throw bad(`peopleWithinM[${i}].people`, `must be a finite number ≥ 0, got ${p.people}`);
      exposed += p.people * peopleWeight(p.distanceM);
      if (p.people > 0 && p.distanceM <= NEAR_HOME_M) nearHome = true;
    }
  } else {
    notes.push('No population or building data is loaded: urgency rests on emission rate and persistence only.');
  }

  const terms = {
    rate: rateTerm(rate),
    persistence: clamp01(persistence),
    people: exposed === null ? 0 : clamp01(Math.log10(1 + exposed) / Math.log10(1001)),
  };
  const rest = URGENCY_WEIGHTS.persistence * terms.persistence + URGENCY_WEIGHTS.people * terms.people;
  const score = URGENCY_WEIGHTS.rate * terms.rate + rest;
  const scoreRange: [number, number] = [
    URGENCY_WEIGHTS.rate * rateTerm(Math.max(0, rate - sigma)) + rest,
    URGENCY_WEIGHTS.rate * rateTerm(rate + sigma) + rest,
  ];
  let level = levelOf(score);
  if (nearHome && level === 'routine') {
    level = 'priority';
    notes.push(`People live within ${NEAR_HOME_M} m of the site: at least priority.`);
  }
  if (levelOf(scoreRange[0]) !== levelOf(scoreRange[1]))
    notes.push('The rate uncertainty spans more than one urgency level.');
  return {
    level,
    score,
    scoreRange,
    terms,
    exposedPeople: exposed,
    populationData: exposed === null ? 'not-loaded' : 'loaded',
    notes,
    ...DEADLINES[level],
  };
}

export interface ReferralTimes {
  status: WorkflowStatus;
  referredAt: string;
  acknowledgedAt?: string;
  inspectedAt?: string;
  /** When the outcome was recorded. */
  closedAt?: string;
}

export interface DeadlineState {
  kind: 'acknowledge' | 'act';
  dueAt: string;
  /** When it was met (acknowledged; inspected or closed, whichever first), if it was. */
  metAt?: string;
  missed: boolean;
  /** Hours past due: until it was met, or until `now` while still open; 0 when not missed. */
  overdueByH: number;
}

export interface OverdueReport {
  deadlines: [DeadlineState, DeadlineState];
  /** The missed ones (met late, or still open past due). */
  missed: DeadlineState[];
  /** Open and past due now: the referral should be flagged. */
  flagged: boolean;
}

const H = 3_600_000;
const AFTER_ACK: readonly WorkflowStatus[] = ['acknowledged', 'inspected', 'closed', 'verified'];
const AFTER_ACT: readonly WorkflowStatus[] = ['inspected', 'closed', 'verified'];

/**
 * Which deadlines a referral missed and by how long. The acknowledgement is due
 * `acknowledgeWithinH` after the referral, action (an inspection or an outcome) `actWithinH` after it.
 */
export function overdue(referral: ReferralTimes, deadlines: Deadlines, now: string): OverdueReport {
  const referred = isoMs(referral.referredAt, 'referredAt');
  const nowMs = isoMs(now, 'now');
  for (const [f, v] of Object.entries(deadlines))
    if (!Number.isFinite(v) || v < 0) throw bad(f, `must be a finite number of hours ≥ 0, got ${v}`);
  if (AFTER_ACK.includes(referral.status) && referral.acknowledgedAt === undefined)
    throw bad('acknowledgedAt', `is required for a referral in status "${referral.status}"`);
  if (AFTER_ACT.includes(referral.status) && referral.inspectedAt === undefined && referral.closedAt === undefined)
    throw bad('inspectedAt', `(or closedAt) is required for a referral in status "${referral.status}"`);

  const ack = referral.acknowledgedAt;
  const actCandidates = [referral.inspectedAt, referral.closedAt].filter((s): s is string => s !== undefined);
  const act = actCandidates.sort((a, b) => isoMs(a, 'inspectedAt') - isoMs(b, 'closedAt'))[0];

  const one = (kind: 'acknowledge' | 'act', withinH: number, metAt: string | undefined): DeadlineState => {
    const due = referred + withinH * H;
    const end = metAt !== undefined ? isoMs(metAt, kind === 'act' ? 'inspectedAt' : 'acknowledgedAt') : nowMs;
    const late = Math.max(0, end - due) / H;
    return {
      kind,
      dueAt: new Date(due).toISOString(),
      ...(metAt !== undefined ? { metAt } : {}),
      missed: late > 0,
      overdueByH: late,
    };
  };
  const deadlines2: [DeadlineState, DeadlineState] = [
    one('acknowledge', deadlines.acknowledgeWithinH, ack),
    one('act', deadlines.actWithinH, act),
  ];
  const missed = deadlines2.filter((d) => d.missed);
  return { deadlines: deadlines2, missed, flagged: missed.some((d) => d.metAt === undefined) };
}

/** A stored referral's times and deadlines, as the store keeps them (null: not yet). */
export interface StoredReferralTimes {
  createdAt: string;
  acknowledgedAt: string | null;
  inspectedAt: string | null;
  closedAt: string | null;
  urgency: Deadlines | null;
}

/** `overdue` for a stored referral whose site is in `status`; null when it has no deadlines. */
export function referralOverdue(r: StoredReferralTimes, status: WorkflowStatus, now: string): OverdueReport | null {
  if (!r.urgency) return null;
  const times: ReferralTimes = {
    status,
    referredAt: r.createdAt,
    ...(r.acknowledgedAt ? { acknowledgedAt: r.acknowledgedAt } : {}),
    ...(r.inspectedAt ? { inspectedAt: r.inspectedAt } : {}),
    ...(r.closedAt ? { closedAt: r.closedAt } : {}),
  };
  return overdue(times, { acknowledgeWithinH: r.urgency.acknowledgeWithinH, actWithinH: r.urgency.actWithinH }, now);
}
