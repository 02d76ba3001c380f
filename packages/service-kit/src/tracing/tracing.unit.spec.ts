import { context, trace } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { consumeInSpan, inSpan, startProducerSpan, withTraceHeaders } from './spans';
import { startTracing, tracingOff } from './tracing';

describe('tracing without OTEL_EXPORTER_OTLP_ENDPOINT', () => {
  it('starts nothing: no tracer, no context manager, and the kit span helpers only run their work', async () => {
    const tracing = startTracing({ endpoint: undefined, serviceName: 'customer-service' });
    expect(tracing).toBe(tracingOff);

    const headers = { 'x-afternoon-command-id': 'cmd_1' };
    const record = { topic: 'customer.commands', partition: 0, offset: '7', headers };
    const ran = await consumeInSpan(tracing.tracer, record, async () =>
      inSpan('postgres transaction', {}, async () => {
        // No context manager was registered: nothing is active, so nothing is carried.
        expect(trace.getSpan(context.active())).toBeUndefined();
        return 'handled';
      }),
    );
    expect(ran).toBe('handled');

    const sent = startProducerSpan(tracing.tracer, 'customer.commands', headers);
    expect(sent.headers).toBe(headers);
    expect(withTraceHeaders(headers)).toBe(headers);
  });
});
