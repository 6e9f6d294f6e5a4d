/**
 * The PDF evidence report of a referral (pdf-lib, A4): what an authority needs to act on it.
 *
 * 1. Title page: site, status, referral, urgency and deadlines (overdue flagged), the rate with its
 *    90% interval, persistence, gases, location and its uncertainty.
 * 2. Map, drawn as vectors in a local metric frame centred on the site (x east, y north, north up):
 *    scale bar, north arrow, wind arrow, the site, detections, 90% location ellipses, plume
 *    outlines and exposure areas, with a legend.
 * 3. Plume images as embedded PNGs with a colour bar.
 * 4. Emission history: rate against time with 90% error bars.
 * 5. Exposure: "X ppm up to D m downwind (90%: lo–hi m)" per threshold, the assumptions and warnings.
 * 6. Detections, reviews, the timeline, and the provenance of every number.
 *
 * The standard fonts encode WinAnsi only: every string goes through winAnsi() (text.ts), so any
 * user text prints in a sanitized form and never crashes the writer.
 */
import {
  clip,
  endPath,
  type PDFFont,
  type PDFImage,
  PDFDocument,
  type PDFPage,
  popGraphicsState,
  pushGraphicsState,
  rectangle,
  rgb,
  StandardFonts,
} from 'pdf-lib';
import type { Polygon } from 'geojson';
import { localFrame } from '../../core/geo/local-frame.ts';
import { ellipsePolygon } from './features.ts';
import { colourise, encodePng } from './png.ts';
import { winAnsi } from './text.ts';
import type { ReferralPackageInput } from './types.ts';
import { validateReferralInput } from './validate.ts';

const PAGE_W = 595.28;
const PAGE_H = 841.89;
const MARGIN = 50;
const CONTENT_W = PAGE_W - 2 * MARGIN;
/** Free text longer than this is cut in the PDF (the other formats carry it whole). */
export const MAX_TEXT_CHARS = 4000;
const BLACK = rgb(0, 0, 0);
const GREY = rgb(0.45, 0.45, 0.45);
const RED = rgb(0.8, 0.1, 0.1);
const ORANGE = rgb(0.95, 0.55, 0.05);
const MAGENTA = rgb(0.75, 0.1, 0.75);
const BLUE = rgb(0.1, 0.35, 0.8);
const GOLD = rgb(0.85, 0.7, 0.0);

type Colour = ReturnType<typeof rgb>;

/** A number with `digits` significant digits, without exponent for everyday magnitudes. */
export function fmtSig(v: number, digits = 3): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 10 ** digits) return String(Math.round(v));
  if (a < 1e-4) return v.toExponential(digits - 1);
  return String(Number(v.toPrecision(digits)));
}

