/**
 * Along-track segments of a long flightline, and the plumes of segment-wise detection merged into
 * whole-flightline plumes. Pure: the pipeline reads each window, runs the detection chain on it
 * (detect.ts, with that window's own column statistics) and hands the result here.
 *
 * Plan: the lines are cut into K contiguous *cores* of nearly equal length (≤ windowLines − 2·halo);
 * each core is processed inside a *window* of the core plus `halo` lines on each side (clipped at
 * the ends), so every window holds at most `windowLines` lines. A pixel belongs to exactly one core:
 * its map value and plume membership come from that core's window, where it sits at least `halo`
 * lines from a window edge that is not the flightline's own edge (the smoothing, the merge distance
 * and the local-noise tiles of the plume map see the same neighbourhood as in a whole-scene run,
 * up to the statistics).
 *
 * Merging (overlap, not only touching): windows k and k+1 overlap on 2·halo lines (the last `halo`
 * lines of core k and the first `halo` of core k+1). Wherever both windows label a pixel of the
 * overlap as plume, their two labels are one plume (union–find over (window, label)). This joins a
 * plume cut by a core boundary even where its two halves do not touch at the boundary line, and also
 * joins parts a window's own merge-within-distance step joined. A merged plume is the union of
 * its parts' core pixels; its sums (IME, noise variance, Σz) and maximum run over those pixels.
 */
import { PlumetraceError } from '../errors.ts';
import type { PlumeMaskResult, PlumeRegion } from './plumes.ts';

export interface SegmentWindow {
  /** First line of the window, and its line count. */
  readonly line0: number;
  readonly lines: number;
  /** The window's core: lines [coreLine0, coreLine1) of the flightline. */
  readonly coreLine0: number;
  readonly coreLine1: number;
}

/** Lines of overlap on each side of a core (≥ the plume map's smoothing reach and merge distance). */
export const SEGMENT_HALO_LINES = 32;
/** Shortest window allowed: the core must be at least as long as both halos together. */
export const MIN_SEGMENT_LINES = 4 * SEGMENT_HALO_LINES;

/**
 * Cuts `lines` into windows of at most `windowLines` lines (see the file comment). A flightline of
 * at most `windowLines` lines is one window (the whole scene, no halo).
 */
export function planSegments(lines: number, windowLines: number, halo = SEGMENT_HALO_LINES): SegmentWindow[] {
  if (!Number.isInteger(lines) || lines < 1) {
    throw new PlumetraceError('PT_ERR_SPECTRAL_INPUT', `lines must be a positive integer, got ${lines}`);
  }
  if (!Number.isInteger(halo) || halo < 0) {
    throw new PlumetraceError('PT_ERR_SPECTRAL_INPUT', `halo must be an integer ≥ 0, got ${halo}`);
  }
  if (!Number.isInteger(windowLines) || windowLines < 4 * halo || windowLines < 1) {
    throw new PlumetraceError(
      'PT_ERR_USAGE',
      `--segment-lines must be an integer ≥ ${Math.max(1, 4 * halo)} (4 × the ${halo}-line overlap), got ${windowLines}`,
    );
  }
  if (lines <= windowLines) return [{ line0: 0, lines, coreLine0: 0, coreLine1: lines }];
  const maxCore = windowLines - 2 * halo;
  const k = Math.ceil(lines / maxCore);
  const out: SegmentWindow[] = [];
  for (let i = 0; i < k; i++) {
    const c0 = Math.round((i * lines) / k);
    const c1 = Math.round(((i + 1) * lines) / k);
    const line0 = Math.max(0, c0 - halo);
    const line1 = Math.min(lines, c1 + halo);
    out.push({ line0, lines: line1 - line0, coreLine0: c0, coreLine1: c1 });
  }
  return out;
}

/** One plume of a segmented run, over the whole flightline (pixel = line · samples + sample). */
export interface MergedPlume {
  /** Core pixels of the plume, in flightline pixel indices, ascending. */
  readonly pixels: Int32Array;
  /** Per pixel (same order): the summed map value (ppm·m), its noise σ (ppm·m) and z. */
  readonly valuePpmM: Float64Array;
  readonly sigmaPpmM: Float64Array;
  readonly zScore: Float64Array;
  /** Windows the plume was seen in (indices into the plan). */
  readonly windows: readonly number[];
  readonly region: Omit<PlumeRegion, 'label'>;
}

interface Part {
  pixels: number[];
  value: number[];
  sigma: number[];
  z: number[];
}

/**
 * Collects the plumes of each window in plan order (`add`), then merges them (`finish`). Memory:
 * the plume pixels of the cores, plus the labels of one window's last 2·halo lines.
 */
