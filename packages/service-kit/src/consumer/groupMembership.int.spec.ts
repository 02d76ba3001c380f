import { eventually } from '@afternoon/testkit';
import { describe, expect, it } from 'vitest';
import { consumerSpec } from '../../test-fixtures/consumerScenario';
import { NotYetError } from '../failures';
import type { RecordHandler } from './records';

// The broker's smallest allowed session (group.min.session.timeout.ms), so the slow work below stays short.
const sessionTimeout = 6_000;
const longerThanTheSession = sessionTimeout + 3_000;

describe('idempotent consumer group membership', () => {
  const { kafka, scenario } = consumerSpec();

  const slowWork = () => new Promise((resolve) => setTimeout(resolve, longerThanTheSession));

  it.each([
    {
      name: 'a handler slower than the session',
      slowFirstRecord:
        (handle: RecordHandler): RecordHandler =>
        async (tx, record, context) => {
          if (record.value === 'slow') await slowWork();
          await handle(tx, record, context);
        },
      retryDelay: () => 10,
    },
    {
      name: 'a retry wait longer than the session',
      slowFirstRecord: (handle: RecordHandler): RecordHandler => {
        let failed = false;
        return async (tx, record, context) => {
          if (record.value === 'slow' && !failed) {
            failed = true;
            throw new NotYetError('a dependency is behind');
          }
          await handle(tx, record, context);
        };
      },
      retryDelay: () => longerThanTheSession,
    },
  ])(
    'keeps its place in the group through $name, so nothing is fetched twice',
    async ({ name, slowFirstRecord, retryDelay }) => {
      const s = await scenario(`membership-${name.replaceAll(' ', '-')}`);
      await s.send(['slow', 'next']);
      await s.start(slowFirstRecord(s.recordEffect), { sessionTimeout, heartbeatInterval: 500, retryDelay });
      const admin = await kafka.admin();
      const memberIds = async () =>
        (await admin.describeGroups([s.groupId])).groups[0]?.members.map((member) => member.memberId);
      const joinedAs = await memberIds();
      expect(joinedAs).toHaveLength(1);

      await eventually(async () => expect(await s.effects()).toEqual(['slow', 'next']), {
        label: 'both records',
        timeout: 30_000,
      });
      // An evicted member rejoins under a new id and is handed the batch again, which the stored offset then skips.
      expect(await memberIds()).toEqual(joinedAs);
      expect(await s.duplicatesSkipped()).toBe(0);
    },
  );
});
