import { z } from 'zod';
import { SlackChannelId, SlackUserId } from '@app/contracts';
import { Duration } from './durations.schema';
import { rootUserProblems } from './project-workload';
import { Environments, Resources, workloadFields } from './workload.schema';

const DnsLabel = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'expected a DNS-1123 label (lowercase letters, digits and "-")')
  .max(63, 'expected at most 63 characters');

/**
 * One project of the projects file. Fields up to `owners` are the seed's; the rest are optional.
 * The file is the operator's contract (DESIGN §7): renaming a field breaks their config.
 */
export const ProjectSchema = z
  .object({
    // Production objects are named after the id and previews `<project>-<type>-<target>--<hash>`
    // (apps/deployer naming.ts): an id that starts with a letter and holds no "--" can never
    // name another project's preview, and is a valid Service name as it is.
    id: z
      .string()
      .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'expected lowercase letters, digits and "-" (it names Kubernetes objects)')
      .max(40, 'expected at most 40 characters')
      .regex(
        /^[a-z]/,
        'expected to start with a letter (production objects are named after the project id, and Service names start with a letter)',
      )
      .refine(
        (id) => !id.includes('--'),
        'expected no "--" (preview names use "--" before their hash, so such an id could name another project\'s preview)',
      ),
    name: z.string().min(1, 'expected a display name'),
    url: z
      .url({ protocol: /^https?$/, error: 'expected an http(s) URL like https://example.org' })
      .refine(
        (u) => new URL(u).pathname === '/' || new URL(u).pathname === '',
        'expected a URL without a path (previews live on sub-domains)',
      ),
    channel: SlackChannelId,
    qa: z.array(SlackUserId).default([]),
    owners: z.array(SlackUserId).min(1, 'expected at least one owner'),
    namespace: DnsLabel.default('default'),
    /** Where previews run; default: `namespace`. */
    previewNamespace: DnsLabel.optional(),
    port: z.number().int().min(1).max(65535).default(80),
    replicas: z.number().int().min(0).max(50).default(1),
    approvals: z
      .object({
        required: z.number().int().min(0, 'expected 0 or more').optional(),
        /** QA members who have not answered are nudged this long after the preview is up, the owners as long again later. */
        remindAfter: Duration.optional(),
        /** A build still waiting for QA or for an owner this long after its preview came up expires. */
        expireAfter: Duration.optional(),
      })
      .strict()
      .optional(),
    resources: Resources.optional(),
    imagePullSecrets: z.array(DnsLabel).default([]),
    previews: z
      .object({
        /** Tear a build's preview down once the build is in production (default true). */
        removeAfterProduction: z.boolean().default(true),
        /** How long a preview that is not in production lives after it came up (or after a Keep); unset: for ever. */
        ttl: Duration.optional(),
        /** How long before the expiry the owners are asked whether to keep it; default a quarter of ttl, at most 24h. */
        remindBefore: Duration.optional(),
      })
      .strict()
      .default({ removeAfterProduction: true }),
    route: z
      .object({
        kind: z.enum(['ingress', 'ambassador-mapping']).default('ingress'),
        ingressClassName: z.string().min(1).optional(),
        tlsSecretName: DnsLabel.optional(),
        ambassadorId: z.string().optional(),
      })
      .strict()
      .default({ kind: 'ingress' }),
    // How the containers run (workload.schema.ts), and what differs per environment.
    ...workloadFields,
    environments: Environments,
  })
  // A misspelt field (`previewTtl`, `owner`) is refused by name rather than silently ignored.
  .strict()
  .transform((p) => ({
    ...p,
    previewNamespace: p.previewNamespace ?? p.namespace,
    // Default: one QA approval when the project has QA people, none otherwise (the seed's behaviour).
    approvalsRequired: p.approvals?.required ?? (p.qa.length > 0 ? 1 : 0),
    previews: { ...p.previews, ...previewReminder(p.previews) },
  }))
  .superRefine((p, ctx) => {
    const { ttl, remindBefore } = p.previews;
    if (remindBefore !== undefined && ttl === undefined)
      ctx.addIssue({ code: 'custom', path: ['previews', 'remindBefore'], message: 'is set but previews.ttl is not (nothing expires)' });
    if (remindBefore !== undefined && ttl !== undefined && remindBefore >= ttl)
      ctx.addIssue({ code: 'custom', path: ['previews', 'remindBefore'], message: 'expected less than previews.ttl' });
    const { remindAfter, expireAfter } = p.approvals ?? {};
    if (remindAfter !== undefined && expireAfter !== undefined && remindAfter >= expireAfter)
      ctx.addIssue({ code: 'custom', path: ['approvals', 'remindAfter'], message: 'expected less than approvals.expireAfter' });
  })
  .refine((p) => p.approvalsRequired <= p.qa.length, {
    message: 'approvals.required is larger than the number of qa members',
    path: ['approvals', 'required'],
  })
  .superRefine((p, ctx) => {
    for (const problem of rootUserProblems(p)) ctx.addIssue({ code: 'custom', ...problem });
  });

export const ProjectsFileSchema = z.object({
  projects: z.array(ProjectSchema).min(1, 'expected at least one project'),
});

export type ProjectConfig = z.output<typeof ProjectSchema>;

const DAY_MS = 86_400_000;

/** The reminder's lead when the file gives none: a quarter of the TTL, at most a day. */
function previewReminder(previews: { ttl?: number; remindBefore?: number }): { remindBefore?: number } {
  if (previews.ttl === undefined || previews.remindBefore !== undefined) return {};
  return { remindBefore: Math.min(DAY_MS, Math.floor(previews.ttl / 4)) };
}
