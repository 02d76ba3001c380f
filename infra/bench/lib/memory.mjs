// Each app's resident memory, read from /proc once a second: per instance, the largest process of its process group
// (the app's own Node process; `tsx` runs it as a child). `peakMb` is the highest VmRSS sampled in the window,
// `hwmMb` the highest VmHWM (the kernel's own peak since the process started, so nothing between samples is lost).
// Linux only: elsewhere the result is empty.
import { readdirSync, readFileSync } from 'node:fs';

const EVERY_MS = 1000;

function groupsOf(pgids) {
  const members = new Map();
  let entries = [];
  try {
    entries = readdirSync('/proc');
  } catch {
    return members;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const pgrp = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
      if (pgids.has(pgrp)) members.set(Number(entry), pgrp);
    } catch {}
  }
  return members;
}

function kilobytes(status, field) {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  return match ? Number(match[1]) : 0;
}

/** Starts sampling the cluster's running instances; `stop()` answers Map app name → {peakMb, hwmMb}. */
export function memoryWatch(cluster) {
  const peaks = new Map();
  const sample = () => {
    const byPgid = new Map(cluster.running().map((app) => [app.run.pid, app.name]));
    const largest = new Map();
    for (const [pid, pgrp] of groupsOf(new Set(byPgid.keys()))) {
      try {
        const status = readFileSync(`/proc/${pid}/status`, 'utf8');
        const name = byPgid.get(pgrp);
        const seen = largest.get(name) ?? { rss: 0, hwm: 0 };
        largest.set(name, {
          rss: Math.max(seen.rss, kilobytes(status, 'VmRSS')),
          hwm: Math.max(seen.hwm, kilobytes(status, 'VmHWM')),
        });
      } catch {}
    }
    for (const [name, { rss, hwm }] of largest) {
      const peak = peaks.get(name) ?? { peakMb: 0, hwmMb: 0 };
      peaks.set(name, { peakMb: Math.max(peak.peakMb, rss / 1024), hwmMb: Math.max(peak.hwmMb, hwm / 1024) });
    }
  };
  sample();
  const timer = setInterval(sample, EVERY_MS);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      sample();
      return peaks;
    },
  };
}
