/**
 * The command line: argv → LintOptions, a reporter, and the exit code
 * (0 no error finding, 1 at least one, 2 usage/config/internal error).
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { lint, parseSize, UsageError } from "./lint.js";
import { ConfigError } from "./config/index.js";
import { nearest } from "./util/nearest.js";
import { FORMATS, format } from "./report/index.js";
import type { Format } from "./report/index.js";
import { TABLE_FORMATS, formatTables } from "./report/tables.js";
import { envBlock } from "./suggest/env.js";
import { formatExplain } from "./report/explain.js";
import { formatTimings } from "./report/timings.js";
import type { TableFormat } from "./report/tables.js";
import type { SeverityOrOff } from "./types.js";
import { loadRules } from "./engine/rules.js";
import { knownIds } from "./engine/index.js";
import { packageRoot } from "./data/catalog.js";
import { loadBaselineFile, stdinInput, writeBaselineFile } from "./cli-inputs.js";
import { loadYargs } from "./util/yargs.js";
import { tuneV8 } from "./tune.js";

const SEVERITIES = ["off", "info", "warning", "error"];

function version(): string {
  const pkg = JSON.parse(readFileSync(path.join(packageRoot(), "package.json"), "utf8")) as { version: string };
  return pkg.version;
}

function parseRuleFlags(flags: string[], ids: string[]): Record<string, SeverityOrOff> {
  const out: Record<string, SeverityOrOff> = {};
  for (const flag of flags) {
    const m = /^([^=]+)=(.*)$/.exec(flag);
    if (!m) throw new UsageError(`--rule expects <rule-id>=<off|info|warning|error>, got "${flag}"`);
    const [, id, sev] = m as unknown as [string, string, string];
    if (!ids.includes(id)) {
      const near = nearest(id, ids);
      throw new UsageError(`--rule: unknown rule "${id}"${near ? `; did you mean "${near}"?` : ""} (known: ${ids.join(", ")})`);
    }
    if (!SEVERITIES.includes(sev)) throw new UsageError(`--rule ${id}: severity must be one of ${SEVERITIES.join(", ")}, got "${sev}"`);
    out[id] = sev as SeverityOrOff;
  }
  return out;
}

type Outcome = { code: number };

function commonOptions<T>(y: import("yargs").Argv<T>) {
  return y
    .positional("paths", { type: "string", array: true, default: ["."], describe: "Files or folders to lint" })
    .option("max-file-size", { type: "string", describe: "Skip larger files (with an info finding); default 2MB" })
    .option("cache", { type: "boolean", default: true, describe: "Reuse facts of unchanged files, and the last linking when nothing it reads changed (--no-cache: parse everything)" });
}

export async function main(argv: string[]): Promise<number> {
  let debug = argv.includes("--debug");
  const outcome: Outcome = { code: 0 };
  try {
    const rules = await loadRules();
    const yargs = await loadYargs(argv);
    const parser = yargs(argv)
      .scriptName("tablewarden")
      .usage("$0 [paths..]\n\nCheck that Django and Alembic never manage the same PostgreSQL tables.")
      .command(
        "$0 [paths..]",
        "Lint the project(s) at paths",
        (y) =>
          commonOptions(y)
            .option("format", { alias: "f", choices: FORMATS, default: "stylish" as Format, describe: "Output format" })
            .option("rule", { type: "string", array: true, default: [] as string[], describe: "Set a rule's severity: <id>=off|info|warning|error (repeatable)" })
            .option("quiet", { alias: "q", type: "boolean", default: false, describe: "Report errors only" })
            .option("color", { type: "boolean", describe: "Force colours on or off (--no-color)" })
            .option("max-warnings", { type: "number", describe: "Exit 1 when there are more warnings than this" })
            .option("output-file", { alias: "o", type: "string", describe: "Write the report to this file instead of stdout" })
            .option("baseline", { type: "string", describe: "Report only findings this baseline file does not record" })
            .option("write-baseline", { type: "string", describe: "Record today's findings in this file (then exit 0)" })
            .option("stdin", { type: "boolean", describe: "Read the contents of --stdin-filename from standard input (an editor's unsaved buffer)" })
            .option("stdin-filename", { type: "string", describe: "The path of the file whose contents are on standard input" })
            .option("project-root", { type: "string", describe: "Read the whole project from this folder (default: detected from the paths)" })
            .option("timings", { type: "boolean", default: false, describe: "Print where the run's time went (per phase) to stderr" }),
        async (args) => {
          const ruleSeverities = parseRuleFlags(args.rule, knownIds(rules));
          const toFile = args["output-file"];
          const color = args.color ?? (!toFile && Boolean(process.stdout.isTTY) && !process.env["NO_COLOR"]);
          const stdin = stdinInput(Boolean(args.stdin), args["stdin-filename"]);
          if (args.baseline && args["write-baseline"]) throw new UsageError("--baseline and --write-baseline cannot be combined: --write-baseline records every finding");
          const baseline = args.baseline ? loadBaselineFile(args.baseline) : undefined;
          const result = await lint({
            paths: stdin?.paths ?? args.paths,
            cache: args.cache,
            rules: ruleSeverities,
            quiet: args.quiet,
            ...(args["max-file-size"] ? { maxFileBytes: parseSize(args["max-file-size"]) } : {}),
            ...(stdin ? { contents: stdin.contents } : {}),
            ...(baseline ? { baseline } : {}),
            ...(args["project-root"] ? { projectRoot: args["project-root"] } : {}),
          });
          if (args["write-baseline"]) {
            process.stderr.write(writeBaselineFile(args["write-baseline"], result.findings));
            if (args.timings) process.stderr.write(formatTimings(result.timings, result.filesScanned, 0));
            outcome.code = 0;
            return;
          }
          const tr = performance.now();
          const report = format(args.format, result.findings, result.filesScanned, color, {
            rules: result.rules,
            toolVersion: version(),
            root: result.base,
            workspace: path.resolve(process.env["GITHUB_WORKSPACE"] || process.cwd()),
            baselined: result.baselined,
          });
          const reportMs = performance.now() - tr;
          if (toFile) {
            try {
              writeFileSync(toFile, report);
            } catch (e) {
              throw new UsageError(`--output-file: cannot write ${toFile} (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
            }
          } else process.stdout.write(report);
          if (args.timings) process.stderr.write(formatTimings(result.timings, result.filesScanned, reportMs));
          const warnings = result.findings.filter((f) => f.severity === "warning").length;
          const maxWarnings = args["max-warnings"];
          if (maxWarnings !== undefined && (!Number.isInteger(maxWarnings) || maxWarnings < 0)) throw new UsageError("--max-warnings expects a whole number ≥ 0");
          outcome.code = result.findings.some((f) => f.severity === "error") || (maxWarnings !== undefined && warnings > maxWarnings) ? 1 : 0;
        },
      )
      .command(
        "tables [paths..]",
        "List every table with its owner, its claims and what Alembic's autogenerate does with it",
        (y) => commonOptions(y).option("format", { alias: "f", choices: TABLE_FORMATS, default: "text" as TableFormat, describe: "Output format" }),
        async (args) => {
          const result = await lint({ paths: args.paths, cache: args.cache, ...(args["max-file-size"] ? { maxFileBytes: parseSize(args["max-file-size"]) } : {}) });
          process.stdout.write(formatTables(result.graph.inventory(), args.format, result.project.django.settingsFiles));
          outcome.code = 0;
        },
      )
      .command(
        "explain <table> [paths..]",
        "Show every claim about one table, autogenerate's view of it, and the findings on it",
        (y) => commonOptions(y).positional("table", { type: "string", demandOption: true, describe: "Table name, or schema.name" }),
        async (args) => {
          const result = await lint({ paths: args.paths, cache: args.cache, ...(args["max-file-size"] ? { maxFileBytes: parseSize(args["max-file-size"]) } : {}) });
          const [schema, name] = args.table.includes(".") ? (args.table.split(".", 2) as [string, string]) : [null, args.table];
          const node = result.graph.table({ schema, name });
          if (!node) {
            const ids = result.graph.tables().map((t) => t.id);
            const near = nearest(args.table, ids);
            throw new UsageError(`no table \`${args.table}\` in this project${near ? `; did you mean \`${near}\`?` : ""}`);
          }
          process.stdout.write(formatExplain(result.graph, node, result.findings.filter((f) => f.table === node.id)));
          outcome.code = 0;
        },
      )
      .command(
        "suggest-env [paths..]",
        "Print the filter block for each Alembic env.py that keeps autogenerate to Alembic's own tables",
        (y) => commonOptions(y),
        async (args) => {
          const result = await lint({ paths: args.paths, cache: args.cache, ...(args["max-file-size"] ? { maxFileBytes: parseSize(args["max-file-size"]) } : {}) });
          const envs = result.graph.autogenerateEnvs();
          if (envs.length === 0) throw new UsageError("no Alembic env.py with a target_metadata found: nothing to suggest");
          const blocks = envs.map((env) => `# ${env.file}: paste above run_migrations_offline()\n\n${envBlock(result.graph, env)}`);
          process.stdout.write(blocks.join("\n\n"));
          outcome.code = 0;
        },
      )
      .option("debug", { type: "boolean", default: false, describe: "Print stack traces of internal errors" })
      .version(version())
      .alias("v", "version")
      .help()
      .alias("h", "help")
      .strict()
      .wrap(Math.min(110, process.stdout.columns || 100))
      .exitProcess(false)
      .fail((msg, err) => {
        throw err ?? new UsageError(msg);
      });
    const args = await parser.parseAsync();
    debug = Boolean(args.debug);
    return outcome.code;
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`tablewarden: configuration error in ${e.message}\n`);
      return 2;
    }
    if (e instanceof UsageError || (e instanceof Error && e.name === "YError")) {
      process.stderr.write(`tablewarden: ${e.message}\nRun \`tablewarden --help\` for usage.\n`);
      return 2;
    }
    process.stderr.write(`tablewarden: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
    if (debug && e instanceof Error && e.stack) process.stderr.write(`${e.stack}\n`);
    else process.stderr.write("Run again with --debug for a stack trace, and please report it.\n");
    return 2;
  }
}

// This process is the CLI's own: V8's flags are ours to choose (src/tune.ts).
tuneV8();
// `yargs/helpers`' hideBin is this slice, but importing it loads yargs' help renderer (cliui, string-width).
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  () => {
    process.exitCode = 2;
  },
);
