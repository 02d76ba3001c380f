import { describe, expect, it } from 'vitest';
import { CancelSubscriptionBody, ChangeSubscriptionPlanBody, CreateSubscriptionBody } from './subscriptions';

const problems = (result: { error?: { issues: { path: PropertyKey[] }[] } }) =>
  result.error?.issues.map((issue) => issue.path.join('.')) ?? [];

describe('subscription bodies', () => {
  it('default the initial status to pending and take start dates with an offset', () => {
    const body = CreateSubscriptionBody.parse({
      customer_id: 'cm5x9z8nv0000h85r7l9p2k1m',
      plan_code: 'pro',
      start_date: '2026-01-31T09:00:00+02:00',
    });
    expect(body.initial_status).toBe('pending');
    expect(
      problems(CreateSubscriptionBody.safeParse({ customer_id: 'x', plan_code: 'pro', billing_anchor_day: 0 })),
    ).toEqual(['customer_id', 'billing_anchor_day']);
  });

  it('take a prepaid refund policy only when the subscription ends now', () => {
    const policy = { cancel_now_prepaid_refund_policy: 'refund_prorated' };
    expect(CancelSubscriptionBody.safeParse({ cancel_mode: 'now', ...policy }).success).toBe(true);
    expect(problems(CancelSubscriptionBody.safeParse({ cancel_mode: 'end_of_period', ...policy }))).toEqual([
      'cancel_now_prepaid_refund_policy',
    ]);
    const change = { target_plan_code: 'scale', change_mode: 'end_of_period', ...policy };
    expect(problems(ChangeSubscriptionPlanBody.safeParse(change))).toEqual(['cancel_now_prepaid_refund_policy']);
  });
});
