/** What the global setup hands every test file: where the real cluster is. */
declare module 'vitest' {
  export interface ProvidedContext {
    kafkaBrokers: string;
    databaseUrl: string;
  }
}

export {};
