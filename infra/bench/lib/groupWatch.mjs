// Consumer-group rebalances during a scenario, seen from Kafka's side: every 500 ms the run's groups (topic prefix
// of the identity the apps run under) are described; a group counts one rebalance each time it is seen out of
// Stable (PreparingRebalance, CompletingRebalance, Empty) or Stable with other member ids than before (a member that
// fell out rejoins with a new id). The apps expose no join counter, so this is sampling: a rebalance of one member
// that starts and ends between two samples without changing its id is not seen. Changes within GRACE_MS of the bench
// stopping or starting an instance of the group's service on purpose (or while it is stopped) are expected and
// re-baseline instead.
import { benchKafka } from './kafka.mjs';

const EVERY_MS = 500;
const GRACE_MS = 10_000;

/** The service a group belongs to: groups are `<prefix><service>.<consumer>`. */
const serviceOf = (groupId, prefix) => groupId.slice(prefix.length).split('.')[0];

/**
 * Starts watching; `stop()` resolves with [{group, rebalances, seen}] for the groups that rebalanced, `seen` saying
 * what each one looked like and when (seconds since the watch started).
 */
export function groupWatch(cluster) {
  const admin = benchKafka(cluster.kafkaBrokers).admin();
  const groups = new Map();
  const startedAt = Date.now();
  let stopped = false;
  const tick = async () => {
    const prefix = cluster.topicPrefix;
    const { groups: listed } = await admin.listGroups();
    const ours = listed.map((group) => group.groupId).filter((id) => id.startsWith(prefix));
    if (ours.length === 0) return;
    const described = await admin.describeGroups(ours);
    for (const { groupId, state, members } of described.groups) {
      const ids = members
        .map((member) => member.memberId)
        .sort()
        .join(',');
      const seen = groups.get(groupId);
      const settling = cluster.membershipSettling(serviceOf(groupId, prefix), GRACE_MS);
      if (!seen || settling) {
        groups.set(groupId, {
          ids,
          unsettled: state !== 'Stable',
          rebalances: seen?.rebalances ?? 0,
          seen: seen?.seen ?? [],
        });
        continue;
      }
      const changed = state !== 'Stable' || ids !== seen.ids;
      if (changed && !seen.unsettled) {
        seen.rebalances++;
        const at = `+${Math.round((Date.now() - startedAt) / 1000)} s`;
        seen.seen.push(`${state === 'Stable' ? 'new member id' : state} at ${at}`);
      }
      seen.unsettled = state !== 'Stable';
      if (state === 'Stable') seen.ids = ids;
    }
  };
  const loop = (async () => {
    await admin.connect();
    while (!stopped) {
      await tick().catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, EVERY_MS));
    }
    await tick().catch(() => undefined);
    await admin.disconnect();
  })();
  return {
    async stop() {
      stopped = true;
      await loop.catch(() => undefined);
      return [...groups]
        .filter(([, group]) => group.rebalances > 0)
        .map(([group, { rebalances, seen }]) => ({ group, rebalances, seen }));
    },
  };
}
