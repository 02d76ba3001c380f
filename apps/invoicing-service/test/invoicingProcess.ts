import { fileURLToPath } from 'node:url';
import { type NodeProcess, spawnNode } from '@afternoon/testkit';

const appDir = fileURLToPath(new URL('..', import.meta.url));
const mainTs = fileURLToPath(new URL('../src/main.ts', import.meta.url));

/** The invoicing service as its own OS process, so it can be killed for real; keeps the tail of its output. */
export interface InvoicingProcess extends Omit<NodeProcess, 'exited'> {
  /** Resolves once the service logs that it is ready (needs LOG_LEVEL info); rejects if it exits first. */
  ready: Promise<void>;
  /** Resolves with the exit code (null when a signal ended it). */
  exited: Promise<number | null>;
}

export function startInvoicingProcess(env: Record<string, string>): InvoicingProcess {
  const node = spawnNode(['--import', 'tsx', mainTs], { cwd: appDir, env });
  const exited = node.exited.then(({ code }) => code);
  const ready = new Promise<void>((resolve, reject) => {
    const check = () => {
      if (node.output().includes('invoicing-service ready')) resolve();
    };
    node.child.stdout?.on('data', check);
    node.child.stderr?.on('data', check);
    void exited.then((code) => reject(new Error(`invoicing exited (${code}) before it was ready:\n${node.output()}`)));
  });
  // A process killed on purpose before it was ready is not a failure unless someone waits for it.
  ready.catch(() => undefined);
  return { ...node, ready, exited };
}

/** SIGKILL: no shutdown hook runs, whatever was in flight is cut off. */
export async function killInvoicingProcess(invoicing: InvoicingProcess): Promise<void> {
  if (invoicing.isRunning()) invoicing.child.kill('SIGKILL');
  await invoicing.exited;
}

/** SIGTERM: the service stops its billing run and consumers, then exits; resolves with the exit code. */
export async function stopInvoicingProcess(invoicing: InvoicingProcess): Promise<number | null> {
  if (invoicing.isRunning()) invoicing.child.kill('SIGTERM');
  return invoicing.exited;
}
