import { pino } from 'pino';

export type Logger = pino.Logger;

/** Structured JSON logs; children carry request and correlation ids into every line. */
export function createLogger(service: string, level: string): Logger {
  return pino({ name: service, level, base: { service } });
}
