import { DynamicModule, Inject, Logger, Module, OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG, type AppConfig, ReadinessRegistry } from '@app/platform';
import { ObservedSlackMessenger } from './observed-slack-messenger';
import { WebClientSlackMessenger } from './slack-messenger.adapter';
import { SLACK_MESSENGER } from './slack-messenger.port';
import { SlackReachability } from './slack-reachability';
import { DEFAULT_SLACK_SETTINGS, SLACK_SETTINGS, type SlackSettings } from './slack-settings';
import { SLACK_VIEWS } from './slack-views.port';

/** Tuning a deployment or a test may override; the token and URL always come from the environment. */
export type SlackTuning = Partial<Omit<SlackSettings, 'token' | 'apiUrl'>>;

/**
 * The Slack Web API client (SLACK_BOT_TOKEN, SLACK_API_URL) behind the SlackMessenger port, and
 * SlackReachability, which every call reports to and every effect asks first.
 */
@Module({})
export class SlackModule implements OnApplicationBootstrap {
  private readonly logger = new Logger('SlackModule');
  private authenticated = false;

  constructor(
    @Inject(WebClientSlackMessenger) private readonly slack: WebClientSlackMessenger,
    private readonly readiness: ReadinessRegistry,
  ) {}

  static forRoot(tuning: SlackTuning = {}): DynamicModule {
    return {
      module: SlackModule,
      providers: [
        {
          provide: SLACK_SETTINGS,
          inject: [APP_CONFIG],
          useFactory: (config: AppConfig): SlackSettings => {
            const token = config.env.SLACK_BOT_TOKEN;
            // loadEnvironment already requires it for the notifier; this guards other ways of building the config.
            if (!token) throw new Error('SLACK_BOT_TOKEN: required by the notifier (the bot token, xoxb-…)');
            return { ...DEFAULT_SLACK_SETTINGS, ...tuning, token, apiUrl: config.env.SLACK_API_URL };
          },
        },
        { provide: WebClientSlackMessenger, inject: [SLACK_SETTINGS], useFactory: (s: SlackSettings) => new WebClientSlackMessenger(s) },
        { provide: SLACK_VIEWS, useExisting: WebClientSlackMessenger },
        {
          provide: SlackReachability,
          inject: [SLACK_SETTINGS, WebClientSlackMessenger],
          useFactory: (s: SlackSettings, slack: WebClientSlackMessenger) => new SlackReachability(s.outage, () => slack.probe()),
        },
        {
          provide: SLACK_MESSENGER,
          inject: [WebClientSlackMessenger, SlackReachability],
          useFactory: (slack: WebClientSlackMessenger, reachability: SlackReachability) => new ObservedSlackMessenger(slack, reachability),
        },
      ],
      exports: [SLACK_MESSENGER, SLACK_VIEWS, SlackReachability, SLACK_SETTINGS],
    };
  }

  /** Ready once auth.test succeeded: the token and SLACK_API_URL work. Checked until it does, then remembered. */
  onApplicationBootstrap(): void {
    this.readiness.register({ name: 'slack', check: () => this.checkAuth() });
    void this.checkAuth();
  }

  private async checkAuth(): Promise<boolean> {
    if (this.authenticated) return true;
    try {
      const me = await this.slack.whoAmI();
      this.authenticated = true;
      this.logger.log(`Slack token works: bot user ${me.user} in workspace ${me.team}`);
    } catch (error) {
      this.logger.error(`Slack auth.test failed: ${(error as Error).message}`);
    }
    return this.authenticated;
  }
}
