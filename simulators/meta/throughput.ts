// What the simulator saw of one number's throughput: proof that pacing held (tests and bench:campaign).
import type { SimStore } from './store.js';

export interface ThroughputReport {
  /** Messages Meta accepted from the number. */
  sends: number;
  /** The most accepted in one calendar second. */
  maxPerSecond: number;
  /** The most accepted in any 1,000 ms window (how the simulator enforces the tier). */
  maxInAnyWindow: number;
  /** Sends refused with 130429. */
  throughputErrors: number;
}

export function throughputReport(state: { messages: SimStore['messages']; throughputRejections: SimStore['throughputRejections'] }, phoneNumberId: string, sinceMs = 0): ThroughputReport {
  const times = [...state.messages.values()].filter((m) => m.phoneNumberId === phoneNumberId && m.createdAt >= sinceMs).map((m) => m.createdAt).sort((a, b) => a - b);
  const perSecond = new Map<number, number>();
  for (const t of times) perSecond.set(Math.floor(t / 1000), (perSecond.get(Math.floor(t / 1000)) ?? 0) + 1);
  let maxInAnyWindow = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while (times[i]! - times[j]! >= 1000) j++;
    maxInAnyWindow = Math.max(maxInAnyWindow, i - j + 1);
  }
  return {
    sends: times.length,
    maxPerSecond: Math.max(0, ...perSecond.values()),
    maxInAnyWindow,
    throughputErrors: state.throughputRejections.get(phoneNumberId) ?? 0,
  };
}
