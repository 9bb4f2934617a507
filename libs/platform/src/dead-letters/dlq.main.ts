// `npm run dlq -- <command>`: the operator's tool for dead letters (docs/operations.md, "Dead letters").
import { runDlq } from './dlq.command';

void runDlq(process.argv.slice(2), {
  env: process.env,
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
}).then((code) => {
  process.exitCode = code;
});
