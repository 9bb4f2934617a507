/** DI token of the ledger's DataSource (schema `notifier`). */
export const LEDGER_DATA_SOURCE = Symbol('LEDGER_DATA_SOURCE');
