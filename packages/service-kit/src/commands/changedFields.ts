/** The requested fields whose value differs from the current one, so an idle update records nothing. */
export function changedFields<T extends Record<string, unknown>>(current: T, requested: Partial<T>): Partial<T> {
  const changes: Partial<T> = {};
  for (const [field, value] of Object.entries(requested) as [keyof T, T[keyof T]][]) {
    if (value !== undefined && JSON.stringify(current[field]) !== JSON.stringify(value)) changes[field] = value;
  }
  return changes;
}
