import { SlackCallFailed } from './slack-call-failed';
import type { SlackReachability } from './slack-reachability';
import type { EphemeralRequest, MessageRef, PostQuery, PostRequest, SlackMessenger } from './slack-messenger.port';
import type { OutgoingMessage } from '../messages/block-kit';

/**
 * The SlackMessenger the flows use: the adapter, with every call's outcome told to
 * SlackReachability — an answer marks Slack reachable, an `unavailable` failure unreachable.
 * (`findPost` never fails — a look-up Slack could not answer finds nothing —, so only the post
 * that follows it tells.)
 */
export class ObservedSlackMessenger implements SlackMessenger {
  constructor(
    private readonly inner: SlackMessenger,
    private readonly reachability: Pick<SlackReachability, 'answered' | 'failed'>,
  ) {}

  post(request: PostRequest): Promise<MessageRef> {
    return this.observe(() => this.inner.post(request));
  }

  update(ref: MessageRef, message: OutgoingMessage): Promise<void> {
    return this.observe(() => this.inner.update(ref, message));
  }

  postEphemeral(request: EphemeralRequest): Promise<void> {
    return this.observe(() => this.inner.postEphemeral(request));
  }

  findPost(query: PostQuery): Promise<MessageRef | undefined> {
    return this.inner.findPost(query);
  }

  private async observe<T>(call: () => Promise<T>): Promise<T> {
    try {
      const result = await call();
      this.reachability.answered();
      return result;
    } catch (error) {
      if (error instanceof SlackCallFailed) {
        if (error.unavailable) this.reachability.failed(error);
        else this.reachability.answered();
      }
      throw error;
    }
  }
}
