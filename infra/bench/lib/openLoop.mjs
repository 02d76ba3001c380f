// The bench's own senders of ingest batches, for runs that must know exactly which batches were accepted (autocannon
// does not count the requests still out when its duration ends, though the gateway may accept them). Open loop: a
// batch leaves on schedule whether or not the earlier ones were answered, so a slow system shows as batches failed or
// not sent rather than as a lower request rate. Closed loop: `connections` senders, each sending its next batch when
// the last is answered, for `seconds`. Both wait for every answer before resolving.
import { setTimeout as delay } from 'node:timers/promises';

/** Counts answers: acks (answer times of the 200s), failures by reason ("503×2 timeout×1"). */
function tally() {
  const acks = [];
  const failed = {};
  let failures = 0;
  const fail = (reason) => {
    failures++;
    failed[reason] = (failed[reason] ?? 0) + 1;
  };
  return {
    acks,
    post(url, key, body) {
      return fetch(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body,
        signal: AbortSignal.timeout(30_000),
      })
        .then(async (response) => {
          await response.arrayBuffer();
          if (response.status === 200) acks.push(performance.now());
          else fail(String(response.status));
        })
        .catch((error) => fail(error.name === 'TimeoutError' ? 'timeout' : (error.cause?.code ?? error.name)));
    },
    result(extra) {
      const reasons = Object.entries(failed)
        .map(([reason, count]) => `${reason}×${count}`)
        .join(' ');
      return { acks, failures, reasons, ...extra };
    },
  };
}

/**
 * POSTs `body(batch)` to `url` every `intervalMs` for `batches` batches, at most `maxInFlight` unanswered (a batch
 * due while that many are out is not sent). Resolves with {acks, failures, reasons, skipped, ms}.
 */
export async function openLoop({ url, key, body, intervalMs, batches, maxInFlight, stopping }) {
  const answers = tally();
  let skipped = 0;
  let inFlight = 0;
  const sends = [];
  const started = performance.now();
  for (let batch = 0; batch < batches && !stopping(); batch++) {
    const due = started + batch * intervalMs;
    if (due > performance.now()) await delay(due - performance.now());
    if (inFlight >= maxInFlight) {
      skipped++;
      continue;
    }
    inFlight++;
    sends.push(answers.post(url, key, body(batch)).finally(() => inFlight--));
  }
  await Promise.all(sends);
  return answers.result({ skipped, ms: performance.now() - started });
}

/**
 * `connections` senders POST `body(batch)` to `url` one after another for `seconds` (batch numbers unique across
 * them). Resolves with {acks, failures, reasons, sent, ms} once the last answer is in.
 */
export async function closedLoop({ url, key, body, connections, seconds, stopping }) {
  const answers = tally();
  const started = performance.now();
  const until = started + seconds * 1000;
  let next = 0;
  const sender = async () => {
    while (performance.now() < until && !stopping()) await answers.post(url, key, body(next++));
  };
  await Promise.all(Array.from({ length: connections }, sender));
  return answers.result({ sent: next, ms: performance.now() - started });
}
