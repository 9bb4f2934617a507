import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { ConfigError } from './config-error';
import { workloadOf } from './project-workload';
import { parseProjects } from './projects.loader';

const seed = `
projects:
  - id: shop
    name: Shop
    url: https://example.org
    channel: C0123456789
    owners: [U0OWNER01]
`;

const projectWith = (extra: string) => parseProjects(`${seed}${extra}`, 'config.yml').get('shop')!;

const problemsOf = (extra: string): string[] => {
  try {
    parseProjects(`${seed}${extra}`, 'config.yml');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
};

describe('workload settings of a project', () => {
  it('defaults to no env, no references, the image entrypoint, no probes and the restricted security context', () => {
    const project = projectWith('');
    expect(project.previewNamespace).toBe('default');
    for (const environment of ['preview', 'production'] as const) {
      expect(workloadOf(project, environment)).toEqual({
        namespace: 'default',
        replicas: 1,
        resources: undefined,
        env: {},
        envFrom: [],
        command: undefined,
        args: undefined,
        readinessProbe: undefined,
        livenessProbe: undefined,
        securityContext: {
          runAsNonRoot: true,
          allowPrivilegeEscalation: false,
          capabilities: { drop: ['ALL'] },
          seccompProfile: 'RuntimeDefault',
        },
        labels: {},
        annotations: {},
      });
    }
  });

  it('puts previews in previewNamespace and production in namespace', () => {
    const project = projectWith('    namespace: shop\n    previewNamespace: shop-previews\n');
    expect(workloadOf(project, 'preview').namespace).toBe('shop-previews');
    expect(workloadOf(project, 'production').namespace).toBe('shop');
  });

  it('reads env values (numbers and booleans as text), Secret and ConfigMap key references, envFrom, command and probes', () => {
    const project = projectWith(`
    env:
      LOG_LEVEL: info
      WORKERS: 4
      FEATURE_X: true
      DATABASE_PASSWORD: { secretKeyRef: { name: shop-db, key: password } }
      THEME: { configMapKeyRef: { name: shop-ui, key: theme, optional: true } }
    envFrom:
      - secretRef: shop-secrets
      - configMapRef: shop-config
        prefix: CFG_
    command: [/app/server]
    args: [--port, "8080"]
    readinessProbe: { http: { path: /healthz }, periodSeconds: 5 }
    livenessProbe: { exec: { command: [/app/health] }, failureThreshold: 6 }
`);
    const workload = workloadOf(project, 'production');
    expect(workload.env).toEqual({
      LOG_LEVEL: 'info',
      WORKERS: '4',
      FEATURE_X: 'true',
      DATABASE_PASSWORD: { secretKeyRef: { name: 'shop-db', key: 'password' } },
      THEME: { configMapKeyRef: { name: 'shop-ui', key: 'theme', optional: true } },
    });
    expect(workload.envFrom).toEqual([{ secretRef: 'shop-secrets' }, { configMapRef: 'shop-config', prefix: 'CFG_' }]);
    expect(workload.command).toEqual(['/app/server']);
    expect(workload.args).toEqual(['--port', '8080']);
    expect(workload.readinessProbe).toEqual({ http: { path: '/healthz' }, periodSeconds: 5 });
    expect(workload.livenessProbe).toEqual({ exec: { command: ['/app/health'] }, failureThreshold: 6 });
  });

  it('merges an environment over the project: maps key by key, everything else replaced', () => {
    const project = projectWith(`
    replicas: 3
    env: { LOG_LEVEL: info, REGION: eu }
    envFrom: [{ secretRef: shop-secrets }]
    labels: { team: checkout }
    annotations: { example.com/owner: checkout }
    securityContext: { runAsUser: 1000, capabilities: { add: [NET_BIND_SERVICE] } }
    readinessProbe: { http: { path: /ready } }
    environments:
      preview:
        replicas: 1
        env: { LOG_LEVEL: debug }
        envFrom: [{ secretRef: shop-preview-secrets }]
        labels: { tier: preview }
        securityContext: { readOnlyRootFilesystem: true }
`);
    const preview = workloadOf(project, 'preview');
    expect(preview).toMatchObject({
      replicas: 1,
      env: { LOG_LEVEL: 'debug', REGION: 'eu' },
      envFrom: [{ secretRef: 'shop-preview-secrets' }],
      labels: { team: 'checkout', tier: 'preview' },
      annotations: { 'example.com/owner': 'checkout' },
      readinessProbe: { http: { path: '/ready' } },
      securityContext: {
        runAsNonRoot: true,
        runAsUser: 1000,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] },
      },
    });
    const production = workloadOf(project, 'production');
    expect(production).toMatchObject({ replicas: 3, env: { LOG_LEVEL: 'info', REGION: 'eu' }, envFrom: [{ secretRef: 'shop-secrets' }] });
    expect(production.securityContext).not.toHaveProperty('readOnlyRootFilesystem');
  });

  it('lets a project loosen the security defaults explicitly', () => {
    const project = projectWith(`
    securityContext: { runAsNonRoot: false, runAsUser: 0, allowPrivilegeEscalation: true, capabilities: { drop: [] }, seccompProfile: Unconfined }
`);
    expect(workloadOf(project, 'production').securityContext).toEqual({
      runAsNonRoot: false,
      runAsUser: 0,
      allowPrivilegeEscalation: true,
      capabilities: { drop: [] },
      seccompProfile: 'Unconfined',
    });
  });

  it('names the field of every problem', () => {
    const problems = problemsOf(`
    previewNamespace: Previews
    env:
      "1BAD": x
      SECRET: { secretKeyRef: { name: db } }
      BOTH: { secretKeyRef: { name: db, key: k }, configMapKeyRef: { name: c, key: k } }
      LIST: [a]
    envFrom: [{ secretRef: Shop_Secrets }, { prefix: X_ }]
    command: []
    readinessProbe: { http: { path: healthz } }
    livenessProbe: { http: { path: /h }, exec: { command: [x] } }
    securityContext: { seccompProfile: Localhost, runAsUser: -1, capabilities: { add: [net_admin] } }
    labels: { "app.kubernetes.io/managed-by": me, team: "not a value" }
    annotations: { "deploybot.dev/build-id": x }
    environments: { staging: {} }
`);
    const at = (field: string) => expect.stringMatching(new RegExp(`^${field.replace(/[[\].]/g, '\\$&')}: `));
    expect(problems).toEqual(
      expect.arrayContaining([
        at('projects[0].previewNamespace'),
        at('projects[0].env.1BAD'),
        at('projects[0].env.SECRET.secretKeyRef.key'),
        at('projects[0].env.BOTH'),
        at('projects[0].env.LIST'),
        at('projects[0].envFrom[0].secretRef'),
        'projects[0].envFrom[1]: expected exactly one of secretRef or configMapRef',
        at('projects[0].command'),
        'projects[0].readinessProbe.http.path: expected a path starting with "/"',
        'projects[0].livenessProbe: expected exactly one of http or exec',
        'projects[0].securityContext.localhostProfile: expected localhostProfile exactly when seccompProfile is Localhost',
        at('projects[0].securityContext.runAsUser'),
        at('projects[0].securityContext.capabilities.add[0]'),
        expect.stringMatching(/^projects\[0\]\.labels\.app\.kubernetes\.io\/managed-by: is set by deploybot/),
        at('projects[0].labels.team'),
        expect.stringMatching(/^projects\[0\]\.annotations\.deploybot\.dev\/build-id: is set by deploybot/),
        at('projects[0].environments'),
      ]),
    );
  });

  it('refuses root under the default runAsNonRoot, naming where root was asked for', () => {
    expect(problemsOf('    securityContext: { runAsUser: 0 }\n')).toEqual([
      'projects[0].securityContext.runAsUser: runs as root (user 0) while runAsNonRoot is true: set runAsNonRoot: false as well to run as root, or use a non-zero user',
    ]);
    expect(problemsOf('    environments: { preview: { securityContext: { runAsUser: 0 } } }\n')).toEqual([
      expect.stringMatching(/^projects\[0\]\.environments\.preview\.securityContext\.runAsUser: runs as root/),
    ]);
    expect(() => projectWith('    securityContext: { runAsUser: 0, runAsNonRoot: false }\n')).not.toThrow();
  });

  it("accepts the README's full example of the projects file", () => {
    const readme = readFileSync('README.md', 'utf8');
    const section = readme.slice(readme.indexOf('### Projects file'));
    const example = /```yaml\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
    const project = parseProjects(example, 'README.md').get('test1')!;
    expect(workloadOf(project, 'preview')).toMatchObject({ namespace: 'test1-previews', replicas: 1, env: { LOG_LEVEL: 'debug' } });
    expect(workloadOf(project, 'production')).toMatchObject({ namespace: 'default', replicas: 3, env: { LOG_LEVEL: 'info' } });
  });
});
