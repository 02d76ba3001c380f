// The machine's own limits as the ingest scenarios read them: machine-limits measures them first in the run and
// leaves them in context.results.limits; each ingest row then adds its ratio to one of them, judged against its goal.

const LIMITS = {
  copy: { key: 'copyRowsPerSecond', name: 'Postgres COPY rows/s' },
  producer: { key: 'producerRecordsPerSecond', name: 'Kafka ProducerPerformance records/s' },
};

const whole = (value) => Math.round(value).toLocaleString('en');

/** A measurement row: `value` (events/s) ÷ this run's `which` limit ('copy' or 'producer'), goal ≥ `atLeast`. */
export function ratioTo(context, which, value, atLeast) {
  const { key, name } = LIMITS[which];
  const limit = context.results.limits?.[key];
  return {
    measured: `÷ ${name}, same run`,
    value: limit && Number.isFinite(value) ? value / limit : Number.NaN,
    unit: 'ratio',
    goal: { atLeast },
    details: limit ? `${whole(value)} ÷ ${whole(limit)}` : 'machine-limits did not run before it in this run',
  };
}
