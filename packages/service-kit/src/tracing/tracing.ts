import { context, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';

/** A service's traces: its tracer, or none when tracing is off (every kit span helper then just runs its work). */
export interface Tracing {
  readonly tracer: Tracer | undefined;
  /** Sends the spans still buffered and stops. */
  shutdown(): Promise<void>;
}

export const tracingOff: Tracing = { tracer: undefined, shutdown: async () => undefined };

/** Where a service's spans go: OTEL_EXPORTER_OTLP_ENDPOINT (OTLP/HTTP, JSON) under OTEL_SERVICE_NAME. */
export interface TracingSettings {
  endpoint: string | undefined;
  serviceName: string;
}

let contextManagerRegistered = false;

/**
 * Starts a tracer provider of the service's own (not the global one: tests run several services in one process, each
 * naming itself), exporting to `${endpoint}/v1/traces`. With no endpoint nothing is started at all.
 */
export function startTracing({ endpoint, serviceName }: TracingSettings): Tracing {
  if (!endpoint) return tracingOff;
  registerContextManager();
  const exporter = new OTLPTraceExporter({ url: `${endpoint.replace(/\/+$/, '')}/v1/traces` });
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': serviceName }),
    spanProcessors: [new BatchSpanProcessor(exporter, { scheduledDelayMillis: 500 })],
  });
  return { tracer: provider.getTracer('afternoon'), shutdown: () => provider.shutdown() };
}

/** Spans follow async work through AsyncLocalStorage; one context manager serves every service of the process. */
function registerContextManager(): void {
  if (contextManagerRegistered) return;
  contextManagerRegistered = true;
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
}
