/** `numeric` keeps the widest scale it summed (`0.30`); trailing zeros say nothing, so they go. */
export function normalizeDecimal(value: string): string {
  return value.includes('.') ? value.replace(/0+$/, '').replace(/\.$/, '') : value;
}
