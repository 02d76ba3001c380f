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
// A batch whose records each continue their own trace carries those traces, by record (see consumeEachInSpan).
const recordTracesKey = createContextKey('afternoon.recordTraces');
type RecordTraces = ReadonlyMap<string, Context>;
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

/**
 * Runs `work` in a child span of the active trace; in a batch whose records each continue their own trace, in a child
 * span of each of those (the work is theirs alike: their shared transaction). Just runs it when nothing is traced.
 */
export function inSpan<T>(name: string, options: SpanOptions, work: () => Promise<T>): Promise<T> {
  const parent = context.active();
  const tracer = parent.getValue(tracerKey) as Tracer | undefined;
  if (!tracer) return work();
  const traces = parent.getValue(recordTracesKey) as RecordTraces | undefined;
  if (traces) {
    const spans = [...traces].map(([key, trace]) => ({ key, trace, span: tracer.startSpan(name, options, trace) }));
    return runInSpans(tracer, spans, work);
  }
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

/** Runs `work` once with a span open in each record's trace, each trace moved into its span; ends them as `runInSpan`. */
async function runInSpans<T>(
  tracer: Tracer,
  spans: readonly { key: string; trace: Context; span: Span }[],
  work: () => Promise<T>,
): Promise<T> {
  const traces: RecordTraces = new Map(spans.map(({ key, trace, span }) => [key, activeIn(tracer, span, trace)]));
  try {
    return await context.with(ROOT_CONTEXT.setValue(tracerKey, tracer).setValue(recordTracesKey, traces), work);
  } catch (error) {
    for (const { span } of spans) failed(span, error);
    throw error;
  } finally {
    for (const { span } of spans) span.end();
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
  return runInSpan(tracer, consumerSpan(tracer, record, parent), parent, work);
}

/**
 * Handles a batch whose records each continue their own trace (commands: each is a request awaiting its reply). Each
 * record gets the CONSUMER span `consumeInSpan` would give it alone; a span `work` opens (its transaction) is a span
 * of each, and `inRecordTrace` runs a record's own part in its trace. Just handles it when untraced.
 */
export function consumeEachInSpan<T>(
  tracer: Tracer | undefined,
  records: readonly TracedRecord[],
  work: () => Promise<T>,
): Promise<T> {
  if (!tracer) return work();
  const spans = records.map((record) => {
    const trace = remoteParent(record.headers);
    const span = consumerSpan(tracer, record, trace).setAttribute('messaging.batch.message_count', records.length);
    return { key: recordKey(record), trace, span };
  });
  return runInSpans(tracer, spans, work);
}

/** Runs a record's part of a batch's work in the record's own trace (see `consumeEachInSpan`); else just runs it. */
export function inRecordTrace<T>(record: TracedRecord, work: () => Promise<T>): Promise<T> {
  const trace = recordTrace(record);
  return trace ? context.with(trace, work) : work();
}

/**
 * The headers that continue a record's own trace where its batch's work stands now (see `consumeEachInSpan`), for a
 * message queued for many records at once; outside such a batch, those of the active trace.
 */
export function recordTraceHeaders(record: TracedRecord): Record<string, string> {
  return withTraceHeaders({}, recordTrace(record));
}

function recordTrace(record: TracedRecord): Context | undefined {
  return (context.active().getValue(recordTracesKey) as RecordTraces | undefined)?.get(recordKey(record));
}

/** The CONSUMER span of one record, child of `parent` (the trace its headers carry). */
function consumerSpan(tracer: Tracer, record: TracedRecord, parent: Context): Span {
  return tracer.startSpan(
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
}

const recordKey = (record: TracedRecord) => `${record.topic}/${record.partition}/${record.offset}`;

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
