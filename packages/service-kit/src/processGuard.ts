import type { Logger } from './logger';

export type UnhandledErrorKind = 'unhandled_rejection' | 'uncaught_exception';

const caught: Record<UnhandledErrorKind, number> = { unhandled_rejection: 0, uncaught_exception: 0 };
let installed = false;

/**
 * Keeps an app serving through an error nothing handled: logs it and counts it (`afternoon_unhandled_errors_total`)
 * instead of letting Node end the process, which would take every tenant's requests down with one bug. Installed by
 * each app's main.ts only: in tests the apps run inside vitest, whose own handler fails the run on any unhandled
 * error and names the test, so a bug that would reach this guard in production fails a test first.
 */
export function guardProcess(logger: Logger): void {
  if (installed) return;
  installed = true;
  process.on('unhandledRejection', (reason) => {
    caught.unhandled_rejection += 1;
    logger.error(
      { err: reason },
      'unhandled rejection (a bug: something did not wait for this promise); still serving',
    );
  });
  process.on('uncaughtException', (error) => {
    caught.uncaught_exception += 1;
    logger.error({ err: error }, 'uncaught exception (a bug); still serving');
  });
}

/** How many errors of each kind the guard has caught in this process. */
export function unhandledErrorsCaught(): Readonly<Record<UnhandledErrorKind, number>> {
  return { ...caught };
}