export class SegmentPlumeMerger {
  readonly #plan: readonly SegmentWindow[];
  readonly #samples: number;
  readonly #parts = new Map<string, Part>();
  readonly #parent = new Map<string, string>();
  #next = 0;
  /** Labels of the previous window over lines [prevTailLine0, its window end). */
  #prevTail: Int32Array | null = null;
  #prevTailLine0 = 0;

  constructor(plan: readonly SegmentWindow[], samples: number) {
    this.#plan = plan;
    this.#samples = samples;
  }

  /**
   * Adds window `k` (plan order): its mask (window-sized, labels 1..K) and the map its plumes are
   * summed over (for detect.ts: `quantificationPpmM`).
   */
  add(k: number, mask: PlumeMaskResult, valuePpmM: Float64Array): void {
    if (k !== this.#next) throw new PlumetraceError('PT_ERR_INTERNAL', `segment ${k} added out of order`);
    const w = this.#plan[k];
    const S = this.#samples;
    if (mask.lines !== w.lines || mask.samples !== S || valuePpmM.length !== w.lines * S) {
      throw new PlumetraceError('PT_ERR_INTERNAL', `segment ${k}: mask or map size differs from the plan`);
    }
    const { labels, zScore, noiseSigmaPpmM } = mask;
    // Core pixels into their parts.
    const r0 = w.coreLine0 - w.line0;
    const r1 = w.coreLine1 - w.line0;
    for (let r = r0; r < r1; r++) {
      for (let s = 0; s < S; s++) {
        const p = r * S + s;
        const lab = labels[p];
        if (lab === 0) continue;
        const key = `${k}:${lab}`;
        let part = this.#parts.get(key);
        if (!part) {
          part = { pixels: [], value: [], sigma: [], z: [] };
          this.#parts.set(key, part);
          this.#parent.set(key, key);
        }
        part.pixels.push((w.line0 + r) * S + s);
        part.value.push(valuePpmM[p]);
        part.sigma.push(noiseSigmaPpmM[p]);
        part.z.push(zScore[p]);
      }
    }
    // Overlap with the previous window: same pixel labelled by both → one plume.
    if (this.#prevTail !== null) {
      const from = Math.max(this.#prevTailLine0, w.line0);
      const to = Math.min(this.#prevTailLine0 + this.#prevTail.length / S, w.line0 + w.lines);
      for (let line = from; line < to; line++) {
        for (let s = 0; s < S; s++) {
          const a = this.#prevTail[(line - this.#prevTailLine0) * S + s];
          const b = labels[(line - w.line0) * S + s];
          if (a > 0 && b > 0) this.#union(`${k - 1}:${a}`, `${k}:${b}`);
        }
      }
    }
    // Keep this window's lines that the next window overlaps.
    const next = this.#plan[k + 1];
    if (next) {
      const tail0 = Math.max(next.line0, w.line0);
      this.#prevTailLine0 = tail0;
      this.#prevTail = labels.slice((tail0 - w.line0) * S, w.lines * S);
    } else this.#prevTail = null;
    this.#next++;
  }

  /** Window `k` (plan order) gave no result (e.g. too few data pixels for statistics): no plumes from it. */
  skip(k: number): void {
    if (k !== this.#next) throw new PlumetraceError('PT_ERR_INTERNAL', `segment ${k} skipped out of order`);
    this.#prevTail = null;
    this.#next++;
  }

  /** The merged plumes, strongest score (Σz / √N) first. */
  finish(): MergedPlume[] {
    if (this.#next !== this.#plan.length) {
      throw new PlumetraceError('PT_ERR_INTERNAL', `${this.#next} of ${this.#plan.length} segments added`);
    }
    const groups = new Map<string, string[]>();
    for (const key of this.#parts.keys()) {
      const root = this.#find(key);
      const g = groups.get(root);
      if (g) g.push(key);
      else groups.set(root, [key]);
    }
    const S = this.#samples;
    const out: MergedPlume[] = [];
    for (const keys of groups.values()) {
      const idx: number[] = [];
      const val: number[] = [];
      const sig: number[] = [];
      const zs: number[] = [];
      const windows = new Set<number>();
      for (const key of keys) {
        const part = this.#parts.get(key) as Part;
        windows.add(Number(key.slice(0, key.indexOf(':'))));
        for (let i = 0; i < part.pixels.length; i++) {
          idx.push(part.pixels[i]);
          val.push(part.value[i]);
          sig.push(part.sigma[i]);
          zs.push(part.z[i]);
        }
      }
      const order = idx.map((_, i) => i).sort((a, b) => idx[a] - idx[b]);
      const pixels = Int32Array.from(order, (i) => idx[i]);
      const valuePpmM = Float64Array.from(order, (i) => val[i]);
      const sigmaPpmM = Float64Array.from(order, (i) => sig[i]);
      const zScore = Float64Array.from(order, (i) => zs[i]);
      let sum = 0;
      let sumVar = 0;
      let sumZ = 0;
      let max = Number.NEGATIVE_INFINITY;
      let maxPixel = pixels[0];
      let lineMin = Number.POSITIVE_INFINITY;
      let lineMax = -1;
      let sampleMin = Number.POSITIVE_INFINITY;
      let sampleMax = -1;
      for (let i = 0; i < pixels.length; i++) {
        const p = pixels[i];
        const l = (p / S) | 0;
        const s = p - l * S;
        sum += valuePpmM[i];
        sumVar += sigmaPpmM[i] * sigmaPpmM[i];
        if (Number.isFinite(zScore[i])) sumZ += zScore[i];
        if (valuePpmM[i] > max) {
          max = valuePpmM[i];
          maxPixel = p;
        }
        lineMin = Math.min(lineMin, l);
        lineMax = Math.max(lineMax, l);
        sampleMin = Math.min(sampleMin, s);
        sampleMax = Math.max(sampleMax, s);
      }
      out.push({
        pixels,
        valuePpmM,
        sigmaPpmM,
        zScore,
        windows: [...windows].sort((a, b) => a - b),
        region: {
          pixelCount: pixels.length,
          maxEnhancementPpmM: max,
          maxPixel,
          sumEnhancementPpmM: sum,
          sumNoiseVariancePpmM2: sumVar,
          sumZ,
          score: sumZ / Math.sqrt(pixels.length),
          lineMin,
          lineMax,
          sampleMin,
          sampleMax,
        },
      });
    }
    return out.sort((a, b) => b.region.score - a.region.score);
  }

  #find(key: string): string {
    let r = key;
    for (let p = this.#parent.get(r) as string; p !== r; p = this.#parent.get(r) as string) r = p;
    // Path compression.
    let k = key;
    while (k !== r) {
      const p = this.#parent.get(k) as string;
      this.#parent.set(k, r);
      k = p;
    }
    return r;
  }

  #union(a: string, b: string): void {
    // A label seen only in the overlap (no core pixels in its window) has no part yet.
    for (const key of [a, b]) if (!this.#parent.has(key)) this.#parent.set(key, key);
    const ra = this.#find(a);
    const rb = this.#find(b);
    if (ra !== rb) this.#parent.set(rb, ra);
  }
}

/**
 * A one-plume mask over the plume's bounding box, so quantifyPlumes and the hull code (which work
 * on a mask) run on a merged plume. Coordinates inside are relative to (lineMin, sampleMin).
 */
export function mergedPlumeMask(
  plume: MergedPlume,
  samples: number,
  algorithmVersion: string,
  options: PlumeMaskResult['options'],
): { mask: PlumeMaskResult; valuePpmM: Float64Array; line0: number; sample0: number } {
  const { lineMin, lineMax, sampleMin, sampleMax } = plume.region;
  const h = lineMax - lineMin + 1;
  const w = sampleMax - sampleMin + 1;
  const labels = new Int32Array(h * w);
  const z = new Float64Array(h * w).fill(Number.NaN);
  const sigma = new Float64Array(h * w);
  const value = new Float64Array(h * w);
  for (let i = 0; i < plume.pixels.length; i++) {
    const p = plume.pixels[i];
    const l = ((p / samples) | 0) - lineMin;
    const s = (p % samples) - sampleMin;
    const q = l * w + s;
    labels[q] = 1;
    z[q] = plume.zScore[i];
    sigma[q] = plume.sigmaPpmM[i];
    value[q] = plume.valuePpmM[i];
  }
  const mp = plume.region.maxPixel;
  const region: PlumeRegion = {
    ...plume.region,
    label: 1,
    maxPixel: (((mp / samples) | 0) - lineMin) * w + ((mp % samples) - sampleMin),
    lineMin: 0,
    lineMax: h - 1,
    sampleMin: 0,
    sampleMax: w - 1,
  };
  return {
    mask: {
      lines: h,
      samples: w,
      labels,
      zScore: z,
      noiseSigmaPpmM: sigma,
      backgroundPpmM: new Float64Array(h * w),
      plumes: [region],
      options,
      algorithmVersion,
    },
    valuePpmM: value,
    line0: lineMin,
    sample0: sampleMin,
  };
}
