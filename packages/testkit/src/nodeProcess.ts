import { type ChildProcess, spawn } from 'node:child_process';

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A Node process of a test's own (an app to kill for real, a fixture script), with the tail of its output. */
export interface NodeProcess {
  child: ChildProcess;
  /** Resolves once it has exited: its code, or the signal that ended it. */
  exited: Promise<ExitStatus>;
  /** The last 4,000 characters it wrote, stdout and stderr together. */
  output(): string;
  isRunning(): boolean;
}

/**
 * `node <args>` in `cwd`, inheriting nothing of the test's environment but PATH; its stdin is a pipe the test writes
 * to when `stdin` is 'pipe'.
 */
export function spawnNode(
  args: readonly string[],
  options: { cwd: string; env?: Record<string, string | undefined>; stdin?: 'pipe' | 'ignore' },
): NodeProcess {
  const child = spawn(process.execPath, args, {
    cwd: options.cwd,
    env: { PATH: process.env.PATH ?? '', ...options.env },
    stdio: [options.stdin ?? 'ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<ExitStatus>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return {
    child,
    exited,
    output: () => output,
    isRunning: () => child.exitCode === null && child.signalCode === null,
  };
}
