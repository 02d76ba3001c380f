import { ConflictError, NotFoundError, ValidationError } from '@afternoon/service-kit';
import { commandMetadata, deciderSpec } from '@afternoon/testkit/decider';
import { describe, expect, it } from 'vitest';
import { type UrlPolicy, type WebhookEndpointCommand, webhookEndpointDecider } from './businessLogic';
import { evolve, initialState, toWebhookEndpoint, type WebhookEndpointEvent } from './webhookEndpoint';

const endpointId = 'we5x9z8nv0000h85r7l9p2k1m';
const createdAt = '2026-12-05T10:00:00.000Z';
const later = '2026-12-06T08:30:00.000Z';
const secret = `whsec_${'A'.repeat(32)}`;
const newSecret = `whsec_${'B'.repeat(32)}`;

const httpsOnly: UrlPolicy = { allowHttpInLiveMode: false };
const { given } = deciderSpec(webhookEndpointDecider(httpsOnly));

const createData = {
  endpoint_id: endpointId,
  url: 'https://hooks.example.com/afternoon',
  enabled_events: ['invoice.finalized'],
  description: null,
  metadata: {},
  secret,
};
const created: WebhookEndpointEvent = {
  type: 'WebhookEndpointCreated',
  data: { ...createData, occurred_at: createdAt },
};
const deleted: WebhookEndpointEvent = {
  type: 'WebhookEndpointDeleted',
  data: { endpoint_id: endpointId, occurred_at: later },
};
const failing: WebhookEndpointEvent = {
  type: 'WebhookEndpointDisabled',
  data: { endpoint_id: endpointId, reason: 'failing', failing_since: createdAt, occurred_at: later },
};

const create = (url = createData.url, mode: 'live' | 'test' = 'live'): WebhookEndpointCommand => ({
  type: 'CreateWebhookEndpoint',
  data: { ...createData, url },
  metadata: { ...commandMetadata(createdAt), mode },
});
const update = (changes: Extract<WebhookEndpointCommand, { type: 'UpdateWebhookEndpoint' }>['data']['changes']) =>
  ({
    type: 'UpdateWebhookEndpoint',
    data: { endpoint_id: endpointId, changes },
    metadata: commandMetadata(later),
  }) satisfies WebhookEndpointCommand;
const remove: WebhookEndpointCommand = {
  type: 'DeleteWebhookEndpoint',
  data: { endpoint_id: endpointId },
  metadata: commandMetadata(later),
};
const rotate: WebhookEndpointCommand = {
  type: 'RotateWebhookSecret',
  data: { endpoint_id: endpointId, secret: newSecret },
  metadata: commandMetadata(later),
};

const stateAfter = (events: WebhookEndpointEvent[]) => events.reduce(evolve, initialState());

describe('webhook endpoint decider', () => {
  it('registers an endpoint with its secret, dated by the command', () => {
    given([]).when(create()).thenEmits([created]);
  });

  it('refuses to register the same endpoint twice, even after it was deleted', () => {
    given([created]).when(create()).thenThrows(ConflictError);
    given([created, deleted]).when(create()).thenThrows(ConflictError);
  });

  it('refuses http in live mode, naming url, and takes it in test mode or when the policy allows it', () => {
    const http = 'http://hooks.example.com/afternoon';
    given([])
      .when(create(http))
      .thenThrows(ValidationError, expect.objectContaining({ param: 'url' }));
    given([created])
      .when(update({ url: http }))
      .thenThrows(ValidationError, expect.objectContaining({ param: 'url' }));
    expect(given([]).when(create(http, 'test')).events()).toHaveLength(1);
    const allowing = deciderSpec(webhookEndpointDecider({ allowHttpInLiveMode: true }));
    expect(allowing.given([]).when(create(http)).events()).toHaveLength(1);
    allowing.given([]).when(create('ftp://hooks.example.com')).thenThrows(ValidationError);
  });

  it('records only the fields an update changes, and nothing for an update that changes nothing', () => {
    given([created])
      .when(update({ url: createData.url, enabled_events: ['*'], description: 'ERP' }))
      .thenEmits([
        {
          type: 'WebhookEndpointUpdated',
          data: { endpoint_id: endpointId, changes: { enabled_events: ['*'], description: 'ERP' }, occurred_at: later },
        },
      ]);
    given([created])
      .when(update({ url: createData.url, enabled: true }))
      .thenEmits([]);
  });

  it('disables by request and re-enables an endpoint disabled for failing', () => {
    const disabledByRequest = stateAfter([
      created,
      ...given([created])
        .when(update({ enabled: false }))
        .events(),
    ]);
    expect(disabledByRequest).toMatchObject({ status: 'disabled', disabledReason: 'by_request' });

    const failed = stateAfter([created, failing]);
    expect(failed).toMatchObject({ status: 'disabled', disabledReason: 'failing', updatedAt: later });
    const reEnabled = stateAfter([
      created,
      failing,
      ...given([created, failing])
        .when(update({ enabled: true }))
        .events(),
    ]);
    expect(reEnabled.status === 'enabled' && toWebhookEndpoint(reEnabled)).toMatchObject({
      status: 'enabled',
      disabled_reason: null,
    });
  });

  it('keeps a disabled endpoint disabled, for the same reason, through other changes', () => {
    const after = stateAfter([
      created,
      failing,
      ...given([created, failing])
        .when(update({ description: 'x' }))
        .events(),
    ]);
    expect(after).toMatchObject({ status: 'disabled', disabledReason: 'failing', description: 'x' });
  });

  it('rotates the secret, the previous one signing until 24 hours after the command', () => {
    given([created])
      .when(rotate)
      .thenEmits([
        {
          type: 'WebhookSecretRotated',
          // later + 24 h = 2026-12-07T08:30:00.000Z
          data: {
            endpoint_id: endpointId,
            secret: newSecret,
            previous_expires_at: '2026-12-07T08:30:00.000Z',
            occurred_at: later,
          },
        },
      ]);
    const rotated = stateAfter([created, ...given([created]).when(rotate).events()]);
    expect(rotated).toMatchObject({ secret: newSecret, updatedAt: later });
  });

  it('refuses to update, delete or rotate an endpoint that does not exist or was deleted', () => {
    for (const history of [[], [created, deleted]]) {
      for (const command of [update({ description: 'x' }), remove, rotate]) {
        given(history)
          .when(command)
          .thenThrows(NotFoundError, expect.objectContaining({ code: 'NOT_FOUND' }));
      }
    }
  });

  it('deletes a registered endpoint, also a disabled one', () => {
    given([created]).when(remove).thenEmits([deleted]);
    given([created, failing]).when(remove).thenEmits([deleted]);
  });
});
