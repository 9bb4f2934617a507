import { BuildType, Environment } from '@app/contracts';
import { toDnsLabel } from '@app/contracts';

/** What a workload is deployed for; its Kubernetes name follows from this alone. */
export type WorkloadIdentity =
  | { environment: Extract<Environment, 'preview'>; project: string; type: BuildType; target: string }
  | { environment: Extract<Environment, 'production'>; project: string };

/**
 * The name of the Deployment, Service and route of a workload (DESIGN §6):
 * `<project>-<type>-<target>` for a preview, `<project>` for production — sanitized, so a
 * branch named `feature/Login_Form` still yields a valid, unique name.
 */
export function workloadName(identity: WorkloadIdentity): string {
  switch (identity.environment) {
    case 'preview':
      return toDnsLabel(`${identity.project}-${identity.type}-${identity.target}`, { startWithLetter: true });
    case 'production':
      return toDnsLabel(identity.project, { startWithLetter: true });
    default: {
      const _exhaustive: never = identity;
      throw new Error(`unknown environment ${JSON.stringify(_exhaustive)}`);
    }
  }
}

export { targetLabel } from '@app/contracts';
