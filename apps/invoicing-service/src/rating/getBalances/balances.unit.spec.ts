import { describe, expect, it } from 'vitest';
import { balancesFrom, type GrantRow } from '.';

const at = (instant: string) => new Date(instant);
const grant = (changes: Partial<GrantRow>): GrantRow => ({
  id: 'grant',
  name: 'Credits',
  denomination_type: 'currency',
  denomination_code: 'usd',
  amount: '100',
  status: 'active',
  effective_at: at('2026-01-01T00:00:00Z'),
  expires_at: null,
  voided_at: null,
  expired: '0',
  voided: '0',
  consumed: '0',
  ...changes,
});
const totals = (asOf: string, rows: GrantRow[]) =>
  balancesFrom(rows, at(asOf)).map(({ granted, consumed, expired, voided, available }) => ({
    granted,
    consumed,
    expired,
    voided,
    available,
  }));

describe('a balance as of an instant', () => {
  it('counts an expiry from expires_at: what it recorded, or what was left before the expiry loop got to it', () => {
    // 100 granted, 30 drawn before 10 January, when it expires.
    const expiring = { consumed: '30', expires_at: at('2026-01-10T00:00:00Z') };
    const before = { granted: 100, consumed: 30, expired: 0, voided: 0, available: 70 };
    const after = { ...before, expired: 70, available: 0 };
    expect(totals('2026-01-09T23:59:59Z', [grant(expiring)])).toEqual([before]);
    expect(totals('2026-01-10T00:00:00Z', [grant(expiring)])).toEqual([after]);
    const recorded = grant({ ...expiring, status: 'expired', expired: '70' });
    expect(totals('2026-01-09T23:59:59Z', [recorded])).toEqual([before]);
    expect(totals('2026-02-01T00:00:00Z', [recorded])).toEqual([after]);
  });

  it('counts a void from voided_at, and nothing expires of a grant voided before its expiry', () => {
    const voided = grant({
      consumed: '20',
      status: 'voided',
      voided: '80',
      voided_at: at('2026-01-05T00:00:00Z'),
      expires_at: at('2026-01-10T00:00:00Z'),
    });
    expect(totals('2026-01-04T00:00:00Z', [voided])).toEqual([
      { granted: 100, consumed: 20, expired: 0, voided: 0, available: 80 },
    ]);
    expect(totals('2026-01-20T00:00:00Z', [voided])).toEqual([
      { granted: 100, consumed: 20, expired: 0, voided: 80, available: 0 },
    ]);
  });

  it('lists every denomination held, a grant only once effective, currencies in minor units, units as decimals', () => {
    const later = grant({ id: 'later', effective_at: at('2026-03-01T00:00:00Z') });
    const gpu = grant({ id: 'gpu', denomination_type: 'pricing_unit', denomination_code: 'gpu_sec', amount: '3600.5' });
    const balances = balancesFrom([later, grant({ consumed: '1' }), gpu], at('2026-02-01T00:00:00Z'));
    // usd: only the grant effective by 1 February (100, 1 drawn); gpu_sec: 3600.5 untouched.
    expect(balances.map(({ denomination, available, grants }) => [denomination, available, grants.length])).toEqual([
      [{ type: 'currency', code: 'usd' }, 99, 1],
      [{ type: 'pricing_unit', code: 'gpu_sec' }, '3600.5', 1],
    ]);
    expect(totals('2025-12-31T00:00:00Z', [later])).toEqual([
      { granted: 0, consumed: 0, expired: 0, voided: 0, available: 0 },
    ]);
  });
});
