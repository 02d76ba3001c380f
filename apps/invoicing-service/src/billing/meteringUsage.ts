import type { MeterPeriodUsage } from '@afternoon/billing-core/periodLines';
import { allGroupsHeader, Meter, MeterUsage } from '@afternoon/contracts/meters';
import { type InternalApi, internalApiHeaders, NotYetError, type Tenant, TenantHeaders } from '@afternoon/service-kit';
import { z } from 'zod';

const timeoutMs = 10_000;

/** A customer's usage of a meter over [from, to), and the instant before which every usage record received counts. */
export type MeterUsageAnswer = MeterPeriodUsage & { processed_through: string };

/** Only events received after `after` (exclusive; null: from the first) and up to `through` (inclusive). */
export interface ReceivedWindow {
  after: Date | null;
  through: Date;
}

/** Metering-service refused the question (a 4xx) or answered in a shape this service does not understand. */
export class MeteringRequestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MeteringRequestError';
  }
}

/** Metering-service did not answer within the deadline, could not be reached, or failed (5xx): asked again later. */
export class MeteringUnavailableError extends NotYetError {
  constructor(reason: string) {
    super(reason);
    this.name = 'MeteringUnavailableError';
  }
}

/**
 * Asks metering-service's internal read API for `customerId`'s usage of `meterCode`, by `groupBy` when given, of
 * the events received in `received` when given.
 */
export async function meterUsage(
  metering: InternalApi,
  tenant: Tenant,
  customerId: string,
  meterCode: string,
  from: Date,
  to: Date,
  groupBy: readonly string[] = [],
  received?: ReceivedWindow,
): Promise<MeterUsageAnswer> {
  const query: Record<string, string> = { meter: meterCode, from: from.toISOString(), to: to.toISOString() };
  if (groupBy.length > 0) query.group_by = groupBy.join(',');
  if (received?.after) query.received_after = received.after.toISOString();
  if (received) query.received_through = received.through.toISOString();
  const { usage } = await askMetering(
    metering,
    `/customers/${encodeURIComponent(customerId)}/meter-usage`,
    tenant,
    z.object({ usage: MeterUsage }),
    query,
  );
  const groups = groupBy.length > 0 ? (usage.windows[0]?.groups ?? []) : undefined;
  return { total: usage.total, ...(groups ? { groups } : {}), processed_through: usage.processed_through };
}

/** The properties a meter groups usage by (empty when it does not). */
export async function meterGroupBy(metering: InternalApi, tenant: Tenant, meterCode: string): Promise<string[]> {
  const { meter } = await askMetering(
    metering,
    `/meters/${encodeURIComponent(meterCode)}`,
    tenant,
    z.object({ meter: Meter }),
  );
  return meter.group_by;
}

async function askMetering<T>(
  metering: InternalApi,
  path: string,
  tenant: Tenant,
  schema: z.ZodType<T>,
  query: Record<string, string> = {},
): Promise<T> {
  const url = new URL(path, metering.url);
  for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, {
      headers: {
        ...internalApiHeaders(metering.token),
        [TenantHeaders.organizationId]: tenant.organizationId,
        [TenantHeaders.mode]: tenant.mode,
        [allGroupsHeader]: 'true',
      },
      signal: AbortSignal.timeout(timeoutMs),
    });
    text = await response.text();
  } catch (error) {
    throw new MeteringUnavailableError(`metering-service did not answer GET ${url.pathname}: ${String(error)}`);
  }
  if (response.status >= 500)
    throw new MeteringUnavailableError(`metering-service answered ${response.status} to GET ${url.pathname}`);
  if (response.status !== 200)
    throw new MeteringRequestError(
      `metering-service answered ${response.status} to GET ${url.pathname}${url.search}: ${text.slice(0, 500)}`,
    );
  const parsed = schema.safeParse(jsonOrText(text));
  if (!parsed.success)
    throw new MeteringRequestError(
      `metering-service answered GET ${url.pathname} in an unexpected shape: ${parsed.error.message}`,
    );
  return parsed.data;
}

function jsonOrText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
