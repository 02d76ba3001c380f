import { z } from 'zod';
import type { AggregateDefinition } from '../src/commands/commandHandler';
import type { Command } from '../src/commands/decider';
import type { ConsumedRecord } from '../src/consumer/records';
import { ConflictError } from '../src/errors';

const OpenVault = z.object({ type: z.literal('OpenVault'), data: z.object({ vault_id: z.string() }) });
const VaultOpened = z.object({ type: z.literal('VaultOpened'), data: z.object({ vault_id: z.string() }) });
type OpenVault = Command<'OpenVault', z.infer<typeof OpenVault>['data']>;
type VaultOpened = z.infer<typeof VaultOpened>;

/** A vault opens once; opening it again is refused. */
export const vault: AggregateDefinition<OpenVault, VaultOpened, boolean> = {
  commandTypes: ['OpenVault'],
  commandSchema: OpenVault,
  eventSchema: VaultOpened,
  eventWireNames: { VaultOpened: 'test.v1.vault_opened' },
  streamId: (command) => `vault-${command.data.vault_id}`,
  decider: {
    initialState: () => false,
    evolve: () => true,
    decide: (command, opened) => {
      if (opened) throw new ConflictError(`vault ${command.data.vault_id} is already open`);
      return [{ type: 'VaultOpened', data: command.data }];
    },
  },
  result: (_state, command) => ({ id: command.data.vault_id }),
};

/** A command record as the consumer hands it over: `type` and `data` as given, metadata made from the command id. */
export function commandRecord(
  offset: number,
  commandId: string,
  command: { type: string; data: unknown },
  organizationId = 'org_vault',
): ConsumedRecord {
  const metadata = {
    command_id: commandId,
    correlation_id: `req_${commandId}`,
    request_id: `req_${commandId}`,
    organization_id: organizationId,
    mode: 'live',
    issued_at: '2026-12-05T10:00:00.000Z',
  };
  return {
    topic: 'vault.commands',
    partition: 0,
    offset: String(offset),
    timestamp: '0',
    key: commandId,
    value: JSON.stringify({ ...command, metadata }),
    headers: {},
  };
}

/** The record of an OpenVault command. */
export function openVault(offset: number, commandId: string, vaultId: string): ConsumedRecord {
  return commandRecord(offset, commandId, { type: 'OpenVault', data: { vault_id: vaultId } });
}
