import {
  type Context,
  context,
  createContextKey,
  defaultTextMapGetter,
  defaultTextMapSetter,
  type Link,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  type SpanOptions,
  SpanStatusCode,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';

// The active trace carries its service's tracer, so code deep inside (a transaction) adds spans without being handed one.
const tracerKey = createContextKey('afternoon.tracer');
const propagator = new W3CTraceContextPropagator();

/** The tracer of the service whose span is active, if any. */
export function activeTracer(): Tracer | undefined {
  return context.active().getValue(tracerKey) as Tracer | undefined;
}

/** The trace context the headers carry (W3C `traceparent` / `tracestate`), as a parent for a span. */
export function remoteParent(headers: Record<string, string | string[] | undefined>): Context {
  return propagator.extract(ROOT_CONTEXT, headers, defaultTextMapGetter);
}

/** The headers plus the active span's `traceparent` (and `tracestate`); the same headers when nothing is traced. */
export function withTraceHeaders(
  headers: Record<string, string>,
  from: Context = context.active(),
): Record<string, string> {
  if (!trace.getSpanContext(from)) return headers;
  const carried = { ...headers };
  propagator.inject(from, carried, defaultTextMapSetter);
  return carried;
}

/** Runs `work` in a child span of the active trace; just runs it when nothing is traced. */
export function inSpan<T>(name: string, options: SpanOptions, work: () => Promise<T>): Promise<T> {
  const parent = context.active();
  const tracer = parent.getValue(tracerKey) as Tracer | undefined;
  if (!tracer) return work();
  return runInSpan(tracer, tracer.startSpan(name, options, parent), parent, work);
}

/** Runs `work` with `span` active (and its tracer), ending the span when it settles, marked failed if it throws. */
export async function runInSpan<T>(tracer: Tracer, span: Span, parent: Context, work: () => Promise<T>): Promise<T> {
  try {
    return await context.with(activeIn(tracer, span, parent), work);
  } catch (error) {
    failed(span, error);
    throw error;
  } finally {
    span.end();
  }
}

export function activeIn(tracer: Tracer, span: Span, parent: Context): Context {
  return trace.setSpan(parent, span).setValue(tracerKey, tracer);
}

export function failed(span: Span, error: unknown): void {
  span.recordException(error instanceof Error ? error : String(error));
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
}

/** What identifies a consumed record to its span. */
interface TracedRecord {
  topic: string;
  partition: number;
  offset: string;
  headers: Record<string, string>;
}

const messaging = (topic: string, operation: string) => ({
  'messaging.system': 'kafka',
  'messaging.destination.name': topic,
  'messaging.operation.type': operation,
});

/** Handles a record in a CONSUMER span continuing the trace its headers carry; just handles it when untraced. */
export function consumeInSpan<T>(tracer: Tracer | undefined, record: TracedRecord, work: () => Promise<T>): Promise<T> {
  if (!tracer) return work();
  const parent = remoteParent(record.headers);
  const span = tracer.startSpan(
    `process ${record.topic}`,
    {
      kind: SpanKind.CONSUMER,
      attributes: {
        ...messaging(record.topic, 'process'),
        'messaging.destination.partition.id': String(record.partition),
        'messaging.kafka.offset': Number(record.offset),
      },
    },
    parent,
  );
  return runInSpan(tracer, span, parent, work);
}

/** Handles a batch in one CONSUMER span of its own trace, linked to the trace of each record that carries one. */
export function consumeBatchInSpan<T>(
  tracer: Tracer | undefined,
  records: readonly TracedRecord[],
  work: () => Promise<T>,
): Promise<T> {
  const topic = records[0]?.topic;
  if (!tracer || topic === undefined) return work();
  const links: Link[] = records.flatMap(({ headers }) => {
    const linked = trace.getSpanContext(remoteParent(headers));
    return linked ? [{ context: linked }] : [];
  });
  const span = tracer.startSpan(`process ${topic}`, {
    kind: SpanKind.CONSUMER,
    root: true,
    links,
    attributes: { ...messaging(topic, 'process'), 'messaging.batch.message_count': records.length },
  });
  return runInSpan(tracer, span, ROOT_CONTEXT, work);
}

/** A PRODUCER span for one record being sent; its context travels in `headers`, for the consumer to continue. */
export interface ProducerSpan {
  headers: Record<string, string>;
  end(error?: unknown): void;
}

/** Starts the span of a record sent to `topic`, child of `parent` (the active trace unless said). */
export function startProducerSpan(
  tracer: Tracer | undefined,
  topic: string,
  headers: Record<string, string>,
  parent: Context = context.active(),
): ProducerSpan {
  if (!tracer) return { headers, end: () => undefined };
  const span = tracer.startSpan(
    `send ${topic}`,
    { kind: SpanKind.PRODUCER, attributes: messaging(topic, 'send') },
    parent,
  );
  return {
    headers: withTraceHeaders(headers, trace.setSpan(parent, span)),
    end(error) {
      if (error !== undefined) failed(span, error);
      span.end();
    },
  };
}
