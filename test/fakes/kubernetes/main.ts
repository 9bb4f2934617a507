import { startKubernetesFake, type KubernetesFake, type KubernetesFakeOptions } from './kubernetes-api.fake';

/**
 * Runs the fake as a process for the end-to-end tests and the demo:
 *   node test/fakes/kubernetes/run.cjs [--port 0] [--token T] [--time-scale 1] [--pod-ready-after-ms 300] [--kubeconfig PATH]
 * Environment fallbacks: KUBE_FAKE_PORT (or PORT), KUBE_FAKE_TOKEN, KUBE_FAKE_TIME_SCALE,
 * KUBE_FAKE_POD_READY_AFTER_MS, KUBE_FAKE_KUBECONFIG. Prints one JSON line {"url","token"} (plus
 * "kubeconfig" when one was written) once it listens, then serves until SIGTERM or SIGINT.
 */

const flag = (name: string): string | undefined => {
  const args = process.argv.slice(2);
  const index = args.indexOf(`--${name}`);
  if (index >= 0) return args[index + 1];
  return args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
};

const number = (text: string | undefined, what: string): number | undefined => {
  if (text === undefined || text === '') return undefined;
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${what} must be a non-negative number, got "${text}"`);
  return value;
};

const main = async (): Promise<void> => {
  // Registered first, so a SIGTERM during start-up also ends the process cleanly.
  let fake: KubernetesFake | undefined;
  const shutdown = (): void => {
    void (fake?.stop() ?? Promise.resolve()).then(() => process.exit(0));
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
  const args = process.argv.slice(2);
  const positionalPort = args.find((a, i) => !a.startsWith('--') && !(args[i - 1]?.startsWith('--') && !args[i - 1].includes('=')));
  const options: KubernetesFakeOptions = {
    port: number(flag('port') ?? positionalPort ?? process.env.KUBE_FAKE_PORT ?? process.env.PORT, 'port') ?? 0,
    token: flag('token') ?? process.env.KUBE_FAKE_TOKEN,
    timeScale: number(flag('time-scale') ?? process.env.KUBE_FAKE_TIME_SCALE, 'time scale'),
    podReadyAfterMs: number(flag('pod-ready-after-ms') ?? process.env.KUBE_FAKE_POD_READY_AFTER_MS, 'pod ready delay'),
  };
  fake = await startKubernetesFake(options);
  const kubeconfig = flag('kubeconfig') ?? process.env.KUBE_FAKE_KUBECONFIG;
  if (kubeconfig) fake.writeKubeconfig(kubeconfig);
  process.stdout.write(
    `${JSON.stringify({ url: fake.url, httpsUrl: fake.httpsUrl, token: fake.token, ...(kubeconfig ? { kubeconfig } : {}) })}\n`,
  );
};

main().catch((err: unknown) => {
  process.stderr.write(`${JSON.stringify({ level: 'error', msg: 'kubernetes fake failed to start', error: (err as Error).message })}\n`);
  process.exit(1);
});
