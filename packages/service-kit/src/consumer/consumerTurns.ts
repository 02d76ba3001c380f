import type { EachBatchPayload } from '../kafka/kafka';
import type { BatchControl, BatchMembership } from './batchMembership';

export type Batch = EachBatchPayload['batch'];

/** What handling one partition's batch needs of its `eachBatch` call. */
export interface PartitionTurn {
  batch: Batch;
  resolveOffset(offset: string): void;
  heartbeat(): Promise<void>;
}

/** A partition's batch as it waits to be gathered with the rest of its fetch. */
export interface FetchedBatch {
  batch: Batch;
  control: BatchControl;
}

/** What the fetch's shared work made of one partition: its stored offset and whether its records were applied. */
export type ReadOutcome = {
  status: 'read';
  /** The partition's stored next offset when the fetch was handled, and after. */
  stored: bigint | undefined;
  next: bigint | undefined;
  applied: boolean;
  /** The fetch's transaction was refused with other partitions' records in it: try this batch whole alone. */
  tryWhole: boolean;
  membership: BatchMembership;
};

export type FetchOutcome =
  | ReadOutcome
  | { status: 'refused'; error: unknown; membership: BatchMembership }
  | { status: 'abandoned'; membership: BatchMembership };
