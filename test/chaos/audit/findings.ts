/** What the audit counts; a run fails on any of them (`flood`: a log flood, log-floods.ts). */
export type FindingCategory = 'lost' | 'stuck' | 'doubled' | 'wrong-digest' | 'flood';

/** One thing that went wrong, with what it is about and the evidence a reader can check. */
export interface Finding {
  category: FindingCategory;
  /** A short, stable kind for grouping: `status-message`, `verdict-reply`, `build-not-ended`… */
  kind: string;
  buildId?: string;
  project?: string;
  what: string;
  evidence?: string[];
}

export const countBy = (findings: readonly Finding[], category: FindingCategory): number =>
  findings.filter((f) => f.category === category).length;
