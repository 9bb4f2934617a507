import { EVENTS_CHANNEL } from './event-store';
import { SqlExecutor } from './sql-executor';

/**
 * Wakes the relay (on whichever replica holds its lock) after events were committed:
 * `NOTIFY approvals_events` in a transaction of its own, coalesced so a burst of commits
 * sends one or two notifications. Losing one only costs latency: the relay also polls.
 */
export class CommitNotifier {
  private inFlight = false;
  private again = false;

  constructor(
    private readonly executor: SqlExecutor,
    private readonly onError: (error: Error) => void = () => undefined,
  ) {}

  committed(): void {
    if (this.inFlight) {
      this.again = true;
      return;
    }
    this.inFlight = true;
    void this.executor
      .query(`SELECT pg_notify('${EVENTS_CHANNEL}', '')`)
      .catch((error: Error) => this.onError(error))
      .finally(() => {
        this.inFlight = false;
        if (this.again) {
          this.again = false;
          this.committed();
        }
      });
  }
}
