// `gradebox policy check|show|compile NAME`: lets an instructor validate, read and export a seccomp policy.
import { writeFileSync } from 'node:fs';
import { Document, isSeq, YAMLMap } from 'yaml';

import { UsageError } from '../common/errors.js';
import { compilePolicy, loadPolicy, type PolicyOptions } from '../seccomp/policy.js';
import { parseFlags } from './args.js';

const HELP = `usage: gradebox policy check NAME      validate and compile; print the digest
       gradebox policy show NAME       print the normalized policy (YAML, or JSON with --json)
       gradebox policy compile NAME    write the BPF program (default NAME.bpf, or --out FILE)

  --dir DIR     folder of the policy files (default: policies/ in the package)
  --out FILE    where compile writes the BPF program
  --json        show as JSON

A policy is policies/NAME.yaml; it may extend another one ("extends: base").
Exit status: 0 when the policy is valid, 2 for bad usage or a bad policy, 1 for an internal error.
`;

type Print = (text: string) => void;

function check(name: string, options: PolicyOptions, print: Print): void {
  const compiled = compilePolicy(name, options);
  print(`ok ${name} sha256:${compiled.digest} (${compiled.chain.join(' <- ')}: ` +
    `${compiled.normalized.rules.length} rules, ${compiled.instructions} BPF instructions)\n`);
}

function show(name: string, options: PolicyOptions, json: boolean, print: Print): void {
  const { normalized, ...about } = loadPolicy(name, options);
  const view = { ...about, ...normalized };
  print(json ? `${JSON.stringify(view, null, 2)}\n` : toYaml(view));
}

/** YAML with one line per rule, so a policy of 130 rules stays readable. */
function toYaml(view: object): string {
  const doc = new Document(view);
  const rules = doc.get('rules');
  if (isSeq(rules)) {
    for (const rule of rules.items) if (rule instanceof YAMLMap) rule.flow = true;
  }
  return doc.toString({ lineWidth: 0 });
}

function compile(name: string, options: PolicyOptions, out: string, print: Print): void {
  const compiled = compilePolicy(name, options);
  writeFileSync(out, compiled.bpf);
  print(`wrote ${out}: ${compiled.instructions} BPF instructions, policy ${name} sha256:${compiled.digest}\n`);
}

/** Runs `gradebox policy ...`; `print` receives everything meant for standard output. */
export async function policyCommand(argv: string[], print: Print = (text) => void process.stdout.write(text)): Promise<number> {
  const { values, positionals } = parseFlags(argv, {
    dir: { type: 'string' }, out: { type: 'string' }, json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  }, true);
  if (values.help) {
    print(HELP);
    return 0;
  }
  const [action, name, ...extra] = positionals;
  if (action === undefined || name === undefined || extra.length > 0) {
    throw new UsageError(`expected an action and one policy name\n\n${HELP}`);
  }
  if (values.out !== undefined && action !== 'compile') throw new UsageError('--out goes with "policy compile" only');
  if (values.json && action !== 'show') throw new UsageError('--json goes with "policy show" only');
  const options: PolicyOptions = values.dir === undefined ? {} : { dir: values.dir };
  switch (action) {
    case 'check':
      check(name, options, print);
      return 0;
    case 'show':
      show(name, options, values.json === true, print);
      return 0;
    case 'compile':
      compile(name, options, values.out ?? `${name}.bpf`, print);
      return 0;
    default:
      throw new UsageError(`unknown policy action "${action}"; use check, show or compile`);
  }
}
