import { describe, expect, it } from 'vitest';
import { SqlParameters } from './sqlParameters';

describe('SqlParameters', () => {
  it('numbers placeholders in the order values are added, and keeps the values in that order', () => {
    const params = new SqlParameters();
    const tenant = `organization_id = ${params.add('org_1')} AND mode = ${params.add('test')}`;
    const after = `created_at > ${params.add('2026-01-01T00:00:00Z')}::timestamptz`;
    expect(params.query(`SELECT * FROM invoices WHERE ${tenant} AND ${after} LIMIT ${params.add(11)}`)).toEqual({
      text: 'SELECT * FROM invoices WHERE organization_id = $1 AND mode = $2 AND created_at > $3::timestamptz LIMIT $4',
      values: ['org_1', 'test', '2026-01-01T00:00:00Z', 11],
    });
  });

  it('lets an optional condition be left out without renumbering the ones after it', () => {
    const listed = (customerId?: string) => {
      const params = new SqlParameters();
      const conditions = [`organization_id = ${params.add('org_1')}`];
      if (customerId) conditions.push(`customer_id = ${params.add(customerId)}`);
      return params.query(`WHERE ${conditions.join(' AND ')} LIMIT ${params.add(11)}`);
    };
    expect(listed('cus_1')).toEqual({
      text: 'WHERE organization_id = $1 AND customer_id = $2 LIMIT $3',
      values: ['org_1', 'cus_1', 11],
    });
    expect(listed()).toEqual({ text: 'WHERE organization_id = $1 LIMIT $2', values: ['org_1', 11] });
  });

  it('answers a list of placeholders for tuples, continuing the numbering across them', () => {
    const params = new SqlParameters();
    const tuples = [
      ['evt_1', 1],
      ['evt_2', 2],
    ].map((tuple) => `(${params.list(tuple)}, ${params.add(null)})`);
    expect(tuples).toEqual(['($1, $2, $3)', '($4, $5, $6)']);
    expect(params.values).toEqual(['evt_1', 1, null, 'evt_2', 2, null]);
    expect(new SqlParameters().list([])).toBe('');
  });

  it('can read one value from two places by reusing its placeholder', () => {
    const params = new SqlParameters();
    const at = params.add('2026-01-01T00:00:00Z');
    expect(params.query(`SET created_at = ${at}, updated_at = ${at}`)).toEqual({
      text: 'SET created_at = $1, updated_at = $1',
      values: ['2026-01-01T00:00:00Z'],
    });
  });
});
