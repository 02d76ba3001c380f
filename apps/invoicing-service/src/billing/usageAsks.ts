import type { MeterUsageAnswer } from '@afternoon/contracts/meterUsageBatch';
import type { InternalApi, Tenant } from '@afternoon/service-kit';
import DataLoader from 'dataloader';
import { MeteringRequestError, type MeterUsages, meterUsages, type UsageQuestion } from './meteringUsage';

/** Asks metering a bill's usage questions (`meterUsages`, or the pass's shared requests). */
export type AskUsage = (tenant: Tenant, questions: readonly UsageQuestion[]) => Promise<MeterUsages>;

/** An answer, and the horizon of the request that brought it. */
interface Answered {
  usage: MeterUsageAnswer;
  processedThrough: Date;
}

/**
 * The usage questions of the bills a pass works out at once, asked of metering together: what the bills of one
 * tenant ask in the same turn of the event loop goes in one request of at most `maxItems` questions. A request
 * metering refuses (one unknown customer or meter refuses its whole batch) is asked again bill by bill, so only the
 * bill at fault fails; a horizon is the earliest of the requests that answered a bill (each answer counts everything
 * before its own).
 */
export function sharedUsageAsks(metering: InternalApi, maxItems: number): AskUsage {
  const loaders = new Map<string, DataLoader<UsageQuestion, Answered>>();
  const loaderOf = (tenant: Tenant) => {
    const key = `${tenant.organizationId}\u0000${tenant.mode}`;
    let loader = loaders.get(key);
    if (!loader) {
      loader = new DataLoader((questions) => askTogether(metering, tenant, questions), {
        cache: false,
        maxBatchSize: maxItems,
      });
      loaders.set(key, loader);
    }
    return loader;
  };
  return async (tenant, questions) => {
    if (questions.length === 0) return { answered: [], processedThrough: null };
    const answers = await loaderOf(tenant).loadMany(questions);
    const answered = answers.map((answer, index) => {
      if (answer instanceof Error) throw answer;
      return { question: questions[index] as UsageQuestion, usage: answer.usage };
    });
    const horizons = (answers as Answered[]).map((answer) => answer.processedThrough.getTime());
    return { answered, processedThrough: new Date(Math.min(...horizons)) };
  };
}

async function askTogether(
  metering: InternalApi,
  tenant: Tenant,
  questions: readonly UsageQuestion[],
): Promise<(Answered | Error)[]> {
  try {
    return answersOf(await meterUsages(metering, tenant, questions));
  } catch (error) {
    const customers = new Set(questions.map((question) => question.customerId));
    if (!(error instanceof MeteringRequestError) || customers.size === 1) return questions.map(() => asError(error));
  }
  // Refused together: each customer's bill alone, so the refusal lands on the one at fault.
  const byCustomer = new Map<string, number[]>();
  for (const [index, question] of questions.entries())
    byCustomer.set(question.customerId, [...(byCustomer.get(question.customerId) ?? []), index]);
  const results: (Answered | Error)[] = [];
  for (const indexes of byCustomer.values()) {
    const asked = indexes.map((index) => questions[index] as UsageQuestion);
    const answers = await meterUsages(metering, tenant, asked).then(answersOf, (error) =>
      asked.map(() => asError(error)),
    );
    indexes.forEach((index, position) => {
      results[index] = answers[position] as Answered | Error;
    });
  }
  return results;
}

function answersOf({ answered, processedThrough }: MeterUsages): Answered[] {
  if (processedThrough === null) throw new Error('metering answered usage questions without a horizon');
  return answered.map(({ usage }) => ({ usage, processedThrough }));
}

const asError = (error: unknown) => (error instanceof Error ? error : new Error(String(error)));
