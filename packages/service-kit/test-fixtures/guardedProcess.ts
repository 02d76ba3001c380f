import { createLogger } from '../src/logger';
import { createServiceMetrics } from '../src/metrics';
import { guardProcess } from '../src/processGuard';

// A process with a bug of each kind: it must log both, keep running, count both in its metrics and exit 0.
guardProcess(createLogger('guarded', 'silent'));
const metrics = createServiceMetrics('guarded');
Promise.reject(new Error('nobody waits for this promise'));
setTimeout(() => {
  throw new Error('nobody catches this');
});
setTimeout(async () => {
  const counted = await metrics.registry.getSingleMetricAsString('afternoon_unhandled_errors_total');
  process.stdout.write(counted);
}, 1);
