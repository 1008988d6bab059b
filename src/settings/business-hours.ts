import { DateTime } from 'luxon';
import type { Settings, Weekday } from './types.js';

type Hours = Settings['businessHours'];
const DAY_KEYS: Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']; // luxon weekday 1..7

function at(day: DateTime, hhmm: string): DateTime {
  const [h, m] = hhmm.split(':').map(Number);
  return day.set({ hour: h, minute: m, second: 0, millisecond: 0 });
}

/** The calendar date (YYYY-MM-DD) of an instant in the business time zone. */
export function businessDate(instant: Date, tz: string): string {
  return DateTime.fromJSDate(instant, { zone: tz }).toISODate()!;
}

export function isHoliday(date: string, hours: Hours): boolean {
  return hours.holidays.includes(date);
}

/** The open intervals of one business-local day ([] on a holiday or a closed weekday). */
export function openIntervals(date: string, hours: Hours): { start: DateTime; end: DateTime }[] {
  if (isHoliday(date, hours)) return [];
  const day = DateTime.fromISO(date, { zone: hours.timeZone }).startOf('day');
  const ranges = hours.weekly[DAY_KEYS[day.weekday - 1]!] ?? [];
  return ranges.map((r) => ({ start: at(day, r.from), end: at(day, r.to) })).filter((r) => r.end > r.start);
}

export function isOpenAt(instant: Date, hours: Hours): boolean {
  const t = DateTime.fromJSDate(instant, { zone: hours.timeZone });
  return openIntervals(t.toISODate()!, hours).some((r) => t >= r.start && t < r.end);
}

/** The next moment the team is open at or after `instant` (null if never within a year). */
export function nextOpening(instant: Date, hours: Hours): Date | null {
  const t = DateTime.fromJSDate(instant, { zone: hours.timeZone });
  for (let i = 0; i <= 370; i++) {
    const day = t.startOf('day').plus({ days: i });
    for (const r of openIntervals(day.toISODate()!, hours)) {
      if (r.end > t) return (r.start > t ? r.start : t).toJSDate();
    }
  }
  return null;
}

/**
 * When the portal's business day `date` ends for the automatic close: `autoClose.at` if set, else
 * the end of that day's last open range. null on a day without hours (weekend, holiday).
 */
export function endOfBusinessDay(date: string, settings: Settings): Date | null {
  const intervals = openIntervals(date, settings.businessHours);
  if (!intervals.length) return null;
  if (settings.autoClose.at) {
    const day = DateTime.fromISO(date, { zone: settings.businessHours.timeZone }).startOf('day');
    return at(day, settings.autoClose.at).toJSDate();
  }
  return intervals[intervals.length - 1]!.end.toJSDate();
}

/** "lunes 6 de abril a las 08:00" / "Monday, April 6 at 08:00" in the business time zone. */
export function describeMoment(instant: Date, hours: Hours, lang: 'es' | 'en', now?: Date): string {
  const t = DateTime.fromJSDate(instant, { zone: hours.timeZone }).setLocale(lang);
  const time = t.toFormat('HH:mm');
  if (now) {
    const n = DateTime.fromJSDate(now, { zone: hours.timeZone });
    if (n.hasSame(t, 'day')) return lang === 'es' ? `hoy a las ${time}` : `today at ${time}`;
    if (n.plus({ days: 1 }).hasSame(t, 'day')) return lang === 'es' ? `mañana a las ${time}` : `tomorrow at ${time}`;
  }
  return lang === 'es' ? `el ${t.toFormat("cccc d 'de' LLLL")} a las ${time}` : `on ${t.toFormat('cccc, LLLL d')} at ${time}`;
}
