/**
 * Polls `probe` until it returns a value other than `undefined`, or fails after
 * `timeoutMs` with `what` in the message. Generous by default: the suite runs on busy
 * two-core machines, and a condition that holds is found at once anyway.
 */
export async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
