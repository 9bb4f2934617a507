/** DI token of the {@link CommandPath}. */
export const COMMAND_PATH = Symbol('COMMAND_PATH');
