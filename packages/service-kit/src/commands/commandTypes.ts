/** A command union as Zod builds it: one object schema per command, each with a literal `type`. */
export interface CommandUnionSchema<T extends string> {
  options: readonly { shape: { type: { value: T } } }[];
}

/** The command types a command schema (a Zod discriminated union on `type`) accepts: what an aggregate handles. */
export function commandTypesOf<T extends string>(schema: CommandUnionSchema<T>): T[] {
  return schema.options.map((option) => option.shape.type.value);
}
