import type { UsageGroupKey } from '@afternoon/contracts/meters';

/** A group as one text whatever order its properties come in: a rating key's `group_key`. */
export function groupKeyOf(group: UsageGroupKey | null): string | null {
  if (group === null) return null;
  const sorted = Object.keys(group)
    .sort()
    .map((property) => [property, group[property]]);
  return JSON.stringify(Object.fromEntries(sorted));
}
