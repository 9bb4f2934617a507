import { describe, expect, it } from '@jest/globals';
import { enforcedLevel, type PodSpecLike, podSecurityViolations } from './pod-security';

/** A pod that passes `restricted`; each test breaks one rule. */
const restricted = (): PodSpecLike => ({
  securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
  containers: [{ name: 'app', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } }],
  volumes: [{ name: 'tmp', emptyDir: {} }],
});

describe('the Pod Security Standards checker', () => {
  it('passes a pod that keeps every restricted rule, at every level', () => {
    for (const level of ['privileged', 'baseline', 'restricted'] as const) expect(podSecurityViolations(restricted(), level)).toEqual([]);
  });

  it('finds nothing at baseline in a plain pod, and every restricted rule it breaks', () => {
    const plain: PodSpecLike = { containers: [{ name: 'app' }] };
    expect(podSecurityViolations(plain, 'baseline')).toEqual([]);
    expect(podSecurityViolations(plain, 'restricted')).toEqual([
      'allowPrivilegeEscalation != false (container "app" must set securityContext.allowPrivilegeEscalation=false)',
      'unrestricted capabilities (container "app" must set securityContext.capabilities.drop=["ALL"])',
      'runAsNonRoot != true (pod or container "app" must set securityContext.runAsNonRoot=true)',
      'seccompProfile (pod or container "app" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")',
    ]);
  });

  it('refuses running as root, explicitly or as user 0', () => {
    const pod = restricted();
    pod.securityContext = { ...pod.securityContext, runAsNonRoot: false, runAsUser: 0 };
    expect(podSecurityViolations(pod, 'restricted')).toEqual([
      'runAsNonRoot != true (pod must not set securityContext.runAsNonRoot=false)',
      'runAsUser=0 (pod must not set runAsUser=0)',
    ]);
  });

  it('allows adding NET_BIND_SERVICE only, and a Localhost seccomp profile', () => {
    const pod = restricted();
    pod.securityContext = { runAsNonRoot: true, seccompProfile: { type: 'Localhost' } };
    pod.containers[0].securityContext!.capabilities = { drop: ['ALL'], add: ['NET_BIND_SERVICE'] };
    expect(podSecurityViolations(pod, 'restricted')).toEqual([]);
    pod.containers[0].securityContext!.capabilities!.add = ['NET_BIND_SERVICE', 'NET_ADMIN'];
    expect(podSecurityViolations(pod, 'restricted')).toEqual([
      'unrestricted capabilities (container "app" must not include "NET_ADMIN" in securityContext.capabilities.add)',
    ]);
    expect(podSecurityViolations(pod, 'baseline')).toEqual([
      'non-default capabilities (container "app" must not include "NET_ADMIN" in securityContext.capabilities.add)',
    ]);
  });

  it('checks init containers too, and a container that overrides the pod seccomp profile', () => {
    const pod = restricted();
    pod.initContainers = [{ name: 'migrate', securityContext: { seccompProfile: { type: 'Unconfined' } } }];
    const violations = podSecurityViolations(pod, 'restricted');
    expect(violations).toContain(
      'seccompProfile (pod or container "migrate" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")',
    );
    expect(violations).toContain(
      'allowPrivilegeEscalation != false (container "migrate" must set securityContext.allowPrivilegeEscalation=false)',
    );
    expect(podSecurityViolations(pod, 'baseline')).toEqual([
      'seccompProfile (pod and containers must not set securityContext.seccompProfile.type to "Unconfined")',
    ]);
  });

  it('refuses what baseline refuses: privileged containers, host namespaces, host paths and ports', () => {
    const pod: PodSpecLike = {
      hostNetwork: true,
      containers: [{ name: 'app', securityContext: { privileged: true }, ports: [{ hostPort: 80 }] }],
      volumes: [{ name: 'docker', hostPath: { path: '/var/run/docker.sock' } }],
    };
    expect(podSecurityViolations(pod, 'baseline')).toEqual([
      'host namespaces (hostNetwork=true)',
      'hostPath volumes (volumes "docker")',
      'hostPort (container "app" uses hostPort 80)',
      'privileged (container "app" must not set securityContext.privileged=true)',
    ]);
    expect(podSecurityViolations(pod, 'restricted')).toContain(
      'restricted volume types (volume "docker" uses restricted volume type "hostPath")',
    );
  });

  it('reads the level a namespace enforces from its label; none means privileged', () => {
    expect(enforcedLevel({ 'pod-security.kubernetes.io/enforce': 'restricted' })).toBe('restricted');
    expect(enforcedLevel({ 'pod-security.kubernetes.io/enforce': 'baseline' })).toBe('baseline');
    expect(enforcedLevel({ 'pod-security.kubernetes.io/warn': 'restricted' })).toBe('privileged');
    expect(enforcedLevel(undefined)).toBe('privileged');
  });
});
