/** Small statistics for the bench reports: inputs are plain sample arrays. */

/** Arithmetic mean; NaN for no samples. */
export function mean(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  return values.reduce((s, v) => s + v, 0) / values.length;
}

/** Nearest-rank quantile (q in 0..1); NaN for no samples. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1] as number;
}

/** Median (nearest rank, lower middle). */
export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

/** Least-squares slope of y over x; NaN with fewer than two points. */
export function slope(points: readonly { x: number; y: number }[]): number {
  if (points.length < 2) return Number.NaN;
  const mx = mean(points.map((p) => p.x));
  const my = mean(points.map((p) => p.y));
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.x - mx) * (p.y - my);
    den += (p.x - mx) ** 2;
  }
  return den === 0 ? Number.NaN : num / den;
}

/** Rounds to `digits` decimals, for the reports (NaN stays NaN; JSON writes it as null). */
export function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** Summary of latency errors: mean, p50, p99, max, count. */
export interface ErrorSummary {
  samples: number;
  meanMs: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** Summarises samples (ms) into an {@link ErrorSummary}, rounded to 0.01 ms. */
export function summarise(values: readonly number[]): ErrorSummary {
  return {
    samples: values.length,
    meanMs: round(mean(values), 3),
    p50Ms: round(quantile(values, 0.5), 3),
    p99Ms: round(quantile(values, 0.99), 3),
    maxMs: round(Math.max(...values), 3),
  };
}
