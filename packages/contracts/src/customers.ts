import { z } from 'zod';
import { Metadata, NonBlankString, PageQuery, Pagination, ResourceId } from './common';

export const Address = z.strictObject({
  line1: z.string().max(255).optional(),
  line2: z.string().max(255).optional(),
  city: z.string().max(255).optional(),
  state: z.string().max(255).optional(),
  postal_code: z.string().max(32).optional(),
  country: z.string().length(2, 'must be a two-letter ISO 3166-1 country code').toUpperCase().optional(),
});
export type Address = z.infer<typeof Address>;

const customerFields = {
  name: NonBlankString.trim().max(255),
  first_name: z.string().max(255).nullable(),
  last_name: z.string().max(255).nullable(),
  email: z.email().max(255).nullable(),
  phone: z.string().max(50).nullable(),
  url: z.url().max(2048).nullable(),
  external_id: z.string().min(1).max(255).nullable(),
  billing_address: Address.nullable(),
  shipping_address: Address.nullable(),
  metadata: Metadata,
};

/** `POST /v1/customers`: `name` is required, everything else optional. Unknown fields are refused. */
export const CreateCustomerBody = z.strictObject({
  name: customerFields.name,
  first_name: customerFields.first_name.optional(),
  last_name: customerFields.last_name.optional(),
  email: customerFields.email.optional(),
  phone: customerFields.phone.optional(),
  url: customerFields.url.optional(),
  external_id: NonBlankString.max(255).nullable().optional(),
  billing_address: customerFields.billing_address.optional(),
  shipping_address: customerFields.shipping_address.optional(),
  metadata: customerFields.metadata.optional(),
  /** A test clock (test mode only) the customer lives on; fixed at creation. */
  test_clock: ResourceId.optional(),
});
export type CreateCustomerBody = z.infer<typeof CreateCustomerBody>;

/** `PATCH /v1/customers/{id}`: only provided fields change; `null` clears an optional field. */
export const UpdateCustomerBody = CreateCustomerBody.omit({ test_clock: true }).partial();
export type UpdateCustomerBody = z.infer<typeof UpdateCustomerBody>;

export const CustomerDetails = z.object(customerFields);
export type CustomerDetails = z.infer<typeof CustomerDetails>;

export const Customer = z.object({
  id: ResourceId,
  ...customerFields,
  test_clock: ResourceId.nullable(),
  created_at: z.iso.datetime(),
  updated_at: z.iso.datetime(),
});
export type Customer = z.infer<typeof Customer>;

export const CustomerResponse = z.object({ success: z.literal(true), customer: Customer, request_id: z.string() });
export type CustomerResponse = z.infer<typeof CustomerResponse>;

export const DeletedCustomer = z.object({ id: ResourceId, deleted: z.literal(true) });
export type DeletedCustomer = z.infer<typeof DeletedCustomer>;

export const ListCustomersQuery = PageQuery.extend({
  name: z.string().max(255).optional(),
  first_name: z.string().max(255).optional(),
  last_name: z.string().max(255).optional(),
  email: z.string().max(255).optional(),
  external_id: z.string().max(255).optional(),
}).strict();
export type ListCustomersQuery = z.infer<typeof ListCustomersQuery>;

export const CustomerList = z.object({ customers: z.array(Customer), pagination: Pagination });
export type CustomerList = z.infer<typeof CustomerList>;

/** `GET /customers/{id}` (internal): one customer; `GET /customers` answers a `CustomerList`. */
export const CustomerAnswer = z.object({ customer: Customer });
export type CustomerAnswer = z.infer<typeof CustomerAnswer>;

/** Which customers a service counts as known: `live` ones may be billed now, `ever` adds the deleted (usage outlives them). */
export const CustomerScope = z.enum(['live', 'ever']);
export type CustomerScope = z.infer<typeof CustomerScope>;

// Commands (on `customer.commands`)

export const CreateCustomer = z.object({
  type: z.literal('CreateCustomer'),
  data: z.object({
    customer_id: ResourceId,
    details: CustomerDetails,
    test_clock: ResourceId.nullable().default(null),
  }),
});
export type CreateCustomer = z.infer<typeof CreateCustomer>;

export const UpdateCustomer = z.object({
  type: z.literal('UpdateCustomer'),
  data: z.object({ customer_id: ResourceId, changes: CustomerDetails.partial() }),
});
export type UpdateCustomer = z.infer<typeof UpdateCustomer>;

export const DeleteCustomer = z.object({
  type: z.literal('DeleteCustomer'),
  data: z.object({ customer_id: ResourceId }),
});
export type DeleteCustomer = z.infer<typeof DeleteCustomer>;

export const CustomerCommand = z.discriminatedUnion('type', [CreateCustomer, UpdateCustomer, DeleteCustomer]);
export type CustomerCommand = z.infer<typeof CustomerCommand>;

// Events (on `customer.events`), each with its versioned wire name beside its schema

export const CustomerCreated = z.object({
  type: z.literal('CustomerCreated'),
  data: z.object({
    customer_id: ResourceId,
    details: CustomerDetails,
    /** Absent on events from before test clocks: none. */
    test_clock: ResourceId.nullable().default(null),
    created_at: z.iso.datetime(),
  }),
});
export type CustomerCreated = z.infer<typeof CustomerCreated>;

export const CustomerUpdated = z.object({
  type: z.literal('CustomerUpdated'),
  data: z.object({ customer_id: ResourceId, changes: CustomerDetails.partial(), updated_at: z.iso.datetime() }),
});
export type CustomerUpdated = z.infer<typeof CustomerUpdated>;

export const CustomerDeleted = z.object({
  type: z.literal('CustomerDeleted'),
  data: z.object({ customer_id: ResourceId, deleted_at: z.iso.datetime() }),
});
export type CustomerDeleted = z.infer<typeof CustomerDeleted>;

export const CustomerEvent = z.discriminatedUnion('type', [CustomerCreated, CustomerUpdated, CustomerDeleted]);
export type CustomerEvent = z.infer<typeof CustomerEvent>;

export const customerEventWireNames = {
  CustomerCreated: 'afternoon.customers.v1.customer_created',
  CustomerUpdated: 'afternoon.customers.v1.customer_updated',
  CustomerDeleted: 'afternoon.customers.v1.customer_deleted',
} as const satisfies Record<CustomerEvent['type'], string>;
