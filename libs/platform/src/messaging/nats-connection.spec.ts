import { describe, expect, it } from '@jest/globals';
import { authOptions } from './nats-connection';

describe('NATS connection options from the environment', () => {
  it('connects without credentials or TLS when none are configured (a local server)', () => {
    expect(authOptions(undefined)).toEqual({});
  });

  it('passes a token as the token, and TLS files as they are', () => {
    expect(authOptions({ token: 's3cr3t-token', tls: { caFile: '/etc/nats/ca.pem' } })).toEqual({
      token: 's3cr3t-token',
      tls: { caFile: '/etc/nats/ca.pem', certFile: undefined, keyFile: undefined },
    });
  });

  it('reads a creds file or an nkey seed at connect time through an authenticator, not at start-up', () => {
    expect(typeof authOptions({ credsFile: '/does/not/exist.creds' }).authenticator).toBe('function');
    expect(typeof authOptions({ nkeySeedFile: '/does/not/exist.nk' }).authenticator).toBe('function');
    expect(authOptions({ credsFile: '/x.creds' }).token).toBeUndefined();
  });
});
