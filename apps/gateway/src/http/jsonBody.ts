import express, { type RequestHandler } from 'express';
import { refuseDeepBody } from './bodyDepth';
import { keepRawBody, refuseInexactNumbers } from './exactNumbers';
import { refuseNonJsonBody } from './jsonMediaType';

/** The largest request body read (after decompression), as the 413 of `errorHandler` says: 1 MiB. */
export const bodyLimitBytes = 1024 * 1024;

/**
 * How every request body is read, before any route runs: JSON only (415 otherwise), decompressed when its
 * Content-Encoding says gzip, deflate or br, at most `bodyLimitBytes`, nested at most `maxBodyDepth` deep, and with no
 * number that parsing would change.
 */
export const jsonBody: RequestHandler[] = [
  refuseNonJsonBody,
  express.json({ limit: bodyLimitBytes, verify: keepRawBody }),
  refuseDeepBody,
  refuseInexactNumbers,
];
