import { describe, expect, it } from 'vitest';
import { toInvoiceCommands } from './stripeEvents';
import { checkoutSessionCompleted, checkoutSetupCompleted } from './stripeTestEvents';

const organizationId = `c${'org1'.padEnd(24, '0')}`;
const customerId = `c${'customer1'.padEnd(24, '0')}`;
const invoiceId = `c${'invoice1'.padEnd(24, '0')}`;
const nowhere = async () => undefined;

const setupSession = (overrides: Record<string, unknown> = {}) => ({
  id: 'cs_test_setup1',
  object: 'checkout.session',
  mode: 'setup',
  status: 'complete',
  payment_status: 'no_payment_required',
  customer: 'cus_SaVeD1',
  setup_intent: 'seti_1SeTuP',
  metadata: { organization_id: organizationId, mode: 'test', customer_id: customerId, invoice_id: invoiceId },
  ...overrides,
});

describe('a completed setup-mode Checkout Session', () => {
  it("links the customer to Stripe's customer and the card its SetupIntent saved", async () => {
    const asked: string[] = [];
    const savedCard = async (setupIntentId: string) => {
      asked.push(setupIntentId);
      return 'pm_1SaVeDcArD';
    };
    const commands = await toInvoiceCommands(
      checkoutSetupCompleted(setupSession()),
      organizationId,
      nowhere,
      savedCard,
    );
    expect(asked).toEqual(['seti_1SeTuP']);
    expect(commands).toEqual([
      {
        type: 'LinkCustomerPaymentProvider',
        data: {
          customer_id: customerId,
          provider: 'stripe',
          stripe_customer_id: 'cus_SaVeD1',
          default_payment_method_id: 'pm_1SaVeDcArD',
          source: 'checkout_setup',
        },
      },
    ]);
  });

  it("links nothing for another organization's session, one without a customer, or a SetupIntent with no card", async () => {
    const card = async () => 'pm_1SaVeDcArD';
    const noCard = async () => null;
    const other = { ...setupSession().metadata, organization_id: `c${'org2'.padEnd(24, '0')}` };
    const ignored = await Promise.all([
      toInvoiceCommands(checkoutSetupCompleted(setupSession({ metadata: other })), organizationId, nowhere, card),
      toInvoiceCommands(checkoutSetupCompleted(setupSession({ customer: null })), organizationId, nowhere, card),
      toInvoiceCommands(checkoutSetupCompleted(setupSession({ status: 'open' })), organizationId, nowhere, card),
      toInvoiceCommands(checkoutSetupCompleted(setupSession()), organizationId, nowhere, noCard),
    ]);
    expect(ignored).toEqual([[], [], [], []]);
  });

  it('leaves a payment-mode session a payment, without asking Stripe about a SetupIntent', async () => {
    const neverAsked = async (): Promise<string | null> => {
      throw new Error('a payment-mode session has no SetupIntent to read');
    };
    const payment = { invoiceId, organizationId, paymentIntentId: 'pi_3PaYmEnT', amountCents: 10_000 };
    const [command] = await toInvoiceCommands(checkoutSessionCompleted(payment), organizationId, nowhere, neverAsked);
    expect(command?.type).toBe('RecordInvoicePayment');
  });
});
