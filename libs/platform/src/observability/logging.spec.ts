import { describe, expect, it } from '@jest/globals';
import { startupLogger } from './logging';

function capture(level = 'info') {
  const lines: Record<string, unknown>[] = [];
  const logger = startupLogger('notifier', level, {
    write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>),
  });
  return { logger, lines };
}

describe('the start-up logger', () => {
  it("writes Nest's start-up messages as the service's JSON lines, with Nest's context", () => {
    const { logger, lines } = capture();
    logger.log('Starting Nest application...', 'NestFactory');
    expect(lines).toEqual([
      { level: 30, time: expect.any(String), service: 'notifier', context: 'NestFactory', msg: 'Starting Nest application...' },
    ]);
  });

  it('writes the error that stops the start as one line with the error, as Nest hands it over', () => {
    const { logger, lines } = capture();
    const error = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5999'), { code: 'ECONNREFUSED' });
    logger.error(error, undefined, 'ExceptionHandler');
    expect(lines).toEqual([
      expect.objectContaining({
        level: 50,
        service: 'notifier',
        context: 'ExceptionHandler',
        msg: 'connect ECONNREFUSED 127.0.0.1:5999',
        err: expect.objectContaining({
          type: 'Error',
          message: 'connect ECONNREFUSED 127.0.0.1:5999',
          code: 'ECONNREFUSED',
          stack: expect.stringContaining('Error: connect'),
        }),
      }),
    ]);
  });

  it('keeps a stack passed as text, structured messages, and redacts secrets', () => {
    const { logger, lines } = capture();
    logger.error('could not start', 'Error: boom\n    at x', 'InstanceLoader');
    logger.warn({ msg: 'odd config', config: { token: 'xoxb-secret' } }, 'Config');
    expect(lines[0]).toMatchObject({ level: 50, msg: 'could not start', stack: 'Error: boom\n    at x', context: 'InstanceLoader' });
    expect(lines[1]).toMatchObject({ level: 40, msg: 'odd config', config: { token: '[redacted]' }, context: 'Config' });
  });

  it('follows LOG_LEVEL', () => {
    const { logger, lines } = capture('warn');
    logger.log('hidden', 'NestFactory');
    logger.debug?.('hidden too');
    logger.warn('shown');
    expect(lines.map((l) => l.msg)).toEqual(['shown']);
  });
});
