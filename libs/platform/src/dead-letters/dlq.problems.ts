/** Something the operator can fix, said in a way they can act on; the CLI prints it without a stack and exits 1. */
export class DlqProblem extends Error {
  override name = 'DlqProblem';
}

/** The command line itself is wrong; the CLI prints it with the usage and exits 2. */
export class UsageProblem extends Error {
  override name = 'UsageProblem';
}
