import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const appDir = fileURLToPath(new URL('..', import.meta.url));
const mainTs = fileURLToPath(new URL('../src/main.ts', import.meta.url));

/** The invoicing service as its own OS process, so it can be killed for real; keeps the tail of its output. */
export interface InvoicingProcess {
  child: ChildProcess;
  /** Resolves once the service logs that it is ready (needs LOG_LEVEL info); rejects if it exits first. */
  ready: Promise<void>;
  /** Resolves with the exit code (null when a signal ended it). */
  exited: Promise<number | null>;
  output(): string;
}

export function startInvoicingProcess(env: Record<string, string>): InvoicingProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', mainTs], {
    cwd: appDir,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let isReady = false;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const ready = new Promise<void>((resolve, reject) => {
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-4_000);
      if (!isReady && output.includes('invoicing-service ready')) {
        isReady = true;
        resolve();
      }
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    void exited.then((code) => reject(new Error(`invoicing exited (${code}) before it was ready:\n${output}`)));
  });
  // A process killed on purpose before it was ready is not a failure unless someone waits for it.
  ready.catch(() => undefined);
  return { child, ready, exited, output: () => output };
}

const isRunning = ({ child }: InvoicingProcess) => child.exitCode === null && child.signalCode === null;

/** SIGKILL: no shutdown hook runs, whatever was in flight is cut off. */
export async function killInvoicingProcess(invoicing: InvoicingProcess): Promise<void> {
  if (isRunning(invoicing)) invoicing.child.kill('SIGKILL');
  await invoicing.exited;
}

/** SIGTERM: the service stops its billing run and consumers, then exits; resolves with the exit code. */
export async function stopInvoicingProcess(invoicing: InvoicingProcess): Promise<number | null> {
  if (isRunning(invoicing)) invoicing.child.kill('SIGTERM');
  return invoicing.exited;
}
