#!/usr/bin/env node
// Sums a V8 CPU profile (as BENCH_PROFILE=1 writes for every app of the bench) by function and by package:
// where the process spent its samples, self time only. `--window <from>-<to>` (CLOCK_MONOTONIC µs, as a profiled
// scenario logs its timed part) keeps only the samples taken within it.
//   node infra/bench/profile-summary.mjs <file.cpuprofile> [top=25] [--window <from>-<to>]
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
const windowAt = args.indexOf('--window');
// A V8 profile's timestamps are CLOCK_MONOTONIC µs, the clock of process.hrtime in every process of the machine.
const [from, to] = windowAt >= 0 ? args.splice(windowAt, 2)[1].split('-').map(Number) : [-Infinity, Infinity];
const [file, top = '25'] = args;
if (!file) {
  process.stderr.write('usage: node infra/bench/profile-summary.mjs <file.cpuprofile> [top]\n');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const hits = new Map();
let total = 0;
let sampledAt = profile.startTime;
profile.samples.forEach((id, index) => {
  sampledAt += profile.timeDeltas[index];
  if (sampledAt < from || sampledAt > to) return;
  hits.set(id, (hits.get(id) ?? 0) + 1);
  total += 1;
});

function where(url) {
  if (!url) return '(native or idle)';
  const pkg = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  const own = /\/(apps|packages)\/([^/]+)\//.exec(url);
  if (own) return `${own[1]}/${own[2]}`;
  return url.startsWith('node:') ? 'node core' : url;
}

const functions = new Map();
const packages = new Map();
for (const [id, count] of hits) {
  const { callFrame } = byId.get(id);
  const name = `${callFrame.functionName || '(anonymous)'} ${where(callFrame.url)}:${callFrame.lineNumber + 1}`;
  functions.set(name, (functions.get(name) ?? 0) + count);
  const pkg = callFrame.url ? where(callFrame.url) : callFrame.functionName || '(root)';
  packages.set(pkg, (packages.get(pkg) ?? 0) + count);
}
// Inclusive: each of the project's own functions on a sample's stack counts the sample once, so a handler's share
// includes the pg, kafkajs and zod work it called (self time spreads that over libraries).
const parents = new Map();
for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
const ownInclusive = new Map();
for (const [id, count] of hits) {
  if (byId.get(id).callFrame.functionName === '(idle)') continue;
  const seen = new Set();
  for (let at = id; at !== undefined; at = parents.get(at)) {
    const { callFrame } = byId.get(at);
    if (!/\/(apps|packages)\//.test(callFrame.url) || callFrame.url.includes('node_modules')) continue;
    const name = `${callFrame.functionName || '(anonymous)'} ${where(callFrame.url)}/${callFrame.url.split('/').pop()}`;
    if (!seen.has(name)) ownInclusive.set(name, (ownInclusive.get(name) ?? 0) + count);
    seen.add(name);
  }
}
const show = (title, map) => {
  process.stdout.write(`\n${title}\n`);
  for (const [name, count] of [...map].sort((a, b) => b[1] - a[1]).slice(0, Number(top))) {
    process.stdout.write(`${((100 * count) / total).toFixed(1).padStart(5)}%  ${name}\n`);
  }
};
const seconds = (Math.min(to, profile.endTime) - Math.max(from, profile.startTime)) / 1e6;
process.stdout.write(`${file}: ${total} samples over ${seconds.toFixed(1)} s\n`);
show('by package or group (self time)', packages);
show('by function (self time)', functions);
show("by the project's own function (inclusive: with what it called)", ownInclusive);
