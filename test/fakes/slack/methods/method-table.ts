import * as auth from './auth-methods';
import * as chat from './chat-methods';
import * as conversations from './conversations-methods';
import type { MethodHandler } from './method-context';
import * as views from './views-methods';

/** A Web API method the fake speaks, and whether it needs the bot token. */
export interface MethodEntry {
  handler: MethodHandler;
  needsToken: boolean;
}

/** Every method the fake implements; anything else answers `unknown_method`. */
export const METHODS: Readonly<Record<string, MethodEntry>> = {
  'api.test': { handler: auth.apiTest, needsToken: false },
  'auth.test': { handler: auth.test, needsToken: true },
  'conversations.open': { handler: conversations.open, needsToken: true },
  'conversations.history': { handler: conversations.history, needsToken: true },
  'conversations.replies': { handler: conversations.replies, needsToken: true },
  'chat.postMessage': { handler: chat.postMessage, needsToken: true },
  'chat.update': { handler: chat.update, needsToken: true },
  'chat.postEphemeral': { handler: chat.postEphemeral, needsToken: true },
  'views.open': { handler: views.open, needsToken: true },
  'views.publish': { handler: views.publish, needsToken: true },
};
