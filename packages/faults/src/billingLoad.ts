import type { Tenant } from './ledger';
import { callUntilAnswered } from './resilientCaller';
import type { LoadContext } from './usageLoad';

export const monthlyFeeCents = 1_000;
const clockStart = '2027-01-01T00:00:00.000Z';
const subscribers = 6;

export interface BillingBook {
  clockId: string;
  subscriptionIds: string[];
  /** The clock's time after the last advance that reached `ready`. */
  clockTime: string;
  /** Month ends the clock has passed (with their hour of grace), so billed. */
  monthEndsPassed: number;
}

/** A test clock, subscribers on it, and a monthly plan whose only price is a flat fee billed in advance. */
export async function openBillingBook(context: LoadContext, tenant: Tenant): Promise<BillingBook> {
  const ask = (method: 'GET' | 'POST', path: string, body?: unknown, key?: string) =>
    answered(context, tenant, method, path, body, key);
  await ask(
    'POST',
    '/v1/plans',
    {
      code: 'faults_monthly',
      name: 'Faults monthly',
      interval: 'month',
      prices: [{ model: 'flat', description: 'Platform fee', amount_cents: monthlyFeeCents, timing: 'in_advance' }],
    },
    'faults-plan',
  );
  const clock = await ask('POST', '/v1/test_clocks', { frozen_time: clockStart, name: 'Faults' }, 'faults-clock');
  const clockId: string = clock.test_clock.id;
  const subscriptionIds: string[] = [];
  for (let index = 0; index < subscribers; index++) {
    const customer = await ask(
      'POST',
      '/v1/customers',
      { name: `Subscriber ${index}`, test_clock: clockId },
      `faults-subscriber-${index}`,
    );
    const subscription = await ask(
      'POST',
      '/v1/subscriptions',
      { customer_id: customer.customer.id, plan_code: 'faults_monthly' },
      `faults-subscription-${index}`,
    );
    subscriptionIds.push(subscription.subscription.id);
  }
  const book = { clockId, subscriptionIds, clockTime: clockStart, monthEndsPassed: 0 };
  await untilClockReady(context, tenant, book);
  return book;
}

/** Moves the clock past one more month end and its hour of grace, then waits until everything due is billed. */
export async function billNextMonth(context: LoadContext, tenant: Tenant, book: BillingBook): Promise<void> {
  const next = new Date(clockStart);
  next.setUTCMonth(next.getUTCMonth() + book.monthEndsPassed + 1);
  next.setUTCHours(2);
  const frozenTime = next.toISOString();
  await answered(
    context,
    tenant,
    'POST',
    `/v1/test_clocks/${book.clockId}/advance`,
    { frozen_time: frozenTime },
    `faults-advance-${frozenTime}`,
  );
  await untilClockReady(context, tenant, { ...book, clockTime: frozenTime });
  book.clockTime = frozenTime;
  book.monthEndsPassed += 1;
}

async function untilClockReady(context: LoadContext, tenant: Tenant, book: BillingBook): Promise<void> {
  while (Date.now() < context.giveUpAt()) {
    const { test_clock: clock } = await answered(context, tenant, 'GET', `/v1/test_clocks/${book.clockId}`);
    if (clock.status === 'ready' && Date.parse(clock.frozen_time) === Date.parse(book.clockTime)) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`test clock ${book.clockId} not ready at ${book.clockTime} before the run gave up`);
}

async function answered(
  context: LoadContext,
  tenant: Tenant,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
  key?: string,
  // biome-ignore lint/suspicious/noExplicitAny: the run reads whatever the gateway sent
): Promise<any> {
  const answer = await callUntilAnswered({
    baseUrl: context.baseUrl,
    apiKey: tenant.testKey,
    method,
    path,
    body,
    ...(key ? { idempotencyKey: key } : {}),
    giveUpAt: context.giveUpAt,
    tally: context.ledger.tally,
  });
  if (!answer) throw new Error(`${method} ${path} never answered before the run gave up`);
  if (answer.status >= 300)
    throw new Error(`${method} ${path} answered ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body;
}
