/**
 * A configuration problem found at start-up. The service prints it and exits non-zero:
 * it never starts half-configured.
 */
export class ConfigError extends Error {
  constructor(
    /** Where the problem is: a file path or `environment`. */
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`invalid configuration in ${source}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}
