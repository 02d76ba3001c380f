import { type BilledLine, maxGroupLinesPerPrice, maxSubscriptionLinesBytes } from '@afternoon/contracts/invoices';
import { addDecimals, compareDecimals, formatDecimal, parseDecimal, subtractDecimals, zero } from './exactDecimal';
import { boundedLineAmount, sumMinorUnits } from './moneyBounds';

/** A grouped usage price's lines of one kind (usage or late usage), one per group, each priced on its own. */
export interface GroupLines {
  groups: BilledLine[];
  /** The line summing the groups that get no line of their own, but for its quantity and amount. */
  others(count: number): Omit<BilledLine, 'quantity' | 'amount_cents'>;
}

/** The invoice's lines in order, a grouped price's groups still to be bounded. */
export type InvoiceSection = BilledLine | GroupLines;

/** What the invoice adds to a line's JSON: its id and the window its usage events were received in. */
export const lineOverheadBytes = 256;

/** Room for a minus sign and a longer count in an "other groups" line than the one its size was reserved with. */
const othersSlackBytes = 16;

/**
 * The invoice's lines with each grouped price's largest groups (by amount, then quantity, then key) on lines of their
 * own, in the order the groups came in: at most `maxGroupLinesPerPrice` of each kind, and only while all the lines stay within
 * `maxSubscriptionLinesBytes`, handing out room rank by rank so every price shows its largest groups first. The rest
 * of a price's groups are summed into one "N other groups" line with their exact quantity and amount: each group was
 * priced on its own before, so the invoice's total is the same as with every group on a line.
 */
export function largestGroups(sections: InvoiceSection[]): BilledLine[] {
  const grouped = sections
    .filter(isGroupLines)
    .map((lines) => ({ ...lines, inOrder: lines.groups, groups: ranked(lines.groups) }));
  const shown = grouped.map(() => 0);
  const reserved = grouped.map((lines) =>
    lines.groups.length === 0 ? 0 : bytesOf(summed(lines, lines.groups)) + othersSlackBytes,
  );
  let room = maxSubscriptionLinesBytes - sum(sections.filter(isLine).map(bytesOf)) - sum(reserved);
  for (let rank = 0; rank < maxGroupLinesPerPrice; rank++)
    grouped.forEach(({ groups }, index) => {
      const next = groups[rank];
      // A price whose next group did not fit shows no smaller one after it: what it shows stays its largest.
      if (next === undefined || shown[index] !== rank || bytesOf(next) > room) return;
      room -= bytesOf(next);
      shown[index] = rank + 1;
    });
  // The largest groups decide which get a line; the lines keep the order the groups came in, the sum last.
  const bounded = grouped.map((lines, index) => {
    const rest = lines.groups.slice(shown[index]);
    if (rest.length === 0) return lines.inOrder;
    const onALine = new Set(lines.groups.slice(0, shown[index]));
    return [...lines.inOrder.filter((line) => onALine.has(line)), summed(lines, rest)];
  });
  let next = 0;
  return sections.flatMap((section) => (isLine(section) ? [section] : (bounded[next++] ?? [])));
}

function summed(lines: GroupLines, rest: BilledLine[]): BilledLine {
  const quantity = rest.reduce((total, line) => addDecimals(total, parseDecimal(line.quantity)), zero);
  const others = lines.others(rest.length);
  const amount = boundedLineAmount(sumMinorUnits(rest.map((line) => line.amount_cents)), `'${others.description}'`);
  return { ...others, quantity: formatDecimal(quantity), amount_cents: amount, ...summedUnits(rest) };
}

/** A price in a pricing unit: the units its summed groups charged, each group's converted on its own line's terms. */
function summedUnits(rest: BilledLine[]): Pick<BilledLine, 'pricing_unit'> {
  const first = rest[0]?.pricing_unit;
  if (!first) return {};
  const units = rest.reduce(
    (total, line) => addDecimals(total, parseDecimal(line.pricing_unit?.quantity ?? '0')),
    zero,
  );
  const shown = { code: first.code, quantity: formatDecimal(units), unit_amount: first.unit_amount };
  if (!rest.some((line) => line.pricing_unit?.covered !== undefined)) return { pricing_unit: shown };
  const covered = rest.reduce(
    (total, line) => addDecimals(total, parseDecimal(line.pricing_unit?.covered ?? '0')),
    zero,
  );
  const billed = formatDecimal(subtractDecimals(units, covered));
  return { pricing_unit: { ...shown, covered: formatDecimal(covered), billed } };
}

function ranked(groups: BilledLine[]): BilledLine[] {
  return [...groups].sort(
    (a, b) =>
      b.amount_cents - a.amount_cents ||
      compareDecimals(parseDecimal(b.quantity), parseDecimal(a.quantity)) ||
      compareKeys(JSON.stringify(a.group ?? {}), JSON.stringify(b.group ?? {})),
  );
}

function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function bytesOf(line: BilledLine): number {
  return Buffer.byteLength(JSON.stringify(line)) + lineOverheadBytes;
}

function isGroupLines(section: InvoiceSection): section is GroupLines {
  return 'groups' in section;
}

function isLine(section: InvoiceSection): section is BilledLine {
  return !isGroupLines(section);
}

function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
