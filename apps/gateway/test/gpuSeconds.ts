import type { GatewayClient } from '@afternoon/testkit';
import { expect } from 'vitest';

/**
 * Creates, for the client's organization and mode, the `gpu_seconds` meter (the sum of `seconds` over `gpu` events)
 * and the `gpu_sec` pricing unit: a quarter of a cent per GPU second.
 */
export async function createGpuSeconds(client: GatewayClient): Promise<void> {
  const meter = {
    code: 'gpu_seconds',
    name: 'GPU seconds',
    event_name: 'gpu',
    aggregation: 'sum',
    property: 'seconds',
  };
  expect((await client.post('/v1/meters', meter)).status).toBe(201);
  const gpuSec = { code: 'gpu_sec', name: 'GPU second', currency_conversion: { currency: 'usd', unit_amount: '0.25' } };
  expect((await client.post('/v1/pricing_units', gpuSec)).status).toBe(201);
}
