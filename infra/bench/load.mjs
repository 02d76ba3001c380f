// One load point: autocannon against the bench's gateway for a bounded time, reduced to the numbers we report.
import autocannon from 'autocannon';

/**
 * Starts autocannon with the scenario's request options at `connections` concurrent clients for `durationSeconds`.
 * Returns { done, stop }: `done` resolves with the summary, `stop()` ends the run early (Ctrl-C).
 */
export function runLoad({ baseUrl, request, connections, durationSeconds }) {
  // autocannon takes the path as part of the url (a top-level `path` option is ignored).
  const { path = '/', ...options } = request;
  let instance;
  const done = new Promise((resolve, reject) => {
    instance = autocannon(
      {
        ...options,
        url: `${baseUrl}${path}`,
        connections,
        pipelining: 1,
        duration: durationSeconds,
        timeout: 10,
      },
      (error, result) => (error ? reject(error) : resolve(summarize(result))),
    );
  });
  return { done, stop: () => instance?.stop() };
}

function summarize(result) {
  const statusCodes = Object.fromEntries(
    Object.entries(result.statusCodeStats ?? {}).map(([code, stats]) => [code, Number(stats.count)]),
  );
  return {
    connections: result.connections,
    durationSeconds: result.duration,
    requests: result.requests.total,
    requestsPerSecond: result.duration > 0 ? result.requests.total / result.duration : 0,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    maxMs: result.latency.max,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes,
  };
}
