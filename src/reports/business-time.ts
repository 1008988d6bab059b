import { DateTime } from 'luxon';
import { openIntervals } from '../settings/business-hours.js';
import type { Settings } from '../settings/types.js';

type Hours = Settings['businessHours'];

/** Longest span measured day by day (a year); anything longer counts its first year only. */
const MAX_DAYS = 370;

/**
 * Seconds of [from, to) that fall inside the portal's business hours (weekly ranges, holidays,
 * its time zone): a message written at 19:00 Friday and answered at 08:10 Monday waited 10 minutes.
 */
export function businessSecondsBetween(from: Date, to: Date, hours: Hours): number {
  if (to.getTime() <= from.getTime()) return 0;
  const start = DateTime.fromJSDate(from, { zone: hours.timeZone });
  const end = DateTime.fromJSDate(to, { zone: hours.timeZone });
  let ms = 0;
  let day = start.startOf('day');
  for (let i = 0; i < MAX_DAYS && day <= end; i++, day = day.plus({ days: 1 })) {
    for (const r of openIntervals(day.toISODate()!, hours)) {
      const a = Math.max(r.start.toMillis(), start.toMillis());
      const b = Math.min(r.end.toMillis(), end.toMillis());
      if (b > a) ms += b - a;
    }
  }
  return Math.round(ms / 1000);
}

/** Whole seconds between two instants (Meta's timestamps are whole seconds; ours are rounded). */
export function secondsBetween(from: Date, to: Date): number {
  return Math.max(0, Math.round((to.getTime() - from.getTime()) / 1000));
}

/** The UTC instants [start, end) of the business-local dates `from`..`to`, both included. */
export function dayRange(from: string, to: string, timeZone: string): { start: Date; end: Date } {
  const start = DateTime.fromISO(from, { zone: timeZone }).startOf('day');
  const end = DateTime.fromISO(to, { zone: timeZone }).startOf('day').plus({ days: 1 });
  return { start: start.toJSDate(), end: end.toJSDate() };
}

/** Every business-local date from `from` to `to`, both included. */
export function datesOf(from: string, to: string): string[] {
  const out: string[] = [];
  let d = DateTime.fromISO(from, { zone: 'UTC' });
  const last = DateTime.fromISO(to, { zone: 'UTC' });
  while (d <= last && out.length < 1000) {
    out.push(d.toISODate()!);
    d = d.plus({ days: 1 });
  }
  return out;
}
