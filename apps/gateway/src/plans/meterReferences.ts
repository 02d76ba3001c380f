import type { FieldProblem } from '@afternoon/contracts/common';
import { type Meter, MeterAnswer } from '@afternoon/contracts/meters';
import type { Price } from '@afternoon/contracts/plans';
import { fieldPath, type InternalApi } from '@afternoon/service-kit';
import { ApiHttpError } from '../http/apiError';
import type { Caller } from '../http/requestContext';
import { queryService } from '../queries/serviceQuery';

/** Refuses prices that bill a meter the caller does not have, or has archived, naming each such price's field. */
export async function checkMeterReferences(
  metering: InternalApi,
  caller: Caller,
  prices: readonly Price[],
): Promise<void> {
  const codes = [...new Set(prices.flatMap((price) => (price.model === 'flat' ? [] : [price.meter_code])))];
  const found = new Map<string, Meter | undefined>();
  await Promise.all(
    codes.map(async (code) => {
      try {
        found.set(code, (await queryService(metering, `/meters/${code}`, caller, MeterAnswer)).meter);
      } catch (error) {
        if (error instanceof ApiHttpError && error.error.code === 'NOT_FOUND') found.set(code, undefined);
        else throw error;
      }
    }),
  );
  const problems: FieldProblem[] = [];
  prices.forEach((price, index) => {
    if (price.model === 'flat') return;
    const meter = found.get(price.meter_code);
    const param = fieldPath(['prices', index, 'meter_code']);
    if (!meter) problems.push({ param, message: `no such meter: '${price.meter_code}'` });
    else if (meter.status !== 'active') problems.push({ param, message: `meter '${price.meter_code}' is archived` });
  });
  if (problems.length > 0) throw ApiHttpError.validation(problems);
}
