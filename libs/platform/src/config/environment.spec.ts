import { describe, expect, it } from '@jest/globals';
import { ConfigError } from './config-error';
import { loadEnvironment } from './environment';

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
    expect(problemsOf(() => loadEnvironment('notifier', { SLACK_BOT_TOKEN: 'hunter2' }))[0]).toMatch(/^SLACK_BOT_TOKEN: expected a Slack bot token/);
  });

  it('treats empty variables as unset', () => {
    expect(loadEnvironment('deployer', { PORT: '', KUBECONFIG: '' }).PORT).toBe(3002);
  });
});
