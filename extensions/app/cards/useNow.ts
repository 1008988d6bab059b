import { useEffect, useState } from 'react';

/** The current time, re-read every `tickMs` (the card has no window; a plain interval). */
export function useNow(tickMs = 15000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), tickMs);
    return () => clearInterval(id);
  }, [tickMs]);
  return now;
}

/**
 * The current time, for a countdown to `targetMs`: checked every second but re-rendering only when
 * the whole minutes left change, so "N min left" and "template needed" flip on the minute (a 15 s
 * tick could be up to 15 s late) without re-drawing the card every second.
 */
export function useMinuteClock(targetMs: number | null): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const minuteOf = (t: number) => Math.floor(((targetMs ?? 0) - t) / 60000);
    let last = minuteOf(Date.now());
    const id = setInterval(() => {
      const t = Date.now();
      const m = minuteOf(t);
      if (m !== last) {
        last = m;
        setNow(t);
      }
    }, 1000);
    return () => clearInterval(id);
  }, [targetMs]);
  return now;
}
