let cachedSecond = Number.NaN;
let cachedPrefix = '';

/**
 * `new Date(ms).toISOString()`, cheaply for timestamps close together: the part up to the
 * second is kept from the previous call, so serialising many operations' recent timestamps
 * (`allMetrics()` over a thousand operations) formats a date only once per second
 * (BENCHMARKS.md "`healthStatus()` / `allMetrics()`, 1,000 operations").
 */
export function isoTime(ms: number): string {
  const second = Math.floor(ms / 1000);
  if (second !== cachedSecond) {
    const iso = new Date(second * 1000).toISOString();
    cachedPrefix = iso.slice(0, -4);
    cachedSecond = second;
  }
  const millis = ms - second * 1000;
  if (!Number.isInteger(millis)) return new Date(ms).toISOString();
  return `${cachedPrefix}${String(millis).padStart(3, '0')}Z`;
}
