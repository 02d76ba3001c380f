/**
 * What one consumer is stuck on, per partition, for /readyz: a failure of the world it has been retrying since a
 * given instant. Cleared as soon as the partition moves on.
 */
export class ConsumerHealth {
  private readonly retrying = new Map<string, { reason: string; since: Date }>();

  constructor(private readonly groupId: string) {}

  retryingAt(topic: string, partition: number, error: unknown): void {
    const where = `${topic}/${partition}`;
    const reason = error instanceof Error ? error.message : String(error);
    this.retrying.set(where, { reason, since: this.retrying.get(where)?.since ?? new Date() });
  }

  movedOn(topic: string, partition: number): void {
    this.retrying.delete(`${topic}/${partition}`);
  }

  /** One line per partition being retried, e.g. `<group> <topic>/0 retrying: <reason> since <iso>`; undefined when none. */
  problem(): string | undefined {
    const lines = [...this.retrying].map(
      ([where, { reason, since }]) => `${this.groupId} ${where} retrying: ${reason} since ${since.toISOString()}`,
    );
    return lines.length > 0 ? lines.join('; ') : undefined;
  }
}

/** The `consumers` readiness check: fails with what is wrong with each consumer that is not joined or is retrying. */
export async function consumersReady(consumers: readonly { problem(): string | undefined }[]): Promise<boolean> {
  const problems = consumers.flatMap((consumer) => consumer.problem() ?? []);
  if (problems.length > 0) throw new Error(problems.join('; '));
  return true;
}
