import { init } from '@paralleldrive/cuid2';

const createResourceId = init({ length: 25 });

/** A new opaque resource id in the public API's cuid style. */
export function newResourceId(): string {
  return createResourceId();
}
