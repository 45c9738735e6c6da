/**
 * Platform configs: Procfile (`release:` before the processes), fly.toml (`[deploy] release_command`
 * before `[processes]`), render.yaml (each service's build, pre-deploy and start commands; services
 * deploy independently) and Heroku's app.json (`scripts.postdeploy`, Heroku CI's test scripts).
 */
import type { ShellParser } from "../../shell/parse.js";
import type { Diagnostic } from "../../types.js";
import { fileLoc } from "../../types.js";
import { commandsOfShell } from "./command.js";
import type { Origin } from "./command.js";
import type { DeployCommand, DeployFacts, DeployUnit } from "./facts.js";
import { commandsOf, entries, get, items, str } from "./yaml.js";
import type { YamlCtx } from "./yaml.js";

type Read = Pick<DeployFacts, "units" | "concurrency"> & { diagnostics?: Diagnostic[] };

export const PROCFILE_CONCURRENCY = "the platform starts every Procfile process at the same time (only `release:` runs, and finishes, first)";

export function readProcfile(shell: ShellParser, file: string, text: string): Read {
  const units: DeployUnit[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    const m = /^([A-Za-z0-9_-]+):[ \t]*/.exec(line);
    if (!m) return;
    const origin: Origin = { file, line: i + 1, column: m[0].length + 1, indent: 0 };
    units.push(unit(`process:${m[1]}`, `Procfile process \`${m[1]}\``, { file, line: i + 1, column: 1, endLine: i + 1, endColumn: m[1]!.length + 1 }, commandsOfShell(shell, line.slice(m[0].length), origin)));
  });
  releaseFirst(units, "process:release");
  return { units, concurrency: PROCFILE_CONCURRENCY };
}

export const FLY_CONCURRENCY = "Fly.io starts the machines of every `[processes]` group at the same time (only `release_command` runs, and finishes, first)";

export async function readFly(shell: ShellParser, file: string, text: string): Promise<Read> {
  const { parse } = await import("smol-toml");
  let doc: Record<string, unknown>;
  try {
    doc = parse(text) as Record<string, unknown>;
  } catch (e) {
    return { units: [], concurrency: FLY_CONCURRENCY, diagnostics: [{ code: "syntax-error", severity: "warning", message: `not valid TOML, its migration commands were not read: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`, loc: fileLoc(file) }] };
  }
  const units: DeployUnit[] = [];
  const release = (doc["deploy"] as Record<string, unknown> | undefined)?.["release_command"];
  if (typeof release === "string") units.push(keyed(shell, file, text, "release_command", release, "release", "fly.toml `release_command`"));
  const processes = doc["processes"];
  if (processes && typeof processes === "object") {
    for (const [name, cmd] of Object.entries(processes as Record<string, unknown>)) {
      if (typeof cmd === "string") units.push(keyed(shell, file, text, name, cmd, `process:${name}`, `fly.toml process \`${name}\``));
    }
  }
  releaseFirst(units, "release");
  return { units, concurrency: FLY_CONCURRENCY };
}

export const RENDER_CONCURRENCY = "Render deploys each service on its own: one service's pre-deploy and start commands do not wait for another's";

export function readRender(ctx: YamlCtx, docs: unknown[]): Read {
  const units: DeployUnit[] = [];
  for (const doc of docs) {
    for (const svc of items(ctx, get(ctx, doc, "services"))) {
      const name = str(ctx, get(ctx, svc, "name")) ?? "?";
      const first = entries(ctx, svc)[0];
      const commands = ["buildCommand", "preDeployCommand", "startCommand", "dockerCommand"].flatMap((k) => commandsOf(ctx, get(ctx, svc, k)));
      units.push(unit(`service:${name}`, `render.yaml service \`${name}\``, first?.keyLoc ?? fileLoc(ctx.file), commands));
    }
  }
  return { units, concurrency: RENDER_CONCURRENCY };
}

export const APP_JSON_CONCURRENCY = "Heroku runs app.json's scripts one at a time";

export function readAppJson(shell: ShellParser, file: string, text: string): Read {
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(text) as Record<string, unknown>;
  } catch (e) {
    return { units: [], concurrency: APP_JSON_CONCURRENCY, diagnostics: [{ code: "syntax-error", severity: "warning", message: `not valid JSON, its migration commands were not read: ${e instanceof Error ? e.message : String(e)}`, loc: fileLoc(file) }] };
  }
  const units: DeployUnit[] = [];
  const scripts = (doc?.["scripts"] ?? {}) as Record<string, unknown>;
  if (typeof scripts["postdeploy"] === "string") units.push(keyed(shell, file, text, "postdeploy", scripts["postdeploy"], "postdeploy", "app.json `postdeploy`"));
  const test = ((doc?.["environments"] as Record<string, Record<string, Record<string, unknown>>> | undefined)?.["test"]?.["scripts"] ?? {}) as Record<string, unknown>;
  const ci: DeployCommand[] = [];
  for (const k of ["test-setup", "test"]) if (typeof test[k] === "string") ci.push(...keyed(shell, file, text, k, test[k] as string, k, k).commands);
  if (ci.length > 0) units.push({ ...unit("heroku-ci", "Heroku CI test run", ci[0]!.loc, ci), ci: true });
  return { units, concurrency: APP_JSON_CONCURRENCY };
}

function unit(id: string, name: string, loc: DeployUnit["loc"], commands: DeployCommand[]): DeployUnit {
  return { id, name, loc, commands, after: [], ownDatabase: false, ci: false };
}

function releaseFirst(units: DeployUnit[], releaseId: string): void {
  if (!units.some((u) => u.id === releaseId)) return;
  for (const u of units) if (u.id !== releaseId) u.after.push(releaseId);
}

/** A command given as a string value of `key` (TOML or JSON): located by finding `key` in the text. */
function keyed(shell: ShellParser, file: string, text: string, key: string, command: string, id: string, name: string): DeployUnit {
  const lines = text.split(/\r?\n/);
  const re = new RegExp(`^(\\s*"?${key.replace(/[.*+?^${}()|[\]\\-]/g, "\\$&")}"?\\s*[=:]\\s*["']?)`);
  const i = lines.findIndex((l) => re.test(l));
  const line = i >= 0 ? i + 1 : 1;
  const column = i >= 0 ? re.exec(lines[i]!)![1]!.length + 1 : 1;
  const loc = { file, line, column: 1, endLine: line, endColumn: (lines[i] ?? "").length + 1 };
  return unit(id, name, loc, commandsOfShell(shell, command, { file, line, column, indent: 0 }));
}
