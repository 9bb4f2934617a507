import { createHash } from 'node:crypto';
import type { KubeConfig, RequestContext, SecurityAuthentication } from '@kubernetes/client-node';

type Dispatcher = NonNullable<ReturnType<RequestContext['getDispatcher']>>;

/**
 * The kubeconfig's authentication (KubeConfig.applySecurityAuthentication: the token or exec
 * credentials, the cluster's TLS settings) with the connections to the API server kept alive.
 *
 * client-node 2.0 hands every request a new undici Agent when the cluster has TLS settings of its
 * own — a CA (every real cluster, and in-cluster), a client certificate, or
 * insecure-skip-tls-verify — so every call opened a connection and made a TLS handshake: most of
 * a call's time against a nearby API server (bench/e2e/timeline.ts showed each of a rollout's ten
 * calls on a new connection). This keeps one Agent per TLS configuration and gives it to every
 * request, so calls reuse its idle connections. The TLS settings are still read for every request
 * (a rotated certificate file or exec credential is picked up): when they change, the next request
 * gets a new Agent and the old one closes once its requests are done.
 */
export class KeptConnections implements SecurityAuthentication {
  private kept?: { key: string; dispatcher: Dispatcher };

  constructor(private readonly kc: KubeConfig) {}

  getName(): string {
    return 'kubeconfig authentication, connections kept alive';
  }

  /**
   * The kubeconfig as client-node's Watch takes it (it asks only for the current cluster and to
   * authenticate its request), authenticated here: a watch takes an idle kept connection of this
   * pool (one a watch the server ended left behind), or opens one.
   */
  kubeConfig(): KubeConfig {
    const view = Object.create(this.kc) as KubeConfig;
    view.applySecurityAuthentication = (context) => this.applySecurityAuthentication(context);
    return view;
  }

  async applySecurityAuthentication(context: RequestContext): Promise<void> {
    await this.kc.applySecurityAuthentication(context);
    const fresh = context.getDispatcher();
    // No TLS settings of its own: the request goes through undici's global Agent, which keeps connections already.
    if (!fresh) return;
    context.setDispatcher(await this.dispatcherFor(fresh));
  }

  /** The kept Agent for the TLS settings of this moment; `fresh` (never used, so never connected) when they changed. */
  private async dispatcherFor(fresh: Dispatcher): Promise<Dispatcher> {
    const key = await this.tlsKey();
    if (this.kept?.key === key) {
      void fresh.close();
      return this.kept.dispatcher;
    }
    const old = this.kept?.dispatcher;
    this.kept = { key, dispatcher: fresh };
    void old?.close();
    return fresh;
  }

  /** A digest of what the Agent is built from (KubeConfig.createDispatcherOptions): CA, client certificate and key, verification, server name, proxy. */
  private async tlsKey(): Promise<string> {
    const options: Parameters<KubeConfig['createDispatcherOptions']>[1] = {};
    await this.kc.applyToHTTPSOptions(options);
    const settings = this.kc.createDispatcherOptions(this.kc.getCurrentCluster(), options);
    return createHash('sha256').update(JSON.stringify(settings)).digest('hex');
  }
}
