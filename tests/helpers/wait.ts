// The suite's one wait: poll a condition until it holds. Tests wait on a positive signal (a row, a
// state, a counter), never on a fixed sleep before asserting that something did not happen.

export interface WaitOptions {
  timeoutMs?: number;
  /** Named in the timeout error. */
  what?: string;
  stepMs?: number;
}

type Probe<T> = () => Promise<T | undefined | null | false> | T | undefined | null | false;

/** Resolves with `fn`'s first truthy value. A number hint is the timeout, a string names what is awaited. */
export async function waitFor<T>(fn: Probe<T>, ...hints: Array<number | string | WaitOptions | undefined>): Promise<T> {
  const o: Required<WaitOptions> = { timeoutMs: 30_000, what: 'condition', stepMs: 25 };
  for (const h of hints) {
    if (typeof h === 'number') o.timeoutMs = h;
    else if (typeof h === 'string') o.what = h;
    else if (h) Object.assign(o, h);
  }
  const deadline = Date.now() + o.timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v as T;
    if (Date.now() > deadline) throw new Error(`timed out after ${o.timeoutMs} ms waiting for ${o.what}`);
    await new Promise((r) => setTimeout(r, o.stepMs));
  }
}
