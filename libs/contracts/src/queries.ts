import { z } from 'zod';

/*
 * Queries answered by approvals over NATS request/reply (Subjects.GetBuild,
 * Subjects.ListProjectBuilds) and exposed by the gateway as GET /v1/… .
 */

export const GetBuildQuery = z.object({ id: z.string().min(1).max(200) });
export type GetBuildQuery = z.infer<typeof GetBuildQuery>;

export const ListProjectBuildsQuery = z.object({
  project: z.string().min(1),
  limit: z.number().int().min(1).max(500).default(50),
});
export type ListProjectBuildsQuery = z.infer<typeof ListProjectBuildsQuery>;

export interface VerdictView {
  user: string;
  verdict: 'approve' | 'reject';
  at: string;
}

/** A build as the read model knows it. */
export interface BuildView {
  id: string;
  project: string;
  type: 'branch' | 'tag';
  target: string;
  image: string;
  status: string;
  previewUrl: string;
  productionUrl: string | null;
  verdicts: VerdictView[];
  approvalsRequired: number;
  promotedBy: string | null;
  closedBy: string | null;
  supersededBy: string | null;
  failureReason: string | null;
  createdAt: string;
  updatedAt: string;
}

/** The answer of every query: data, or an error with an HTTP-like status. */
export type QueryReply<T> = { ok: true; data: T } | { ok: false; status: number; message: string };
