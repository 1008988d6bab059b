import type { Settings } from './types';

export interface SectionProps {
  draft: Settings;
  /** Applies a change to a copy of the draft. */
  update: (change: (d: Settings) => void) => void;
  /** The message for a dotted path (client check or backend VALIDATION detail). */
  err: (path: string) => string | undefined;
}

export function fieldError(message: string | undefined): { error: boolean; validationMessage?: string } {
  return message ? { error: true, validationMessage: message } : { error: false };
}
