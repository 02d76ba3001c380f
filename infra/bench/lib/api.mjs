// The bench's calls to its own gateway: customers and meters through the public API, as a caller makes them.

/** One JSON request to the gateway; throws unless it answers `expected`. */
export async function callApi(baseUrl, key, method, path, body, expected = 200) {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const answer = await response.json().catch(() => undefined);
  if (response.status !== expected) {
    throw new Error(`${method} ${path} answered ${response.status}: ${JSON.stringify(answer).slice(0, 300)}`);
  }
  return answer;
}

export async function createOrganization(baseUrl, adminToken, name) {
  const body = await callApi(baseUrl, adminToken, 'POST', '/v1/admin/organizations', { name }, 201);
  return { id: body.organization.id, keys: body.api_keys };
}

/** `count` customers, created `parallel` at a time; resolves with their ids in order. */
export async function createCustomers(baseUrl, key, count, prefix, parallel = 8) {
  const ids = new Array(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      const body = await callApi(baseUrl, key, 'POST', '/v1/customers', { name: `${prefix} ${index}` }, 201);
      ids[index] = body.customer.id;
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, count) }, worker));
  return ids;
}

export async function createMeter(baseUrl, key, definition) {
  const body = await callApi(baseUrl, key, 'POST', '/v1/meters', definition, 201);
  return body.meter;
}

/** `count` customers living on test clock `clockId` (a test key), created `parallel` at a time; their ids in order. */
export async function createClockCustomers(baseUrl, key, clockId, count, prefix, parallel = 8) {
  const ids = new Array(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      const body = { name: `${prefix} ${index}`, test_clock: clockId };
      ids[index] = (await callApi(baseUrl, key, 'POST', '/v1/customers', body, 201)).customer.id;
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, count) }, worker));
  return ids;
}

/** Every invoice of the key's organization and mode, walking `GET /v1/invoices` a page of 100 at a time. */
export async function listAllInvoices(baseUrl, key) {
  const invoices = [];
  let cursor;
  do {
    const query = cursor ? `limit=100&cursor=${encodeURIComponent(cursor)}` : 'limit=100';
    const page = await callApi(baseUrl, key, 'GET', `/v1/invoices?${query}`);
    invoices.push(...page.invoices);
    cursor = page.pagination.has_more ? page.pagination.next_cursor : undefined;
  } while (cursor);
  return invoices;
}
