/*
 * What the fast checks' specs share (`cleanIngestBody`, `cleanMeteredUsageRecord`, `cleanUsageRecord`; ADR 0031):
 * holding a check to the zod schema it stands in for, on chosen inputs and on randomly mutated ones.
 */
import { isDeepStrictEqual } from 'node:util';
import { expect } from 'vitest';
import type { z } from 'zod';

/** A fast check and the schema it stands in for. */
export interface FastCheck {
  /** The input itself when `schema` certainly accepts it as it is, otherwise undefined. */
  check: (input: unknown) => unknown;
  schema: z.ZodType;
  /** That zod's answer is the input as it is; deep strict equality unless the contract means something looser. */
  expectAsItIs?: (answer: unknown, input: unknown) => void;
}

/** Whether the check vouches for `input`; where it does, zod must accept it and answer it as it is. */
export function expectAgreement(
  { check, schema, expectAsItIs = expectDeepStrictEqual }: FastCheck,
  input: unknown,
): boolean {
  const clean = check(input);
  if (clean === undefined) return false;
  expect(clean).toBe(input);
  const parsed = schema.safeParse(input);
  expect(parsed.success).toBe(true);
  expectAsItIs(parsed.data, input);
  return true;
}

/** Random inputs to hold a check to its schema with, and how many each side of it they must reach. */
export interface Mutations<Input> {
  seed: number;
  rounds: number;
  /** A good input with a few changes, drawn from `next`. */
  mutated: (next: () => number) => Input;
  /** Why the check may leave to zod an input zod accepts, given zod's answer; never, where this is false. */
  leftToZod: (input: Input, answer: unknown) => boolean;
  /** Fewer vouched for or refused than this and the mutations have stopped reaching that side of the rules. */
  moreThan: { vouched: number; refused?: number };
}

/** Agreement (`expectAgreement`) on every mutated input, and a reason for each one zod accepts but the check left. */
export function expectAgreementOverMutations<Input>(fastCheck: FastCheck, mutations: Mutations<Input>): void {
  const { seed, rounds, mutated, leftToZod, moreThan } = mutations;
  const next = random(seed);
  let vouched = 0;
  let refused = 0;
  for (let round = 0; round < rounds; round++) {
    const input = mutated(next);
    if (expectAgreement(fastCheck, input)) vouched++;
    else {
      const parsed = fastCheck.schema.safeParse(input);
      if (!parsed.success) refused++;
      else expect(leftToZod(input, parsed.data)).toBe(true);
    }
  }
  expect(vouched).toBeGreaterThan(moreThan.vouched);
  if (moreThan.refused !== undefined) expect(refused).toBeGreaterThan(moreThan.refused);
}

/** One of `values`, drawn from `next`. */
export const pick = <T>(values: readonly T[], next: () => number) => values[Math.floor(next() * values.length)] as T;

/** Sets `key` of `target` as an own property, a `__proto__` key too (as JSON makes it). */
export function setOwn(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function expectDeepStrictEqual(answer: unknown, input: unknown): void {
  expect(isDeepStrictEqual(answer, input)).toBe(true);
}

/** Deterministic pseudo-random numbers (mulberry32), so a failure repeats. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
