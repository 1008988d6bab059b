/** 75 → "1m 15s"; 3720 → "1h 2m"; null → "—". */
export function duration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return '—';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  const h = Math.floor(s / 3600);
  if (h < 48) return `${h}h ${Math.floor((s % 3600) / 60)}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

/** The date `days - 1` days before `today` (YYYY-MM-DD): a range of `days` days ending today. */
export function rangeEnding(today: string, days: number): { from: string; to: string } {
  const t = Date.UTC(Number(today.slice(0, 4)), Number(today.slice(5, 7)) - 1, Number(today.slice(8, 10)));
  const from = new Date(t - (days - 1) * 86_400_000).toISOString().slice(0, 10);
  return { from, to: today };
}

export const minutes = (seconds: number | null) => (seconds === null ? 0 : Math.round((seconds / 60) * 10) / 10);
