// Where the CPU went during a measurement: per bench app (its process group), the bench's Kafka broker, every
// Postgres process (including other users' backends), the bench process itself (the load generator) and the whole
// machine, read from /proc before and after. A process that ended in between (a parallel query worker) is not
// counted, so the parts may add up to less than they used; the whole-machine figure has everything. Linux only.
import { readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';

const TICKS_PER_SECOND = 100;

function processTimes() {
  const list = [];
  let entries;
  try {
    entries = readdirSync('/proc');
  } catch {
    return list;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const name = stat.slice(stat.indexOf('(') + 1, close);
      const fields = stat.slice(close + 2).split(' ');
      // After the name: state(0) ppid(1) pgrp(2) ... utime(11) stime(12)
      list.push({ pid: Number(entry), name, pgrp: Number(fields[2]), ticks: Number(fields[11]) + Number(fields[12]) });
    } catch {}
  }
  return list;
}

function machineBusyTicks() {
  try {
    const [cpu] = readFileSync('/proc/stat', 'utf8').split('\n');
    const values = cpu.trim().split(/\s+/).slice(1).map(Number);
    const idle = values[3] + values[4];
    return values.reduce((sum, value) => sum + value, 0) - idle;
  } catch {
    return Number.NaN;
  }
}

/** Which bucket a process belongs to, or undefined for other users' processes. */
function bucketOf(cluster, proc) {
  const app = [...cluster.apps, ...cluster.extras].find((candidate) => candidate.run?.pid === proc.pgrp);
  if (app) return app.name;
  if (proc.pid === cluster.ownBroker?.pid) return 'kafka';
  if (proc.name === 'postgres') return 'postgres (all)';
  if (proc.pid === process.pid) return 'load generator';
  return undefined;
}

function sample(cluster) {
  const processes = new Map();
  for (const proc of processTimes()) {
    const bucket = bucketOf(cluster, proc);
    if (bucket) processes.set(proc.pid, { bucket, ticks: proc.ticks });
  }
  return { at: performance.now(), processes, machine: machineBusyTicks() };
}

/** Starts measuring; `stop()` answers a sentence like "gateway 95%, metering-service 40%, ... of 200%". */
export function cpuShare(cluster) {
  const before = sample(cluster);
  return {
    stop() {
      const after = sample(cluster);
      const seconds = (after.at - before.at) / 1000;
      if (!(seconds > 0)) return '';
      const percent = (ticks) => `${Math.round((100 * ticks) / TICKS_PER_SECOND / seconds)}%`;
      // Per process, so one that ended in between does not subtract; its last ticks are lost (an undercount).
      const totals = new Map();
      for (const [pid, { bucket, ticks }] of after.processes) {
        const earlier = before.processes.get(pid);
        const used = earlier?.bucket === bucket ? ticks - earlier.ticks : ticks;
        totals.set(bucket, (totals.get(bucket) ?? 0) + used);
      }
      const parts = [...totals].sort((a, b) => b[1] - a[1]).map(([key, ticks]) => `${key} ${percent(ticks)}`);
      return `CPU while measuring: ${parts.join(', ')}; whole machine ${percent(after.machine - before.machine)} of ${cpus().length * 100}%`;
    },
  };
}
