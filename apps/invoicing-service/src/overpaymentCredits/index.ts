import { Topics } from '@afternoon/contracts/topics';
import type { Slice } from '@afternoon/service-kit';
import { overpaymentCreditsConsumer } from './overpaymentCreditsConsumer';

/** Overpayments as customer credit: a provider's payment beyond the amount due becomes a currency grant (ADR 0026). */
export const overpaymentCreditsSlice: Slice = {
  name: 'overpaymentCredits',
  consumers: [overpaymentCreditsConsumer],
  produces: [Topics.invoiceEvents],
};
