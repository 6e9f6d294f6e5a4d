/** How numbers, times and places read on the page. */

/** Three significant figures (whole numbers from 100 up), no trailing zeros: 12.3, 0.0457, 1,250. */
export function formatNumber(value: number): string {
  if (Math.abs(value) >= 100) return Math.round(value).toLocaleString('en-US');
  return String(Number(value.toPrecision(3)));
}

/** "12.3 ± 2.1 kg/h", "12.3 kg/h" without a sigma, "not quantified" without a rate. */
export function formatRate(rate: number | null, sigma: number | null): string {
  if (rate === null) return 'not quantified';
  return sigma === null ? `${formatNumber(rate)} kg/h` : `${formatNumber(rate)} ± ${formatNumber(sigma)} kg/h`;
}

/** A probability as a percentage: "100 %", "62 %", "< 1 %". */
export function formatConfidence(p: number): string {
  const pct = Math.round(p * 100);
  return pct === 0 && p > 0 ? '< 1 %' : `${pct} %`;
}

/** "2025-06-01 14:03 UTC" */
export function formatTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** "2025-06-01" */
export function formatDate(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toISOString().slice(0, 10);
}

/** "31.90120° N, 102.34110° W" */
export function formatLonLat(lon: number, lat: number): string {
  const ns = lat >= 0 ? 'N' : 'S';
  const ew = lon >= 0 ? 'E' : 'W';
  return `${Math.abs(lat).toFixed(5)}° ${ns}, ${Math.abs(lon).toFixed(5)}° ${ew}`;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}
