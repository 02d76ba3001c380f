import { pino } from 'pino';

export type Logger = pino.Logger;

/** Structured JSON logs; children carry request and correlation ids into every line. */
export function createLogger(service: string, level: string, destination?: pino.DestinationStream): Logger {
  // API keys and admin tokens travel in Authorization headers: they must never reach a log line.
  const options = {
    name: service,
    level,
    base: { service },
    redact: ['req.headers.authorization', 'req.headers.cookie'],
  };
  return destination ? pino(options, destination) : pino(options);
}
