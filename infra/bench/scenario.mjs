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
 * @property {(context: BenchContext) => Promise<object>} prepare
 *   autocannon options for this scenario's requests (method, path, headers, body, idReplacement, requests, ...);
 *   may first create what the requests need through the API. url, connections and duration are set by the bench.
 */

export {};
