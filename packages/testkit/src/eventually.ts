/**
 * Retries `check` until it returns without throwing, or fails with its last error once `timeout` ms have passed.
 * The way tests wait for asynchronous effects: a condition with a deadline, never a fixed sleep.
 */
export async function eventually<T>(
  check: () => T | Promise<T>,
  options: { timeout?: number; interval?: number; label?: string } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeout ?? 15_000);
  let lastError: unknown;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const reason = lastError instanceof Error ? lastError.message : String(lastError);
      throw new Error(`${options.label ?? 'condition'} not met in time: ${reason}`);
    }
    await new Promise((resolve) => setTimeout(resolve, options.interval ?? 50));
  }
}