/** ISO time as "YYYY-MM-DD HH:MM UTC". */
export function fmtTime(iso: string): string {
  return `${new Date(iso).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

export function fmtRate(rate: number | null, ci: readonly [number, number] | null): string {
  if (rate === null) return 'not quantified';
  return `${fmtSig(rate)} kg/h${ci ? ` (90%: ${fmtSig(ci[0])}-${fmtSig(ci[1])} kg/h)` : ''}`;
}

/** "10 ppm up to 78 m downwind (90%: 46–124 m)" for one threshold of the exposure estimate. */
export function exposureLine(t: { thresholdPpm: number; maxDistanceM: { central: number; lo: number; hi: number } }) {
  const m = (v: number) => String(Math.round(v));
  return `${fmtSig(t.thresholdPpm)} ppm up to ${m(t.maxDistanceM.central)} m downwind (90%: ${m(t.maxDistanceM.lo)}\u2013${m(t.maxDistanceM.hi)} m)`;
}

/** A flowing A4 layout: a cursor going down the page, wrapped text, tables, page breaks. */
class Layout {
  page!: PDFPage;
  y = 0;
  readonly pages: PDFPage[] = [];
  readonly doc: PDFDocument;
  readonly font: PDFFont;
  readonly bold: PDFFont;
  constructor(doc: PDFDocument, font: PDFFont, bold: PDFFont) {
    this.doc = doc;
    this.font = font;
    this.bold = bold;
    this.newPage();
  }

  newPage(): void {
    this.page = this.doc.addPage([PAGE_W, PAGE_H]);
    this.pages.push(this.page);
    this.y = PAGE_H - MARGIN;
  }

  ensure(h: number): void {
    if (this.y - h < MARGIN) this.newPage();
  }

  wrap(text: string, size: number, width: number, font = this.font): string[] {
    const lines: string[] = [];
    const clipped =
      text.length > MAX_TEXT_CHARS
        ? `${text.slice(0, MAX_TEXT_CHARS)} ... [${text.length - MAX_TEXT_CHARS} more characters not shown]`
        : text;
    for (const para of clipped.replace(/\r\n?/g, '\n').split('\n')) {
      let line = '';
      for (const word of winAnsi(para).split(' ')) {
        const cand = line ? `${line} ${word}` : word;
        if (font.widthOfTextAtSize(cand, size) <= width) {
          line = cand;
          continue;
        }
        if (line) lines.push(line);
        // A word wider than the line is cut into pieces: the longest prefix that fits, found by
        // bisection below a bound no glyph beats (none is narrower than 0.15 em).
        let w = word;
        const most = Math.max(1, Math.floor(width / (0.15 * size)));
        while (w.length > 1 && font.widthOfTextAtSize(w, size) > width) {
          let lo = 1;
          let hi = Math.min(w.length - 1, most);
          while (lo < hi) {
            const mid = Math.ceil((lo + hi) / 2);
            if (font.widthOfTextAtSize(w.slice(0, mid), size) <= width) lo = mid;
            else hi = mid - 1;
          }
          lines.push(w.slice(0, lo));
          w = w.slice(lo);
        }
        line = w;
      }
      lines.push(line);
    }
    return lines;
  }

  text(s: string, opts: { size?: number; bold?: boolean; colour?: Colour; indent?: number; gap?: number } = {}): void {
    const size = opts.size ?? 10;
    const font = opts.bold ? this.bold : this.font;
    const indent = opts.indent ?? 0;
    for (const line of this.wrap(s, size, CONTENT_W - indent, font)) {
      this.ensure(size * 1.3);
      this.page.drawText(line, { x: MARGIN + indent, y: this.y - size, size, font, color: opts.colour ?? BLACK });
      this.y -= size * 1.3;
    }
    this.y -= opts.gap ?? 2;
  }

  /** A section title, kept on one page with at least `keepWith` points of what follows. */
  heading(s: string, size = 14, keepWith = 120): void {
    this.ensure(size * 3 + keepWith);
    this.y -= size * 0.6;
    this.text(s, { size, bold: true, gap: 4 });
  }

  /** Label: value rows in two columns. */
  fields(rows: [string, string, Colour?][]): void {
    const size = 10;
    const labelW = 150;
    for (const [label, value, colour] of rows) {
      const lines = this.wrap(value, size, CONTENT_W - labelW);
      this.ensure(size * 1.3 * lines.length);
      this.page.drawText(winAnsi(label), { x: MARGIN, y: this.y - size, size, font: this.bold, color: GREY });
      for (const line of lines) {
        this.page.drawText(line, {
          x: MARGIN + labelW,
          y: this.y - size,
          size,
          font: this.font,
          color: colour ?? BLACK,
        });
        this.y -= size * 1.3;
      }
      this.y -= 1;
    }
  }

  /** A table with wrapped cells; the header repeats after a page break. */
  table(columns: { title: string; width: number }[], rows: string[][], size = 8): void {
    const total = columns.reduce((n, c) => n + c.width, 0);
    const widths = columns.map((c) => (c.width / total) * CONTENT_W);
    const drawRow = (cells: string[], font: PDFFont, shade: boolean) => {
      const wrapped = cells.map((c, i) => this.wrap(c, size, widths[i] - 4, font));
      const h = Math.max(...wrapped.map((w) => w.length)) * size * 1.25 + 3;
      if (this.y - h < MARGIN) {
        this.newPage();
        if (!shade)
          drawRow(
            columns.map((c) => c.title),
            this.bold,
            true,
          );
      }
      if (shade)
        this.page.drawRectangle({
          x: MARGIN,
          y: this.y - h,
          width: CONTENT_W,
          height: h,
          color: rgb(0.92, 0.92, 0.92),
        });
      let x = MARGIN;
      wrapped.forEach((lines, i) => {
        lines.forEach((line, k) => {
          this.page.drawText(line, {
            x: x + 2,
            y: this.y - 2 - size * (k + 1) * 1.25 + size * 0.25,
            size,
            font,
            color: BLACK,
          });
        });
        x += widths[i];
      });
      this.y -= h;
      this.page.drawLine({
        start: { x: MARGIN, y: this.y },
        end: { x: MARGIN + CONTENT_W, y: this.y },
        thickness: 0.3,
        color: GREY,
      });
    };
    drawRow(
      columns.map((c) => c.title),
      this.bold,
      true,
    );
    for (const r of rows) drawRow(r, this.font, false);
    this.y -= 6;
  }
}

/** A value 1, 2 or 5 × 10^k not above v. */
function niceStep(v: number): number {
  const p = 10 ** Math.floor(Math.log10(v));
  const m = v / p;
  return (m >= 5 ? 5 : m >= 2 ? 2 : 1) * p;
}

function svgPath(points: [number, number][]): string {
  return `${points.map(([x, y], i) => `${i ? 'L' : 'M'}${x.toFixed(2)} ${(PAGE_H - y).toFixed(2)}`).join(' ')} Z`;
}

function arrow(page: PDFPage, x0: number, y0: number, x1: number, y1: number, colour: Colour, thickness = 1.5): void {
  page.drawLine({ start: { x: x0, y: y0 }, end: { x: x1, y: y1 }, thickness, color: colour });
  const a = Math.atan2(y1 - y0, x1 - x0);
  const head = 7;
  const pts: [number, number][] = [
    [x1, y1],
    [x1 - head * Math.cos(a - 0.4), y1 - head * Math.sin(a - 0.4)],
    [x1 - head * Math.cos(a + 0.4), y1 - head * Math.sin(a + 0.4)],
  ];
  page.drawSvgPath(svgPath(pts), { x: 0, y: PAGE_H, color: colour, borderWidth: 0 });
}

/**
 * One map panel: 'overview' spans every feature (the exposure areas set the scale); 'detail' spans
 * the detections and location ellipses only (at least 50 m around the site), clipped to its frame.
 */
function drawMap(L: Layout, input: ReferralPackageInput, mode: 'overview' | 'detail', size: number): void {
  const { site } = input;
  const frame = localFrame(site.lat, site.lon);
  const toXY = (lon: number, lat: number) => frame.toXY(lat, lon);
  const shapes: {
    ring: [number, number][];
    kind: 'contour' | 'plume' | 'site-ellipse' | 'det-ellipse';
    ppm?: number;
  }[] = [];
  const ringOf = (p: Polygon) => p.coordinates[0].map(([lon, lat]) => toXY(lon, lat));
  if (input.exposure) {
    // Largest threshold drawn last, so inner areas stay visible.
    const contours = [...input.exposure.contours].sort((a, b) => a.ppm - b.ppm);
    for (const c of contours) shapes.push({ ring: ringOf(c.polygon), kind: 'contour', ppm: c.ppm });
  }
  for (const d of input.detections) if (d.plumeOutline) shapes.push({ ring: ringOf(d.plumeOutline), kind: 'plume' });
  for (const d of input.detections) {
    if (d.locationCi90)
      shapes.push({ ring: ringOf(ellipsePolygon(d.lat, d.lon, d.locationCi90)), kind: 'det-ellipse' });
  }
  if (site.locationCi90)
    shapes.push({ ring: ringOf(ellipsePolygon(site.lat, site.lon, site.locationCi90)), kind: 'site-ellipse' });
  const dets = input.detections.map((d) => toXY(d.lon, d.lat));
  let r = 50;
  for (const s of shapes) {
    if (mode === 'detail' && (s.kind === 'contour' || s.kind === 'plume')) continue;
    for (const [x, y] of s.ring) r = Math.max(r, Math.abs(x), Math.abs(y));
  }
  for (const [x, y] of dets) r = Math.max(r, Math.abs(x), Math.abs(y));
  r *= 1.1;
  L.ensure(size + 10);
  const page = L.page;
  const left = MARGIN + (CONTENT_W - size) / 2;
  const bottom = L.y - size;
  const cx = left + size / 2;
  const cy = bottom + size / 2;
  const s = size / (2 * r);
  const P = ([x, y]: [number, number]): [number, number] => [cx + x * s, cy + y * s];
  page.drawRectangle({
    x: left,
    y: bottom,
    width: size,
    height: size,
    borderColor: GREY,
    borderWidth: 0.8,
    color: rgb(0.98, 0.98, 0.96),
  });
  page.pushOperators(pushGraphicsState(), rectangle(left, bottom, size, size), clip(), endPath());
  const inside = ([x, y]: [number, number]): [number, number] => [
    Math.min(left + size - 30, Math.max(left + 2, x)),
    Math.min(bottom + size - 10, Math.max(bottom + 2, y)),
  ];
  for (const sh of shapes) {
    const pts = sh.ring.map(P);
    const path = svgPath(pts);
    if (sh.kind === 'contour') {
      page.drawSvgPath(path, { x: 0, y: PAGE_H, color: MAGENTA, opacity: 0.15, borderColor: MAGENTA, borderWidth: 1 });
      if (mode === 'overview') {
        const far = pts.reduce((best, p) =>
          Math.hypot(p[0] - cx, p[1] - cy) > Math.hypot(best[0] - cx, best[1] - cy) ? p : best,
        );
        const [lx, ly] = inside([far[0] + 3, far[1] + 3]);
        page.drawText(winAnsi(`${fmtSig(sh.ppm ?? 0)} ppm`), {
          x: lx,
          y: ly,
          size: 7,
          font: L.font,
          color: MAGENTA,
        });
      }
    } else if (sh.kind === 'plume') {
      page.drawSvgPath(path, { x: 0, y: PAGE_H, color: GOLD, opacity: 0.35, borderColor: GOLD, borderWidth: 0.8 });
    } else {
      const colour = sh.kind === 'site-ellipse' ? RED : ORANGE;
      page.drawSvgPath(path, {
        x: 0,
        y: PAGE_H,
        borderColor: colour,
        borderWidth: sh.kind === 'site-ellipse' ? 1.2 : 0.6,
        borderDashArray: [3, 2],
      });
    }
  }
  dets.forEach((d, k) => {
    const [x, y] = P(d);
    page.drawCircle({ x, y, size: 2.5, color: ORANGE, borderColor: BLACK, borderWidth: 0.3 });
    if (mode === 'detail') {
      const label = winAnsi(input.detections[k].id).slice(0, 24);
      page.drawText(label, { x: x + 4, y: y - 9, size: 6, font: L.font, color: GREY });
    }
  });
  page.drawLine({ start: { x: cx - 7, y: cy }, end: { x: cx + 7, y: cy }, thickness: 2, color: RED });
  page.drawLine({ start: { x: cx, y: cy - 7 }, end: { x: cx, y: cy + 7 }, thickness: 2, color: RED });
  page.drawText(winAnsi(site.name).slice(0, 40), { x: cx + 8, y: cy + 8, size: 8, font: L.bold, color: RED });
  page.pushOperators(popGraphicsState());
  // Scale bar (bottom left).
  const barM = niceStep(r * 0.6);
  const barPt = barM * s;
  page.drawLine({
    start: { x: left + 12, y: bottom + 14 },
    end: { x: left + 12 + barPt, y: bottom + 14 },
    thickness: 2,
    color: BLACK,
  });
  for (const x of [left + 12, left + 12 + barPt])
    page.drawLine({ start: { x, y: bottom + 10 }, end: { x, y: bottom + 18 }, thickness: 1, color: BLACK });
  page.drawText(`${barM >= 1000 ? `${barM / 1000} km` : `${barM} m`}`, {
    x: left + 12,
    y: bottom + 21,
    size: 8,
    font: L.font,
  });
  // North arrow (top right).
  arrow(page, left + size - 20, bottom + size - 45, left + size - 20, bottom + size - 15, BLACK);
  page.drawText('N', { x: left + size - 23, y: bottom + size - 57, size: 9, font: L.bold });
  // Wind arrow (top left): it points where the wind blows to.
  if (input.exposure) {
    const e = input.exposure;
    const to = ((e.windFromDeg + 180) * Math.PI) / 180;
    const ax = left + 35;
    const ay = bottom + size - 35;
    arrow(
      page,
      ax - 18 * Math.sin(to),
      ay - 18 * Math.cos(to),
      ax + 18 * Math.sin(to),
      ay + 18 * Math.cos(to),
      BLUE,
      2,
    );
    page.drawText(winAnsi(`wind from ${fmtSig(e.windFromDeg)} deg, ${fmtSig(e.windSpeedMps)} m/s`), {
      x: left + 8,
      y: bottom + size - 65,
      size: 7,
      font: L.font,
      color: BLUE,
    });
  }
  L.y = bottom - 8;
}

function mapLegend(L: Layout): void {
  L.text(
    'Legend: red cross = site; red dashed = site 90% location ellipse; orange dots = detections, orange dashed = their 90% ellipses; yellow = plume outlines; magenta = ground-level concentration above each threshold (central case); blue arrow = wind direction (blowing toward). Local frame centred on the site, north up.',
    { size: 8, colour: GREY },
  );
}

function drawImage(
  L: Layout,
  img: PDFImage,
  bar: PDFImage,
  title: string,
  unit: string,
  lo: number,
  hi: number,
  w: number,
  h: number,
) {
  const maxW = CONTENT_W - 80;
  const maxH = 300;
  const k = Math.min(maxW / w, maxH / h);
  const dw = w * k;
  const dh = h * k;
  L.ensure(dh + 40);
  L.text(title, { size: 10, bold: true });
  const page = L.page;
  const bottom = L.y - dh;
  page.drawImage(img, { x: MARGIN, y: bottom, width: dw, height: dh });
  page.drawRectangle({ x: MARGIN, y: bottom, width: dw, height: dh, borderColor: GREY, borderWidth: 0.5 });
  const bx = MARGIN + dw + 12;
  page.drawImage(bar, { x: bx, y: bottom, width: 12, height: dh });
  page.drawText(winAnsi(`${fmtSig(hi)} ${unit}`), { x: bx + 16, y: bottom + dh - 8, size: 7, font: L.font });
  page.drawText(winAnsi(`${fmtSig(lo)} ${unit}`), { x: bx + 16, y: bottom, size: 7, font: L.font });
  L.y = bottom - 6;
  L.text(`${w} x ${h} pixels; grey = no data; north up.`, { size: 7, colour: GREY, gap: 8 });
}

function drawHistory(L: Layout, input: ReferralPackageInput): void {
  const pts = input.emissionHistory.map((p) => ({ ...p, t: Date.parse(p.time) })).sort((a, b) => a.t - b.t);
  if (pts.length === 0) {
    L.text('No quantified emission estimates.');
    return;
  }
  const w = CONTENT_W - 50;
  const h = 200;
  L.ensure(h + 50);
  const page = L.page;
  const left = MARGIN + 45;
  const bottom = L.y - h;
  let t0 = pts[0].t;
  let t1 = pts[pts.length - 1].t;
  if (t1 - t0 < 3_600_000) {
    t0 -= 43_200_000;
    t1 += 43_200_000;
  }
  const pad = (t1 - t0) * 0.05;
  t0 -= pad;
  t1 += pad;
  const yMax = Math.max(...pts.map((p) => p.hi), ...pts.map((p) => p.rateKgPerHour)) * 1.1 || 1;
  const step = niceStep(yMax / 4);
  const X = (t: number) => left + ((t - t0) / (t1 - t0)) * w;
  const Y = (v: number) => bottom + (Math.max(0, v) / yMax) * h;
  page.drawRectangle({ x: left, y: bottom, width: w, height: h, borderColor: GREY, borderWidth: 0.8 });
  for (let v = 0; v <= yMax; v += step) {
    page.drawLine({ start: { x: left, y: Y(v) }, end: { x: left + w, y: Y(v) }, thickness: 0.2, color: GREY });
    page.drawText(fmtSig(v), { x: left - 40, y: Y(v) - 3, size: 7, font: L.font });
  }
  page.drawText('kg/h', { x: left - 40, y: bottom + h + 6, size: 7, font: L.bold });
  const ticks =
    pts.length <= 6 ? pts.map((p) => p.t) : [pts[0].t, pts[Math.floor(pts.length / 2)].t, pts[pts.length - 1].t];
  let lastX = Number.NEGATIVE_INFINITY;
  for (const t of ticks) {
    const x = X(t);
    if (x - lastX < 60) continue;
    lastX = x;
    page.drawLine({ start: { x, y: bottom }, end: { x, y: bottom - 3 }, thickness: 0.5, color: BLACK });
    page.drawText(new Date(t).toISOString().slice(0, 10), { x: x - 20, y: bottom - 12, size: 7, font: L.font });
  }
  for (const p of pts) {
    const x = X(p.t);
    page.drawLine({ start: { x, y: Y(p.lo) }, end: { x, y: Y(p.hi) }, thickness: 0.8, color: BLUE });
    for (const v of [p.lo, p.hi])
      page.drawLine({ start: { x: x - 3, y: Y(v) }, end: { x: x + 3, y: Y(v) }, thickness: 0.8, color: BLUE });
    page.drawCircle({ x, y: Y(p.rateKgPerHour), size: 2.5, color: BLUE });
  }
  L.y = bottom - 22;
  L.text('Points: estimated rate; bars: 90% interval.', { size: 8, colour: GREY });
}

/**
 * The provenance table: the caller's entries, then what the package itself knows — each
 * detection's numbers with the method, algorithm version, flight and sensor that made them, and
 * the exposure model with its inputs.
 */
export function provenanceRows(input: ReferralPackageInput): string[][] {
  const rows = input.provenance.map((p) => [p.quantity, p.value, p.source]);
  for (const d of input.detections) {
    const made = `${d.method} ${d.algorithmVersion}; flight ${d.flightName}, ${d.platform}, ${d.sensorKind}; ${fmtTime(d.time)}`;
    if (d.rateKgPerHour !== null)
      rows.push([`Rate, detection ${d.id}`, fmtRate(d.rateKgPerHour, d.rateKgPerHourCi90), made]);
    if (d.enhancement !== null) {
      rows.push([`Enhancement, detection ${d.id}`, `${fmtSig(d.enhancement)} ${d.enhancementUnit ?? ''}`, made]);
    }
  }
  const e = input.exposure;
  if (e) {
    const est = e.estimate;
    const src = `Gaussian plume (plumetrace core/exposure), rate ${fmtSig(est.rateKgPerHour.central)} kg/h (90%: ${fmtSig(est.rateKgPerHour.lo)}-${fmtSig(est.rateKgPerHour.hi)}), wind ${fmtSig(e.windSpeedMps)} m/s from ${fmtSig(e.windFromDeg)} deg, stability ${est.stability.central} (plausible ${est.stability.plausible.join(', ')}), release ${fmtSig(est.sourceHeightM)} m, receptor ${fmtSig(est.receptorHeightM)} m`;
    for (const t of est.thresholds)
      rows.push([`Exposure distance, ${fmtSig(t.thresholdPpm)} ppm`, `${Math.round(t.maxDistanceM.central)} m`, src]);
  }
  return rows;
}

function overdue(flag: boolean): string {
  return flag ? ' - OVERDUE' : '';
}

export async function referralPdf(input: ReferralPackageInput): Promise<Uint8Array> {
  validateReferralInput(input);
  const { site, referral } = input;
  const doc = await PDFDocument.create();
  const created = new Date(input.generatedAt);
  doc.setTitle(`Referral ${referral.id}: ${site.name}`);
  doc.setSubject('plumetrace referral evidence report');
  doc.setAuthor(`${input.generatedBy.displayName} (${input.generatedBy.organizationName})`);
  doc.setCreator('plumetrace');
  doc.setProducer('plumetrace (pdf-lib)');
  doc.setCreationDate(created);
  doc.setModificationDate(created);
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const bold = await doc.embedFont(StandardFonts.HelveticaBold);
  const L = new Layout(doc, font, bold);

  // 1. Title page.
  L.text('Referral evidence report', { size: 22, bold: true, gap: 6 });
  L.text(`Suspected emission source: ${site.name}`, { size: 14, gap: 10 });
  const loc = site.locationCi90;
  const urgentColour =
    referral.urgency.level === 'urgent' ? RED : referral.urgency.level === 'priority' ? ORANGE : BLACK;
  L.fields([
    ['Site', `${site.name} (site ${site.id})`],
    ['Site status', site.status],
    ['Referral', `${referral.id}, ${referral.status}, made ${fmtTime(referral.createdAt)}`],
    ['Referred to', referral.organizationName],
    ['Basis', referral.basis === 'jurisdiction' ? 'the site lies in its jurisdiction' : 'chosen by the analyst'],
    ...(referral.reason ? ([['Reason', referral.reason]] as [string, string][]) : []),
    ['Urgency', `${referral.urgency.level.toUpperCase()} (score ${fmtSig(referral.urgency.score)})`, urgentColour],
    [
      'Acknowledge by',
      `${fmtTime(referral.acknowledgeBy)}${overdue(referral.overdue.acknowledge)}`,
      referral.overdue.acknowledge ? RED : BLACK,
    ],
    [
      'Act by',
      `${fmtTime(referral.actionBy)}${overdue(referral.overdue.action)}`,
      referral.overdue.action ? RED : BLACK,
    ],
    ...(referral.outcome ? ([['Outcome', referral.outcome]] as [string, string][]) : []),
    ['Gases', site.gases.join(', ') || 'not identified'],
    ['Emission rate', fmtRate(site.rateKgPerHour, site.rateKgPerHourCi90)],
    [
      'Persistence',
      `detected on ${site.persistence.detections} of ${site.persistence.overflights} overflights that covered the site`,
    ],
    ['First / last seen', `${fmtTime(site.firstSeen)} / ${fmtTime(site.lastSeen)}`],
    ['Location', `${site.lat.toFixed(6)}, ${site.lon.toFixed(6)} (WGS84 lat, lon)`],
    [
      'Location, 90%',
      loc
        ? `ellipse ${fmtSig(loc.semiMajorM)} m x ${fmtSig(loc.semiMinorM)} m (semi-axes), major axis at ${fmtSig(loc.azimuthDeg)} deg`
        : 'not given',
    ],
    [
      'Generated',
      `${fmtTime(input.generatedAt)} by ${input.generatedBy.displayName} (${input.generatedBy.organizationName})`,
    ],
  ]);
  if (input.exposure) {
    L.heading('Exposure at a glance', 12);
    for (const t of input.exposure.estimate.thresholds) L.text(`${input.exposure.estimate.gas}: ${exposureLine(t)}`);
    L.text('Approach from upwind. Planning figures, not safety guarantees: confirm with direct-reading instruments.', {
      size: 9,
      colour: RED,
    });
  }
  L.text(
    'This report was confirmed by two reviewers (R1, R2) before referral. It concerns a site, not persons. Figures carry 90% intervals; see the provenance table for the source of every number.',
    { size: 8, colour: GREY },
  );

  // 2. Map.
  L.newPage();
  L.heading('Map: exposure overview', 12, 310);
  drawMap(L, input, 'overview', 300);
  L.heading('Map: site detail', 12, 310);
  drawMap(L, input, 'detail', 300);
  mapLegend(L);

  // 3. Plume images.
  L.heading('Plume images', 14, 220);
  if (input.plumeImages.length === 0) L.text('No plume images.');
  const barValues = new Float32Array(256);
  for (let i = 0; i < 256; i++) barValues[i] = 1 - i / 255;
  const bar = await doc.embedPng(encodePng(1, 256, colourise(barValues, 0, 1)));
  for (const im of input.plumeImages) {
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (const v of im.values) {
      if (!Number.isFinite(v)) continue;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    if (lo > hi) {
      lo = 0;
      hi = 1;
    }
    const png = await doc.embedPng(encodePng(im.width, im.height, colourise(im.values, lo, hi)));
    drawImage(L, png, bar, `${im.title} (detection ${im.detectionId})`, im.unit, lo, hi, im.width, im.height);
  }

  // 4. Emission history.
  L.heading('Emission history', 14, 260);
  drawHistory(L, input);

  // 5. Exposure.
  L.heading('Downwind exposure estimate');
  const e = input.exposure;
  if (!e) {
    L.text('No exposure estimate (no emission rate or wind). Treat the site and its surroundings as hazardous.');
  } else {
    const est = e.estimate;
    L.fields([
      ['Gas', est.gas],
      [
        'Rate used',
        `${fmtSig(est.rateKgPerHour.central)} kg/h (90%: ${fmtSig(est.rateKgPerHour.lo)}-${fmtSig(est.rateKgPerHour.hi)} kg/h)`,
      ],
      ['Wind', `from ${fmtSig(e.windFromDeg)} deg at ${fmtSig(e.windSpeedMps)} m/s`],
      ['Stability', `${est.stability.central} (plausible: ${est.stability.plausible.join(', ')})`],
      ['Release / receptor height', `${fmtSig(est.sourceHeightM)} m / ${fmtSig(est.receptorHeightM)} m`],
      [
        'Peak concentration',
        `${fmtSig(est.peakPpm.central)} ppm at ${fmtSig(est.peakAtXM.central)} m downwind (90%: ${fmtSig(est.peakPpm.lo)}-${fmtSig(est.peakPpm.hi)} ppm)`,
      ],
    ]);
    L.table(
      [
        { title: 'Threshold', width: 1 },
        { title: 'Distance downwind', width: 3.2 },
        { title: 'Most stable air', width: 1.6 },
        { title: 'Upper bound', width: 1.4 },
        { title: 'Area (central)', width: 1.3 },
      ],
      est.thresholds.map((t) => [
        `${fmtSig(t.thresholdPpm)} ppm`,
        exposureLine(t) + (t.beyondRange ? ' (beyond range: lower bound)' : ''),
        `${Math.round(t.maxDistanceM.mostStable)} m (${est.stability.mostStable})`,
        `${Math.round(t.maxDistanceM.upper)} m`,
        t.areaM2.central >= 10_000 ? `${fmtSig(t.areaM2.central / 10_000)} ha` : `${fmtSig(t.areaM2.central)} m2`,
      ]),
    );
    if (est.warnings.length > 0) {
      L.text('Warnings', { bold: true });
      for (const w of est.warnings) L.text(`- ${w}`, { indent: 8, colour: RED });
    }
    L.text('Assumptions', { bold: true });
    for (const a of est.assumptions) L.text(`- ${a}`, { indent: 8, size: 9 });
  }

  // 6. Detections, reviews, timeline, provenance.
  L.heading('Detections');
  if (input.detections.length === 0) L.text('No detections attached.');
  else {
    L.table(
      [
        { title: 'Detection', width: 1.3 },
        { title: 'Time', width: 1.5 },
        { title: 'Gas', width: 0.6 },
        { title: 'Rate (kg/h, 90%)', width: 1.7 },
        { title: 'Enhancement', width: 1.1 },
        { title: 'Method / version', width: 1.5 },
        { title: 'Flight / platform / sensor', width: 2 },
      ],
      input.detections.map((d) => [
        d.id,
        fmtTime(d.time),
        d.gas,
        fmtRate(d.rateKgPerHour, d.rateKgPerHourCi90),
        d.enhancement === null
          ? '-'
          : `${fmtSig(d.enhancement)} ${d.enhancementUnit === 'ppm·m' ? 'ppm m' : (d.enhancementUnit ?? '')}`,
        `${d.method} ${d.algorithmVersion}`,
        `${d.flightName} / ${d.platform} / ${d.sensorKind}`,
      ]),
    );
  }
  L.heading('Reviews');
  if (input.reviews.length === 0) L.text('No reviews recorded.');
  else {
    L.table(
      [
        { title: 'Stage', width: 0.6 },
        { title: 'Reviewer', width: 1.5 },
        { title: 'Decision', width: 1 },
        { title: 'Reason', width: 3.5 },
        { title: 'When', width: 1.5 },
      ],
      input.reviews.map((r) => [r.stage, r.reviewerName, r.decision, r.reason, fmtTime(r.at)]),
    );
  }
  L.heading('Timeline');
  if (input.events.length === 0) L.text('No events recorded.');
  else {
    L.table(
      [
        { title: 'When', width: 1.4 },
        { title: 'Action', width: 1.1 },
        { title: 'By', width: 1.6 },
        { title: 'Note', width: 3.5 },
      ],
      input.events.map((ev) => [fmtTime(ev.at), ev.action, ev.by, ev.text ?? '']),
    );
  }
  L.heading('Provenance');
  const rows = provenanceRows(input);
  if (rows.length === 0) L.text('No provenance entries.');
  else {
    L.table(
      [
        { title: 'Quantity', width: 2 },
        { title: 'Value', width: 1.6 },
        { title: 'Source', width: 3.6 },
      ],
      rows,
    );
  }

  const n = L.pages.length;
  L.pages.forEach((page, i) => {
    page.drawText(winAnsi(`plumetrace referral ${referral.id} - site ${site.id} - page ${i + 1} of ${n}`), {
      x: MARGIN,
      y: 25,
      size: 7,
      font,
      color: GREY,
    });
  });
  return doc.save();
}
