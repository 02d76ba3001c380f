// The shape of a scenario (infra/bench/scenarios/*.mjs). Documentation only: nothing here runs.

/**
 * @typedef {object} BenchContext
 * @property {string} baseUrl  the bench's gateway, e.g. http://127.0.0.1:3900
 * @property {string} adminToken
 * @property {{ id: string, keys: { live: string, test: string } }} organization  created for this run
 */

/**
 * @typedef {object} Scenario
 * @property {string} id  short name, used by BENCH_SCENARIOS=id,id to pick scenarios
 * @property {string} title  the table's row label
 * @property {string} measures  one or two sentences for docs/benchmarks.md
 * @property {number[]} connections  the load points: concurrent clients (autocannon connections), one run each
 * @property {{ connections: number, p99Ms: number }} [goal]  reported as met or missed; never asserted
 * @property {Array<{ connections: number, p99Ms: number, requestsPerSecond?: number }>} [goals]  several such goals
 * @property {(context: BenchContext) => Promise<object>} prepare
 *   autocannon options for this scenario's requests (method, path, headers, body, idReplacement, requests, ...);
 *   may first create what the requests need through the API. url, connections and duration are set by the bench.
 */

/**
 * A scenario that measures something other than one request at a few client counts (throughput through Kafka, a
 * latency seen by polling, the machine's limits). It drives its own load and answers the rows of the measurements
 * table; `goal` makes the row say whether it was met.
 * @typedef {object} MeasuredScenario
 * @property {string} id
 * @property {string} title
 * @property {string} measures
 * @property {(context: MeasureContext) => Promise<Measurement[]>} measure
 */

/**
 * @typedef {BenchContext & {
 *   cluster: object, env: Record<string, string | undefined>, events: number,
 *   durationSeconds: number, warmupSeconds: number,
 *   results: Record<string, object>, shared: Record<string, Promise<object>>,
 *   load: (request: object, connections: number, seconds: number) => Promise<object | undefined>,
 *   log: (message: string) => void, stopping: () => boolean,
 * }} MeasureContext
 *   `results` carries what a scenario reports to later ones (`limits`: the machine's, measured first; event to
 *   queryable runs at half of `httpSustained`'s rate); `load` is one autocannon run against the gateway (or the
 *   `baseUrl` given as its fourth argument), undefined when the bench is stopping.
 */

/**
 * @typedef {object} Measurement
 * @property {string} measured  what the number is
 * @property {number} value
 * @property {string} unit  'events/s', 'ms', 's', 'ratio', ...
 * @property {{ atLeast?: number, below?: number }} [goal]
 * @property {string} [details]
 */

export {};
