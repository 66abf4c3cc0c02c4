/**
 * Keeps a flood of refused requests (401, 403, 404, 429: no token, a wrong key, no such route,
 * over the limit) from writing a log line each: per status, the first lines of every ten seconds
 * are written, the rest counted and reported in one line when the next period starts. Whoever
 * floods cannot turn the log into the bottleneck, and the operator still sees that it happened.
 */
import type { Clock } from '../clock.js';

const SAMPLED = new Set([401, 403, 404, 429]);

export interface LineSampler {
  /** True when the line for a request answered `status` is to be written; `report` hears of lines not written in the last period. */
  admit(status: number, report: (summary: { periodMs: number; notWritten: Record<string, number> }) => void): boolean;
}

export function createLineSampler({ clock, perPeriod = 20, periodMs = 10_000 }: { clock: Clock; perPeriod?: number; periodMs?: number }): LineSampler {
  let periodStart = clock.now();
  const written = new Map<number, number>();
  const skipped = new Map<number, number>();
  return {
    admit(status, report) {
      if (!SAMPLED.has(status)) return true;
      const now = clock.now();
      if (now - periodStart >= periodMs) {
        if (skipped.size) report({ periodMs, notWritten: Object.fromEntries(skipped) });
        written.clear();
        skipped.clear();
        periodStart = now;
      }
      const count = (written.get(status) ?? 0) + 1;
      written.set(status, count);
      if (count <= perPeriod) return true;
      skipped.set(status, (skipped.get(status) ?? 0) + 1);
      return false;
    },
  };
}
