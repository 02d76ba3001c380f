/** The metadata a command carries, as deciders' unit tests give it: only the issue time varies. */
export function commandMetadata(issuedAt: string) {
  return {
    command_id: 'cmd_1',
    correlation_id: 'req_1',
    request_id: 'req_1',
    organization_id: 'org_1',
    mode: 'live' as const,
    issued_at: issuedAt,
  };
}
