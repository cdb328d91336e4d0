// What both backends share for the queue page's statistics.

/** The p-th percentile of sorted values (nearest rank); null when there are none. */
export function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
