import express, { Router } from 'express';
import { describe, expect, it } from 'vitest';
import { servedRoutes } from './routeTable';

describe('servedRoutes', () => {
  it('lists every method and path of the app, nested routers and their mount paths included, middleware not', () => {
    const app = express();
    app.use((_request, _response, next) => next());
    const customers = Router();
    customers.get('/v1/customers/:id', (_request, response) => response.end());
    customers
      .route('/v1/customers')
      .get((_request, response) => response.end())
      .post((_request, response) => response.end());
    const mounted = Router();
    mounted.delete('/keys/:id', (_request, response) => response.end());
    const admin = Router();
    admin.use('/admin', mounted);
    app.use(customers);
    app.use('/v1', admin);

    expect(servedRoutes(app)).toEqual([
      { method: 'GET', path: '/v1/customers/:id' },
      { method: 'GET', path: '/v1/customers' },
      { method: 'POST', path: '/v1/customers' },
      { method: 'DELETE', path: '/v1/admin/keys/:id' },
    ]);
  });
});
