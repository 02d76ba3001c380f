/** A metric as an app's `/metrics` exposes it: its type and the labels its samples carry so far. */
export interface ExposedMetric {
  type: string;
  labels: Set<string>;
}

/** Reads the Prometheus text an app serves on `/metrics`: every `# TYPE`d metric, with its samples' label names. */
export async function exposedMetrics(baseUrl: string): Promise<Map<string, ExposedMetric>> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const metrics = new Map<string, ExposedMetric>();
  for (const line of text.split('\n')) {
    const typed = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (typed) {
      metrics.set(typed[1] as string, { type: typed[2] as string, labels: new Set() });
      continue;
    }
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)\{([^}]*)\}/.exec(line);
    if (!sample) continue;
    const owner = [...metrics.keys()]
      .filter((name) => (sample[1] as string).startsWith(name))
      .sort()
      .pop();
    const labels = owner ? metrics.get(owner)?.labels : undefined;
    for (const [, label] of (sample[2] as string).matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="/g)) labels?.add(label as string);
  }
  return metrics;
}
