// The statistics `fislat compare` names: Mann-Whitney U for "is RUN's latency distribution shifted
// above BASE's" (rank-based, so no assumption of normal latencies; normal approximation with tie
// and continuity corrections), a one-sided two-proportion z-test for failed shares, and the
// distribution-free confidence interval of a percentile from order statistics (binomial ranks).
// Deterministic: no resampling, so the same two reports always give the same answer.

/** Φ(z), the standard normal CDF (Abramowitz and Stegun 7.1.26, error below 1.5e-7). */
export function normalCdf(z: number): number {
  const t = 1 / (1 + 0.3275911 * (Math.abs(z) / Math.SQRT2));
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-(z * z) / 2);
  return z >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

export interface ShiftTest {
  /** U of RUN's sample: how often a RUN value exceeds a BASE value (ties count half). */
  u: number;
  z: number;
  /** One-sided p-value of "RUN tends to be larger than BASE". */
  p: number;
}

/** Mann-Whitney U, one-sided: is `run` stochastically larger than `base`? */
export function mannWhitneyGreater(base: number[], run: number[]): ShiftTest {
  const n1 = run.length;
  const n2 = base.length;
  if (n1 === 0 || n2 === 0) return { u: 0, z: 0, p: 1 };
  const all = [...run.map((v) => ({ v, run: true })), ...base.map((v) => ({ v, run: false }))].sort(
    (a, b) => a.v - b.v,
  );
  const n = all.length;
  let rankSumRun = 0;
  let tieTerm = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && all[j + 1]?.v === all[i]?.v) j++;
    const rank = (i + j + 2) / 2;
    const t = j - i + 1;
    tieTerm += t ** 3 - t;
    for (let k = i; k <= j; k++) if (all[k]?.run) rankSumRun += rank;
    i = j + 1;
  }
  const u = rankSumRun - (n1 * (n1 + 1)) / 2;
  const mean = (n1 * n2) / 2;
  const variance = ((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1)));
  if (variance <= 0) return { u, z: 0, p: 1 };
  const z = (u - mean - 0.5) / Math.sqrt(variance);
  return { u, z, p: 1 - normalCdf(z) };
}

/** One-sided two-proportion z-test (pooled): is RUN's share k2/n2 above BASE's k1/n1? */
export function proportionGreater(k1: number, n1: number, k2: number, n2: number): { z: number; p: number } {
  if (n1 === 0 || n2 === 0) return { z: 0, p: 1 };
  const pooled = (k1 + k2) / (n1 + n2);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  if (se === 0) return { z: 0, p: 1 };
  const z = (k2 / n2 - k1 / n1) / se;
  return { z, p: 1 - normalCdf(z) };
}

/**
 * 95% interval of the p-th percentile from order statistics: the ranks a Binomial(n, p/100)
 * count of values below the percentile covers 95% of the time (normal approximation). An end
 * beyond the sample is null: the sample cannot bound it.
 */
export function percentileInterval(sorted: number[], p: number): [number | null, number | null] {
  const n = sorted.length;
  if (n === 0) return [null, null];
  const q = p / 100;
  const half = 1.96 * Math.sqrt(n * q * (1 - q));
  const lo = Math.floor(n * q - half);
  const hi = Math.ceil(n * q + half) + 1;
  return [lo >= 1 ? (sorted[lo - 1] ?? null) : null, hi <= n ? (sorted[hi - 1] ?? null) : null];
}
