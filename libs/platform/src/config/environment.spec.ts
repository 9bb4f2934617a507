import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from './config-error';
import { loadEnvironment, natsAuthOf } from './environment';

const problemsOf = (fn: () => unknown): string[] => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
};

describe('the environment', () => {
  it('applies the defaults of the operator contract', () => {
    const env = loadEnvironment('approvals', {});
    expect(env).toMatchObject({
      DATABASE_URL: 'postgres://postgres@localhost:5432/deploybot',
      NATS_URL: 'nats://localhost:4222',
      DEPLOYBOT_CONFIG: './config.yml',
      SLACK_API_URL: 'https://slack.com/api/',
      PORT: 3001,
      ROLLOUT_TIMEOUT_SECONDS: 300,
      ROLLOUT_FAIL_FAST_SECONDS: 30,
    });
  });

  it('gives each service its own default port', () => {
    expect([loadEnvironment('deployer', {}).PORT, loadEnvironment('notifier', { SLACK_BOT_TOKEN: 'xoxb-1' }).PORT]).toEqual([3002, 3003]);
  });

  it('reads numbers and names every bad variable', () => {
    const problems = problemsOf(() =>
      loadEnvironment('deployer', { PORT: 'eighty', ROLLOUT_TIMEOUT_SECONDS: '-5', NATS_URL: 'localhost:4222', DATABASE_URL: 'mysql://x' }),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^PORT: expected a whole number/),
        expect.stringMatching(/^ROLLOUT_TIMEOUT_SECONDS: /),
        expect.stringMatching(/^NATS_URL: expected nats:\/\/host:port/),
        expect.stringMatching(/^DATABASE_URL: expected postgres:\/\//),
      ]),
    );
  });

  it('refuses to start the gateway without its secrets', () => {
    expect(problemsOf(() => loadEnvironment('gateway', {}))).toEqual([
      'CI_WEBHOOK_TOKEN: required by the gateway (see README, "Configuration")',
      'SLACK_SIGNING_SECRET: required by the gateway (see README, "Configuration")',
    ]);
  });

  it('refuses a bot token that is not one', () => {
    expect(problemsOf(() => loadEnvironment('notifier', { SLACK_BOT_TOKEN: 'hunter2' }))[0]).toMatch(
      /^SLACK_BOT_TOKEN: expected a Slack bot token/,
    );
  });

  it('refuses an app token that is not one, saying where the right one is', () => {
    const gateway = { CI_WEBHOOK_TOKEN: 'ci-token-0123456789abcdef', SLACK_SIGNING_SECRET: 'signing-secret' };
    expect(problemsOf(() => loadEnvironment('gateway', { ...gateway, SLACK_APP_TOKEN: 'xoxb-1-bot-token' }))).toEqual([
      'SLACK_APP_TOKEN: expected a Slack app-level token starting with xapp- (Basic Information → App-Level Tokens, scope connections:write)',
    ]);
    expect(loadEnvironment('gateway', { ...gateway, SLACK_APP_TOKEN: 'xapp-1-A0-1-abc' }).SLACK_APP_TOKEN).toBe('xapp-1-A0-1-abc');
    expect(loadEnvironment('gateway', gateway).SLACK_APP_TOKEN).toBeUndefined();
  });

  it('lets the gateway run without a signing secret in Socket Mode (Slack then needs no public URL)', () => {
    const env = loadEnvironment('gateway', { CI_WEBHOOK_TOKEN: 'ci-token-0123456789abcdef', SLACK_APP_TOKEN: 'xapp-1-A0-1-abc' });
    expect(env.SLACK_SIGNING_SECRET).toBeUndefined();
  });

  it('treats empty variables as unset', () => {
    expect(loadEnvironment('deployer', { PORT: '', KUBECONFIG: '' }).PORT).toBe(3002);
  });

  describe('NATS in production', () => {
    const dir = mkdtempSync(join(tmpdir(), 'deploybot-env-'));
    const file = (name: string) => {
      const path = join(dir, name);
      writeFileSync(path, 'x');
      return path;
    };

    it('defaults to one replica, a 24 h RetryLater bound and no credentials', () => {
      const env = loadEnvironment('deployer', {});
      expect(env).toMatchObject({ NATS_STREAM_REPLICAS: 1, RETRY_LATER_MAX_AGE_SECONDS: 86_400 });
      expect(natsAuthOf(env)).toBeUndefined();
    });

    it('reads credentials and TLS files into the connection options', () => {
      const env = loadEnvironment('deployer', {
        NATS_STREAM_REPLICAS: '3',
        NATS_CREDS_FILE: file('app.creds'),
        NATS_TLS_CA_FILE: file('ca.pem'),
        NATS_TLS_CERT_FILE: file('cert.pem'),
        NATS_TLS_KEY_FILE: file('key.pem'),
      });
      expect(env.NATS_STREAM_REPLICAS).toBe(3);
      expect(natsAuthOf(env)).toEqual({
        credsFile: join(dir, 'app.creds'),
        tls: { caFile: join(dir, 'ca.pem'), certFile: join(dir, 'cert.pem'), keyFile: join(dir, 'key.pem') },
      });
    });

    it('names every NATS variable that is wrong: unreadable files, two ways to authenticate, half a client certificate, replicas', () => {
      const problems = problemsOf(() =>
        loadEnvironment('deployer', {
          NATS_STREAM_REPLICAS: '7',
          NATS_CREDS_FILE: join(dir, 'missing.creds'),
          NATS_TOKEN: 's3cr3t-token',
          NATS_TLS_CERT_FILE: file('only-cert.pem'),
        }),
      );
      expect(problems).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^NATS_STREAM_REPLICAS: /),
          `NATS_CREDS_FILE: cannot read ${join(dir, 'missing.creds')} (expected the path of a NATS .creds file this process may read)`,
          'NATS_CREDS_FILE, NATS_TOKEN: set at most one of them (one way to authenticate)',
          'NATS_TLS_KEY_FILE: a client certificate needs both NATS_TLS_CERT_FILE and NATS_TLS_KEY_FILE',
        ]),
      );
    });
  });
});
