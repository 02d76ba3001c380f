import type { Logger } from './logger';
import type { Stoppable } from './slices/backgroundLoop';

const stopSignals = ['SIGINT', 'SIGTERM'] as const;

/** Starts a service as the process's one job and stops it once on SIGINT/SIGTERM, even one sent mid-start: exit 0. */
export async function serveUntilSignalled(logger: Logger, start: () => Promise<Stoppable>): Promise<never> {
  // Handled before the start begins: Kubernetes sends SIGTERM to a pod it scales down while it is still starting, and
  // without a handler Node dies of the signal mid-migration or mid-join instead of stopping what it started.
  let service: Stoppable | undefined;
  const signalled = new Promise<void>((resolve) => {
    let received = false;
    const onSignal = (signal: NodeJS.Signals) => {
      logger.info({ signal }, received ? 'already stopping' : service ? 'stopping' : 'stopping once started');
      received = true;
      resolve();
    };
    for (const signal of stopSignals) process.on(signal, onSignal);
  });
  try {
    service = await start();
  } catch (error) {
    // Not left to guardProcess, which would log a bug and keep a half-started process: a failed start exits non-zero.
    logger.fatal({ err: error }, 'failed to start');
    process.exit(1);
  }
  await signalled;
  try {
    await service.stop();
  } catch (error) {
    logger.fatal({ err: error }, 'failed to stop');
    process.exit(1);
  }
  logger.info('stopped');
  process.exit(0);
}
