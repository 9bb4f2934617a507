import { REFERENCE } from './image-reference';

/**
 * How the simulated kubelet treats a container, chosen by its image reference.
 * - ready: Running, then Ready after podReadyAfterMs × timeScale.
 * - pull-backoff: ErrImagePull briefly, then ImagePullBackOff (Pending).
 * - crashloop: starts, exits with code 1, then CrashLoopBackOff with a growing restartCount (Running).
 * - config-error: CreateContainerConfigError (Pending).
 * - never-ready: Running but never Ready, with no waiting reason (only the progress deadline catches it).
 * - invalid-name: InvalidImageName (Pending); chosen automatically for references that cannot parse.
 */
export type ImageBehavior = 'ready' | 'pull-backoff' | 'crashloop' | 'config-error' | 'never-ready' | 'invalid-name';

export interface ImageBehaviorOptions {
  /** Overrides podReadyAfterMs for this image (still multiplied by timeScale). */
  readyAfterMs?: number;
  /** Waiting message for config-error (default: configmap "app-config" not found). */
  message?: string;
  /** Exit code of a crashlooping container (default 1). */
  exitCode?: number;
}

interface Rule {
  match: string | RegExp;
  behavior: ImageBehavior;
  options: ImageBehaviorOptions;
}

/** Built-in conventions, so tests and demos can pick a failure by naming the image. */
const BUILT_IN: Rule[] = [
  { match: /does-not-exist|notfound/, behavior: 'pull-backoff', options: {} },
  { match: /badconfig/, behavior: 'config-error', options: {} },
  { match: /crash/, behavior: 'crashloop', options: {} },
];

/** A string matches that exact reference, or any tag/digest of it when given without one. */
const matches = (match: string | RegExp, image: string): boolean =>
  typeof match === 'string' ? image === match || image.startsWith(`${match}:`) || image.startsWith(`${match}@`) : match.test(image);

export class ImageBehaviors {
  private readonly rules: Rule[] = [];

  /** Explicit rules win over the built-in ones; the latest matching rule wins. */
  set(match: string | RegExp, behavior: ImageBehavior, options: ImageBehaviorOptions = {}): void {
    this.rules.unshift({ match, behavior, options });
  }

  resolve(image: string): { behavior: ImageBehavior; options: ImageBehaviorOptions } {
    const rule = [...this.rules, ...BUILT_IN].find((r) => matches(r.match, image));
    if (rule) return { behavior: rule.behavior, options: rule.options };
    return { behavior: REFERENCE.test(image) ? 'ready' : 'invalid-name', options: {} };
  }
}
