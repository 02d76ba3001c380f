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

/** How many requests the questions of a pass may have at metering at once, and how many questions each. */
export interface UsageAskBounds {
  maxItems: number;
  requestsAtOnce: number;
}

/**
 * The usage questions of the bills a pass works out at once, asked of metering together: what the bills of one
 * tenant ask while the pass has `requestsAtOnce` requests at metering waits, and goes in the next request of at most
 * `maxItems` questions, so the busier metering is, the fewer and fuller the requests. A request metering refuses
 * (one unknown customer or meter refuses its whole batch) is asked again bill by bill, so only the bill at fault
 * fails; a horizon is the earliest of the requests that answered a bill (each answer counts everything before its
 * own).
 */
export function sharedUsageAsks(metering: InternalApi, { maxItems, requestsAtOnce }: UsageAskBounds): AskUsage {
  const gate = requestGate(requestsAtOnce);
  const loaders = new Map<string, DataLoader<UsageQuestion, Answered>>();
  const loaderOf = (tenant: Tenant) => {
    const key = `${tenant.organizationId}\u0000${tenant.mode}`;
    let loader = loaders.get(key);
    if (!loader) {
      const ask = (questions: readonly UsageQuestion[]) => askTogether(metering, tenant, questions).finally(gate.done);
      loader = new DataLoader(ask, { cache: false, maxBatchSize: maxItems, batchScheduleFn: gate.schedule });
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

/**
 * Holds each batch's dispatch until fewer than `limit` requests are out. A batch still collects questions while it
 * waits: the dispatch runs in a later turn of the event loop.
 */
function requestGate(limit: number) {
  let out = 0;
  const waiting: (() => void)[] = [];
  const pump = () => {
    while (out < limit && waiting.length > 0) {
      const dispatch = waiting.shift() as () => void;
      out += 1;
      setImmediate(dispatch);
    }
  };
  return {
    schedule(dispatch: () => void) {
      waiting.push(dispatch);
      pump();
    },
    done() {
      out -= 1;
      pump();
    },
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
