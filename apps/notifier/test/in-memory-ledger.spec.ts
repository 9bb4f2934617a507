import { describe } from '@jest/globals';
import { InMemoryLedger } from './in-memory-ledger';
import { behavesAsTheMessageLedger } from './message-ledger.contract';

describe('in-memory message ledger', () => {
  const ledger = new InMemoryLedger();
  behavesAsTheMessageLedger(() => ledger);
});
