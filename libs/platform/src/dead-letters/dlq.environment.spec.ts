import { describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { dlqEnvironment } from './dlq.environment';

/** Any file the tests can read. */
const readableFile = join(process.cwd(), 'package.json');

describe('the dlq environment', () => {
  it('defaults like the services: local NATS, prefix deploybot, one replica, no credentials', () => {
    expect(dlqEnvironment({})).toEqual({
      servers: ['nats://localhost:4222'],
      prefix: 'deploybot',
      replicas: 1,
      auth: undefined,
      operator: undefined,
    });
  });

  it('takes a cluster, a prefix, credentials, TLS files and the operator from the same variables as the services', () => {
    const file = readableFile;
    const env = dlqEnvironment({
      NATS_URL: 'tls://a:4222, tls://b:4222',
      NATS_SUBJECT_PREFIX: 'staging',
      NATS_CREDS_FILE: file,
      NATS_TLS_CA_FILE: file,
      NATS_STREAM_REPLICAS: '3',
      DLQ_OPERATOR: 'alice',
    });
    expect(env).toEqual({
      servers: ['tls://a:4222', 'tls://b:4222'],
      prefix: 'staging',
      replicas: 3,
      auth: { credsFile: file, tls: { caFile: file, certFile: undefined, keyFile: undefined } },
      operator: 'alice',
    });
  });

  it('names every variable that is wrong at once', () => {
    let message = '';
    try {
      dlqEnvironment({
        NATS_URL: 'localhost:4222',
        NATS_SUBJECT_PREFIX: 'a.b',
        NATS_TOKEN: 't',
        NATS_CREDS_FILE: '/nope/x.creds',
        NATS_TLS_CERT_FILE: readableFile,
      });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message.split('\n').map((l) => l.trim())).toEqual([
      'the environment is not usable:',
      'NATS_URL: "localhost:4222" is not a NATS URL (expected nats://host:port, comma-separated for a cluster)',
      'NATS_SUBJECT_PREFIX: "a.b" is not one subject token (expected letters, digits, "_" or "-")',
      'NATS_CREDS_FILE, NATS_TOKEN: set at most one of them',
      'NATS_CREDS_FILE: cannot read /nope/x.creds',
      'NATS_TLS_CERT_FILE, NATS_TLS_KEY_FILE: a client certificate needs both',
    ]);
  });
});
