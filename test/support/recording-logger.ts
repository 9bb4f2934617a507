import { Logger, type LoggerService } from '@nestjs/common';

/** One line a Nest `Logger` wrote. */
export interface LoggedLine {
  level: 'log' | 'error' | 'warn' | 'debug' | 'verbose' | 'fatal';
  message: unknown;
}

/**
 * Takes the place of Nest's console logger in a spec: keeps the output quiet and lets a test
 * read what was logged (`lines`). Install with `RecordingLogger.install()`, or hand it to a
 * TestingModule (`.setLogger(logger)`), which otherwise puts its own logger in place.
 */
export class RecordingLogger implements LoggerService {
  readonly lines: LoggedLine[] = [];

  static install(): RecordingLogger {
    const logger = new RecordingLogger();
    Logger.overrideLogger(logger);
    return logger;
  }

  log(message: unknown): void {
    this.lines.push({ level: 'log', message });
  }
  error(message: unknown): void {
    this.lines.push({ level: 'error', message });
  }
  warn(message: unknown): void {
    this.lines.push({ level: 'warn', message });
  }
  debug(message: unknown): void {
    this.lines.push({ level: 'debug', message });
  }
  verbose(message: unknown): void {
    this.lines.push({ level: 'verbose', message });
  }
  fatal(message: unknown): void {
    this.lines.push({ level: 'fatal', message });
  }

  /** The `msg` of every structured line of `level`. */
  messages(level: LoggedLine['level']): string[] {
    return this.lines
      .filter((l) => l.level === level)
      .map((l) => (typeof l.message === 'string' ? l.message : String((l.message as { msg?: unknown })?.msg)));
  }

  clear(): void {
    this.lines.length = 0;
  }
}
