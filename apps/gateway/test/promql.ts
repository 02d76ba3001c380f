/** What a PromQL expression reads: the metric names it selects and the labels it matches or groups by. */
export interface PromqlReads {
  metrics: string[];
  labels: string[];
}

const keywords = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'and',
  'or',
  'unless',
  'offset',
  'bool',
]);

/**
 * Reads the names out of a PromQL expression well enough for a dashboard's queries: strings, ranges and Grafana
 * variables are dropped, an identifier followed by `(` is a function, the labels are those of `{…}` matchers and of
 * `by`/`without`/`on`/`ignoring` lists, and every other identifier is a metric.
 */
export function promqlReads(expr: string): PromqlReads {
  const labels: string[] = [];
  let rest = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""').replace(/\[[^\]]*\]/g, '');
  rest = rest.replace(/\{([^}]*)\}/g, (_whole, matchers: string) => {
    for (const [, label] of matchers.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)/g))
      labels.push(label as string);
    return ' ';
  });
  rest = rest.replace(/\b(by|without|on|ignoring)\s*\(([^)]*)\)/g, (_whole, _keyword, list: string) => {
    labels.push(
      ...list
        .split(',')
        .map((label) => label.trim())
        .filter(Boolean),
    );
    return ' ';
  });
  const metrics = [...rest.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)(\s*\()?/g)]
    .filter(([, name, call]) => !call && !keywords.has(name as string) && !/^\d/.test(name as string))
    .map(([, name]) => name as string);
  return { metrics, labels };
}
