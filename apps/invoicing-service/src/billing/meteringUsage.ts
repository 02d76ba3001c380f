import {
  type MeterUsageAnswer,
  MeterUsageBatchAnswer,
  type MeterUsageBatchRequest,
  type MeterUsageItem,
} from '@afternoon/contracts/meterUsageBatch';
import {
  askService,
  type InternalApi,
  NotYetError,
  ServiceAnswerError,
  ServiceRefusedError,
  ServiceUnavailableError,
  type Tenant,
} from '@afternoon/service-kit';
import type { z } from 'zod';

const timeoutMs = 10_000;

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

/** One usage question of a bill: a customer's usage of a meter over [from, to), of the events received in `received`. */
export interface UsageQuestion {
  customerId: string;
  meterCode: string;
  from: Date;
  to: Date;
  received?: ReceivedWindow;
}

/** Each question with its answer, and the instant before which every usage record received counts in them. */
export interface MeterUsages {
  answered: { question: UsageQuestion; usage: MeterUsageAnswer }[];
  /** Null when nothing was asked. */
  processedThrough: Date | null;
}

/** Asks metering-service's internal API every question at once, each by its meter's own grouping with every group. */
export async function meterUsages(
  metering: InternalApi,
  tenant: Tenant,
  questions: readonly UsageQuestion[],
): Promise<MeterUsages> {
  if (questions.length === 0) return { answered: [], processedThrough: null };
  const request: MeterUsageBatchRequest = { items: questions.map(usageItem) };
  const answer = await askMetering(metering, '/meter-usage/batch', tenant, MeterUsageBatchAnswer, request);
  const answered = questions.map((question, index) => {
    const usage = answer.usage[index];
    if (!usage)
      throw new MeteringRequestError(
        `metering-service answered ${answer.usage.length} of ${questions.length} usage questions`,
      );
    return { question, usage };
  });
  return { answered, processedThrough: new Date(answer.processed_through) };
}

function usageItem({ customerId, meterCode, from, to, received }: UsageQuestion): MeterUsageItem {
  return {
    customer_id: customerId,
    meter: meterCode,
    from: from.toISOString(),
    to: to.toISOString(),
    ...(received?.after ? { received_after: received.after.toISOString() } : {}),
    ...(received ? { received_through: received.through.toISOString() } : {}),
  };
}

/**
 * The kit's `askService`, its failures told as the billing run tells them apart: out of reach, late or failing is
 * `MeteringUnavailableError` (asked again later); a refusal or an answer off contract is `MeteringRequestError`.
 */
async function askMetering<T>(
  metering: InternalApi,
  path: string,
  tenant: Tenant,
  answer: z.ZodType<T>,
  body: unknown,
): Promise<T> {
  try {
    return await askService(metering, { path, answer, tenant, body, timeoutMs });
  } catch (error) {
    if (error instanceof ServiceUnavailableError)
      throw new MeteringUnavailableError(`metering-service did not answer POST ${path}: ${error.message}`);
    if (error instanceof ServiceRefusedError)
      throw new MeteringRequestError(`metering-service answered ${error.status} to POST ${path}: ${error.message}`);
    if (error instanceof ServiceAnswerError) throw new MeteringRequestError(`metering-service ${error.message}`);
    throw error;
  }
}
