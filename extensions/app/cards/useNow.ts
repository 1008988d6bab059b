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
