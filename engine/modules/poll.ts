/** Controller-side polling for modules that wait (wait_for_connection, reboot). */

/** Sleep ms. */
export const pause = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Poll `test()` until it resolves true or `timeoutS` passes; returns seconds waited, or undefined on timeout. */
export async function pollUntil(test: () => Promise<boolean>, timeoutS: number, sleepS: number): Promise<number | undefined> {
  const start = Date.now();
  for (;;) {
    if (await test().catch(() => false)) return Math.round((Date.now() - start) / 100) / 10;
    if (Date.now() - start >= timeoutS * 1000) return undefined;
    await pause(sleepS * 1000);
  }
}
