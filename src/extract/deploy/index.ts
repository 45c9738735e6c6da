/**
 * extract/deploy: one deploy file's text → DeployFacts. Pure in (path, text, parsers); never throws
 * past a file (the caller turns an exception into a diagnostic naming the file).
 *
 * The YAML, Dockerfile and shell parsers are loaded by `loadDeployParsers` (dynamic imports), which
 * the pipeline calls only when the project has deploy files.
 */
import type { ShellParser } from "../../shell/parse.js";
import type { DeployFacts, DeployKind } from "./facts.js";
import { commandsOfShell } from "./command.js";
import { readCompose } from "./compose.js";
import { readKubernetes, stripHelm } from "./kubernetes.js";
import { readGithubActions, readGitlabCi } from "./ci.js";
import { readAppJson, readFly, readProcfile, readRender } from "./platform.js";
import { readDockerfile } from "./dockerfile.js";
import type { DockerfileLib } from "./dockerfile.js";
import { readMakefile } from "./makefile.js";
import { parseYaml } from "./yaml.js";
import type { YamlLib } from "./yaml.js";

export interface DeployParsers {
  shell: ShellParser;
  yaml: YamlLib;
  dockerfile: DockerfileLib;
}

export async function loadDeployParsers(): Promise<DeployParsers> {
  const [{ ShellParser }, yaml, dockerfile] = await Promise.all([import("../../shell/parse.js"), import("yaml"), import("dockerfile-ast")]);
  return { shell: new ShellParser(), yaml: (yaml.default ?? yaml) as YamlLib, dockerfile: (dockerfile.default ?? dockerfile) as DockerfileLib };
}

export async function extractDeployFile(file: string, text: string, kind: DeployKind, p: DeployParsers): Promise<DeployFacts> {
  const facts: DeployFacts = { file, kind, units: [], concurrency: "", diagnostics: [] };
  switch (kind) {
    case "dockerfile":
      return { ...facts, ...readDockerfile(p.dockerfile, p.shell, file, text) };
    case "procfile":
      return { ...facts, ...readProcfile(p.shell, file, text) };
    case "shell": {
      const script = p.shell.parse(text);
      const errors = script.errors.map((e) => ({ code: "syntax-error" as const, severity: "info" as const, message: `${e.message}; the rest of the script is still read`, loc: { file, ...e.span } }));
      const commands = commandsOfShell(p.shell, text, { file, line: 1, column: 1, indent: 0 });
      return { ...facts, units: [{ id: "script", name: `script ${file}`, loc: { file, line: 1, column: 1, endLine: 1, endColumn: 1 }, commands, after: [], ownDatabase: false, ci: false }], concurrency: "the script runs its commands one after the other, except those started with `&`", diagnostics: errors };
    }
    case "makefile":
      return { ...facts, targets: readMakefile(p.shell, file, text), concurrency: "make runs a target's prerequisites, then its recipe lines, one after the other" };
    case "fly": {
      const r = await readFly(p.shell, file, text);
      return { ...facts, units: r.units, concurrency: r.concurrency, diagnostics: r.diagnostics ?? [] };
    }
    case "app-json": {
      const r = readAppJson(p.shell, file, text);
      return { ...facts, units: r.units, concurrency: r.concurrency, diagnostics: r.diagnostics ?? [] };
    }
    default:
      break;
  }
  // YAML kinds.
  const helm = kind === "kubernetes" && text.includes("{{");
  if (kind === "kubernetes" && !/^\s*kind:/m.test(text)) return facts;
  const { ctx, docs, diagnostics } = parseYaml(p.yaml, file, helm ? stripHelm(text) : text, p.shell);
  facts.diagnostics = helm ? diagnostics.map((d) => ({ ...d, severity: "info" as const, message: d.message.replace("not valid YAML", "this Helm template is not valid YAML once its {{ }} actions are blanked out") })) : diagnostics;
  const read =
    kind === "compose" ? readCompose(ctx, docs) : kind === "kubernetes" ? readKubernetes(ctx, docs) : kind === "github-actions" ? readGithubActions(ctx, docs) : kind === "gitlab-ci" ? readGitlabCi(ctx, docs) : readRender(ctx, docs);
  return { ...facts, units: read.units, concurrency: read.concurrency };
}

export type { DeployFacts, DeployKind } from "./facts.js";
