import { ResourceId } from '@afternoon/contracts/common';
import {
  CreateCustomerBody,
  Customer,
  type CustomerDetails,
  CustomerList,
  DeletedCustomer,
  ListCustomersQuery,
} from '@afternoon/contracts/customers';
import { PatchCustomerBody } from '@afternoon/contracts/paymentLinks';
import { Topics } from '@afternoon/contracts/topics';
import { newResourceId } from '@afternoon/service-kit';
import { Router } from 'express';
import { commandRecord, commandRoute } from '../commands/commandRoute';
import { existingPathValue } from '../http/pathValue';
import { callerOf } from '../http/requestContext';
import { respond } from '../http/respond';
import { validate } from '../http/validation';
import { answerOnce } from '../idempotency/answerOnce';
import { queryService } from '../queries/serviceQuery';
import type { RouteDeps } from '../routeDeps';
import { existingTestClock } from '../testClocks/existingTestClock';
import { composedCustomer, patchCustomer } from './customerPaymentProvider';

/** How long a customer's deletion waits for ingest's copy of the customers to see it. */
const deletionVisibleMs = 5_000;

/** `/v1/customers`: writes become commands to customer-service, reads ask its read API. */
export function customerRoutes(deps: RouteDeps): Router {
  const router = Router();
  const topic = Topics.customerCommands;

  router.post(
    '/v1/customers',
    commandRoute(deps, async (request, response) => {
      const body = validate(CreateCustomerBody, request.body);
      if (body.test_clock !== undefined)
        await existingTestClock(deps, callerOf(response), body.test_clock, 'test_clock');
      const customerId = newResourceId();
      return {
        topic,
        key: customerId,
        type: 'CreateCustomer',
        data: { customer_id: customerId, details: withDefaults(body), test_clock: body.test_clock ?? null },
        successStatus: 201,
        // A new customer is linked to no payment provider yet (invoicing keeps the link: GET composes it).
        successBody: (customer) => ({ customer: { ...Customer.parse(customer), payment_provider: null } }),
      };
    }),
  );

  router.get('/v1/customers/:id', async (request, response) => {
    const id = existingId(request.params.id);
    respond(response, 200, { customer: await composedCustomer(deps, callerOf(response), id) });
  });

  router.get('/v1/customers', async (request, response) => {
    const query = validate(ListCustomersQuery, request.query, 'query');
    const list = await queryService(deps.services.customers, '/customers', callerOf(response), CustomerList, {
      ...request.query,
      limit: String(query.limit),
    });
    respond(response, 200, list);
  });

  // Two services own what the body changes: the details go to customer-service, `payment_provider` to invoicing.
  router.patch('/v1/customers/:id', async (request, response) => {
    const id = existingId(request.params.id);
    const { payment_provider, ...changes } = validate(PatchCustomerBody, request.body ?? {});
    const update = commandRecord(response, { type: 'UpdateCustomer', data: { customer_id: id, changes } });
    await answerOnce(deps, request, response, update, (toSend) =>
      patchCustomer(deps, callerOf(response), toSend, payment_provider, response),
    );
  });

  router.delete(
    '/v1/customers/:id',
    commandRoute(deps, (request) => {
      const id = existingId(request.params.id);
      return {
        topic,
        key: id,
        type: 'DeleteCustomer',
        data: { customer_id: id },
        successStatus: 200,
        successBody: (customer) => ({ customer: DeletedCustomer.parse(customer) }),
        // Ingest refuses the customer's usage from the answer on: the deletion is on the topic before the reply, and
        // ingest reads the gateway's copy. Past the wait the deletion still happened, so it answers all the same.
        beforeSuccess: () => deps.usageCustomers.catchUp('customers', deletionVisibleMs),
      };
    }),
  );

  return router;
}

function withDefaults(body: CreateCustomerBody): CustomerDetails {
  return {
    name: body.name,
    first_name: body.first_name ?? null,
    last_name: body.last_name ?? null,
    email: body.email ?? null,
    phone: body.phone ?? null,
    url: body.url ?? null,
    external_id: body.external_id ?? null,
    billing_address: body.billing_address ?? null,
    shipping_address: body.shipping_address ?? null,
    metadata: body.metadata ?? {},
  };
}

const existingId = (value: string | undefined) => existingPathValue(value, ResourceId, 'customer', 'id');
