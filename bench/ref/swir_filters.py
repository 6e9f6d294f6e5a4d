"""numpy reference of plumetrace's column-wise matched filter (CMF) and sparse, albedo-corrected
matched filter (mag1c-style), for bench/spectral-swir.ts. The same estimators as
src/core/spectral/matched-filter.ts and src/core/spectral/mag1c.ts (see their file comments),
vectorised per column group: pixel rules (non-finite pixels are no data; bright outliers with
ln(mean radiance) above median + 10 * 1.4826 * MAD leave the statistics), column groups of at
least ceil(min_pixels_per_band * bands) statistics pixels, Ledoit-Wolf shrinkage toward
tr(S)/p * I, the solve by numpy.linalg.solve. Single thread: run it with OPENBLAS_NUM_THREADS=1.

Usage: python3 swir_filters.py cmf|sparse CUBE.f32 LINES SAMPLES BANDS TARGET.f64 OUT.f64 [ITERATIONS]
CUBE.f32: BIP float32 (line, sample, band), native byte order; TARGET.f64: per band, d ln L / d(ppm m).
Writes the enhancement map (ppm m, float64, lines x samples) to OUT.f64 and prints one JSON line
with the filter's wall time (after loading) in ms.
"""

import json
import math
import sys
import time

import numpy as np

MIN_PIXELS_PER_BAND = 1.5
BRIGHT_OUTLIER_MADS = 10.0
KAPPA = 3.0  # sparsity threshold in noise sigmas
EPS_SIGMAS = 1.0


def classify(cube):
    """(is_data, in_statistics), each lines x samples booleans."""
    finite = np.isfinite(cube).all(axis=2)
    mean = np.where(finite, cube.mean(axis=2, dtype=np.float64), 0.0)
    ln = np.log(np.maximum(mean[finite], np.finfo(np.float64).tiny))
    med = np.median(ln)
    mad = np.median(np.abs(ln - med))
    threshold = math.exp(med + BRIGHT_OUTLIER_MADS * 1.4826 * mad)
    return finite, finite & ~(mean > threshold)


def column_groups(in_stats, bands):
    """Group start columns (plus the final end), as planColumnGroups."""
    lines, samples = in_stats.shape
    min_pixels = max(2, math.ceil(MIN_PIXELS_PER_BAND * bands))
    per_column = in_stats.sum(axis=0)
    starts, counts, open_ = [0], [], 0
    for s in range(samples):
        open_ += int(per_column[s])
        if open_ >= min_pixels and s < samples - 1:
            counts.append(open_)
            starts.append(s + 1)
            open_ = 0
    if open_ >= min_pixels or not counts:
        counts.append(open_)
    else:
        starts.pop()
        counts[-1] += open_
    starts.append(samples)
    return starts


def shrunk_covariance(y):
    """Mean and Ledoit-Wolf shrunk covariance of the rows of y (n x p, float64)."""
    n, p = y.shape
    mu = y.mean(axis=0)
    c = y - mu
    s = (c.T @ c) / n
    m = np.trace(s) / p
    frob2 = float(np.sum(s * s))
    d2 = (frob2 - np.trace(s) ** 2 / p) / p
    norm4 = float(np.sum(np.sum(c * c, axis=1) ** 2))
    b2 = max(0.0, (norm4 - n * frob2) / (n * n * p))
    rho = min(b2, d2) / d2 if d2 > 0 else 1.0
    cov = (1 - rho) * s
    cov[np.diag_indices(p)] += rho * m
    return mu, cov


def cmf(cube, target):
    lines, samples, bands = cube.shape
    is_data, in_stats = classify(cube)
    out = np.full((lines, samples), np.nan)
    starts = column_groups(in_stats, bands)
    for g in range(len(starts) - 1):
        s0, s1 = starts[g], starts[g + 1]
        x = cube[:, s0:s1, :].astype(np.float64)
        mu, cov = shrunk_covariance(x[in_stats[:, s0:s1]])
        tp = mu * target
        w = np.linalg.solve(cov, tp)
        w /= tp @ w
        a = (x - mu) @ w
        out[:, s0:s1] = np.where(is_data[:, s0:s1], a, np.nan)
    return out


def sparse(cube, target, iterations):
    lines, samples, bands = cube.shape
    is_data, in_stats = classify(cube)
    out = np.full((lines, samples), np.nan)
    starts = column_groups(in_stats, bands)
    for g in range(len(starts) - 1):
        s0, s1 = starts[g], starts[g + 1]
        d = is_data[:, s0:s1]
        x = cube[:, s0:s1, :][d].astype(np.float64)  # data pixels, line-major
        st = in_stats[:, s0:s1][d]
        alpha = np.zeros(len(x))
        removed = np.zeros(len(x))
        t_removed = np.zeros(bands)
        ok = True
        for _ in range(iterations):
            ys = x[st] - np.outer(removed[st], t_removed)
            mu, cov = shrunk_covariance(ys)
            tp = mu * target
            try:
                v = np.linalg.solve(cov, tp)
            except np.linalg.LinAlgError:
                ok = False
                break
            n = tp @ v
            mm = mu @ mu
            if not (n > 0 and mm > 0):
                ok = False
                break
            a = (x @ mu) / mm
            z = x @ v - mu @ v
            pos = a > 0
            uhat = np.where(pos, z / np.where(pos, a, 1.0) / n, 0.0)
            resid = (a * (uhat - alpha))[st]
            med = np.median(resid)
            sigma = 1.4826 * np.median(np.abs(resid - med))
            sg = sigma if (sigma > 0 and math.isfinite(sigma)) else 0.0
            eps = EPS_SIGMAS * sg if sg > 0 else 1.0
            lam = KAPPA * sg * eps * n
            pen = 0.0 if lam == 0 else lam / (alpha + eps)
            al = np.where(pos, uhat - pen / (np.where(pos, a, 1.0) ** 2 * n), 0.0)
            al = np.where(al > 0, al, 0.0)
            alpha = al
            removed = al * a
            t_removed = tp
        if not ok:
            continue
        block = np.full((lines, s1 - s0), np.nan)
        block[d] = alpha
        out[:, s0:s1] = block
    return out


def main():
    method, cube_path, lines, samples, bands, target_path, out_path = sys.argv[1:8]
    iterations = int(sys.argv[8]) if len(sys.argv) > 8 else 10
    lines, samples, bands = int(lines), int(samples), int(bands)
    t_load = time.perf_counter()
    cube = np.fromfile(cube_path, dtype=np.float32).reshape(lines, samples, bands)
    target = np.fromfile(target_path, dtype=np.float64)
    load_ms = (time.perf_counter() - t_load) * 1e3
    t0 = time.perf_counter()
    out = cmf(cube, target) if method == "cmf" else sparse(cube, target, iterations)
    ms = (time.perf_counter() - t0) * 1e3
    out.astype(np.float64).tofile(out_path)
    print(json.dumps({"method": method, "ms": ms, "loadMs": load_ms, "numpy": np.__version__}))


if __name__ == "__main__":
    main()
