import { runRebuild } from '@afternoon/service-kit';
import { migrationsDir } from './app';
import { MeteringServiceEnv } from './env';
import { rebuildMetering } from './rebuildMetering';

await runRebuild({
  name: 'metering-service',
  // Rebuilding serves no internal API: it needs no INTERNAL_API_TOKEN.
  env: MeteringServiceEnv.omit({ INTERNAL_API_TOKEN: true }),
  migrationsDir,
  async rebuild({ env, pool, kafka }) {
    const { meterEvents } = await rebuildMetering({ pool, kafka: kafka(env), topicPrefix: env.TOPIC_PREFIX });
    return `meters rebuilt from ${meterEvents} events; usage, rejections and known customers are replayed from Kafka, and rollups rebuilt, when it next starts`;
  },
});
