/**
 * The standard normal distribution: density, CDF and log-CDF, from one rational approximation of
 * erfc (Numerical Recipes' Chebyshev fit, relative error < 1.2e-7 everywhere). Pure.
 */

/** ln erfc(u) for u ≥ 0. */
function logErfc(u: number): number {
  const t = 1 / (1 + 0.5 * u);
  const poly =
    -1.26551223 +
    t *
      (1.00002368 +
        t *
          (0.37409196 +
            t *
              (0.09678418 +
                t *
                  (-0.18628806 +
                    t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  return Math.log(t) - u * u + poly;
}

/** Standard normal CDF Φ(x). */
export function normalCdf(x: number): number {
  const erfc = Math.exp(logErfc(Math.abs(x) / Math.SQRT2));
  return x >= 0 ? 1 - 0.5 * erfc : 0.5 * erfc;
}

/** Standard normal density φ(x). */
export function normalPdf(x: number): number {
  return Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
}

/** ln Φ(x), accurate in both tails. */
export function logNormalCdf(x: number): number {
  if (x === Number.POSITIVE_INFINITY) return 0;
  if (x === Number.NEGATIVE_INFINITY) return Number.NEGATIVE_INFINITY;
  // Φ(x) = erfc(−x/√2)/2; for −x/√2 < 0, erfc(u) = 2 − erfc(|u|).
  const u = -x / Math.SQRT2;
  const lnErfcAbs = logErfc(Math.abs(u));
  if (u >= 0) return lnErfcAbs - Math.LN2;
  return Math.log(1 - Math.exp(lnErfcAbs) / 2);
}
