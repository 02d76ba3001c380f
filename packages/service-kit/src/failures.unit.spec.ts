import { describe, expect, it } from 'vitest';
import { ConflictError, PoisonRecordError } from './errors';
import { failureKind, NotYetError } from './failures';

const pgError = (code: string) => Object.assign(new Error(`pg ${code}`), { code });

describe('failureKind', () => {
  it.each([
    ['a record that breaks its contract', new PoisonRecordError('bad shape'), 'record'],
    ['a command the domain refuses', new ConflictError('taken'), 'record'],
    ['a NUL in text (untranslatable character)', pgError('22P05'), 'record'],
    ['an invalid byte sequence', pgError('22021'), 'record'],
    ['a number out of range', pgError('22003'), 'record'],
    ['a unique violation', pgError('23505'), 'record'],
    ['a dependency not there yet', new NotYetError('customers behind'), 'world'],
    ['the server shutting down', pgError('57P01'), 'world'],
    ['a serialization failure', pgError('40001'), 'world'],
    ['a deadlock', pgError('40P01'), 'world'],
    ['a lock wait that timed out', pgError('55P03'), 'world'],
    ['a statement cancelled by its timeout', pgError('57014'), 'world'],
    ['too many connections', pgError('53300'), 'world'],
    ['a refused connection', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), 'world'],
    ['a connection that ended', new Error('Connection terminated unexpectedly'), 'world'],
    ['anything unknown', new Error('surprise'), 'world'],
  ])('%s is a %s failure', (_, error, kind) => {
    expect(failureKind(error)).toBe(kind);
  });
});
