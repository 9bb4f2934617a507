import { describe, expect, it } from '@jest/globals';
import { QueryFailedError } from 'typeorm';
import { dependencyOutage } from './dependency-outage';

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

describe('dependencyOutage', () => {
  it.each([
    ['a refused connection', withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'), 'ECONNREFUSED'],
    ['a reset connection', withCode('read ECONNRESET', 'ECONNRESET'), 'ECONNRESET'],
    [
      'a server shut down by its operator',
      withCode('terminating connection due to administrator command', '57P01'),
      '57P01 admin_shutdown',
    ],
    ['a server starting up', withCode('the database system is starting up', '57P03'), '57P03 cannot_connect_now'],
    ['a connection exception (class 08)', withCode('connection failure', '08006'), '08006 connection_exception'],
    ['a connection that ended mid-query', new Error('Connection terminated unexpectedly'), 'Connection terminated unexpectedly'],
    [
      'a pool that could not connect in time',
      new Error('timeout exceeded when trying to connect'),
      'timeout exceeded when trying to connect',
    ],
  ])('names %s', (_, error, expected) => {
    expect(dependencyOutage(error)).toBe(expected);
  });

  it("looks through TypeORM's driverError and an error's cause", () => {
    const query = new QueryFailedError('SELECT 1', [], withCode('terminating connection due to administrator command', '57P01'));
    expect(dependencyOutage(query)).toBe('57P01 admin_shutdown');
    expect(dependencyOutage(new Error('saving the ledger failed', { cause: withCode('connect ECONNREFUSED', 'ECONNREFUSED') }))).toBe(
      'ECONNREFUSED',
    );
  });

  it('leaves errors of the message or the code alone', () => {
    expect(dependencyOutage(new Error('invalid payload: data.n'))).toBeUndefined();
    expect(dependencyOutage(withCode('duplicate key value violates unique constraint', '23505'))).toBeUndefined();
    expect(dependencyOutage(new TypeError("Cannot read properties of undefined (reading 'url')"))).toBeUndefined();
    expect(dependencyOutage('a string')).toBeUndefined();
    expect(dependencyOutage(undefined)).toBeUndefined();
  });
});
