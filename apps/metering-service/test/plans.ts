/** The index names a plan (EXPLAIN's JSON) reads `usage_events` through. */
export function usageEventsIndexes(plan: Record<string, unknown>): string[] {
  const own = plan['Relation Name'] === 'usage_events' && plan['Index Name'] ? [String(plan['Index Name'])] : [];
  const children = (plan.Plans as Record<string, unknown>[] | undefined) ?? [];
  return [...own, ...children.flatMap(usageEventsIndexes)];
}
