// Types of supervise.mjs for the TypeScript that uses it (the fault-injection run).
export interface SupervisedApp {
  name: string;
}

export interface SupervisedRun<Status = unknown> {
  pid: number;
  exited: Promise<Status>;
}

export type SupervisorEvent<App extends SupervisedApp> =
  | { type: 'exited'; app: App; status: unknown; attempt: number; delayMs: number }
  | { type: 'restarted'; app: App; attempt: number; pid: number }
  | { type: 'ready'; app: App; attempt: number; ms?: number }
  | { type: 'not-ready'; app: App; attempt: number; error: unknown }
  | { type: 'restart-cancelled'; app: App };

export interface Backoff {
  initialMs: number;
  maxMs: number;
  resetAfterMs: number;
}

export interface Supervisor<App extends SupervisedApp, Run extends SupervisedRun> {
  launch(apps: App[]): Promise<void>;
  stop(): Promise<void>;
  runs(): Run[];
  runOf(name: string): Run | undefined;
}

export const defaultBackoff: Backoff;
export function restartDelayMs(attempt: number, backoff: Pick<Backoff, 'initialMs' | 'maxMs'>): number;
export function createSupervisor<App extends SupervisedApp, Run extends SupervisedRun>(options: {
  spawn(app: App, env: NodeJS.ProcessEnv): Run;
  env(app: App): NodeJS.ProcessEnv;
  waitReady(app: App, run: Run): Promise<void>;
  stop(app: App, run: Run): Promise<void>;
  backoff?: Backoff;
  report?(event: SupervisorEvent<App>): void;
}): Supervisor<App, Run>;
