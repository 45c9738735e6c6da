/**
 * defineRule: the contract between rule modules and the engine. A rule reads the ownership graph
 * and project facts, and reports findings through typed message functions.
 */
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { Finding, Loc, Related, Severity, Suggestion, TableKey } from "./types.js";
import { tableId } from "./types.js";
import type { OwnershipGraph } from "./graph/index.js";
import type { ProjectFacts } from "./link/types.js";
import { packageRoot } from "./data/catalog.js";

export type OptionType = "string[]" | "string" | "boolean" | "number";
type OptionValue<T extends OptionType> = T extends "string[]" ? string[] : T extends "string" ? string : T extends "boolean" ? boolean : number;
export type OptionSpec = Record<string, { type: OptionType; default: unknown; description?: string; /** Allowed values of a string option. */ values?: string[] }>;
export type OptionValues<S extends OptionSpec> = { [K in keyof S]: OptionValue<S[K]["type"]> };

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Messages = Record<string, (data: any) => string>;

export interface ReportOptions {
  at: Loc;
  related?: Related[];
  table?: TableKey;
  /** Overrides the rule's severity for this finding (used for "could not resolve" infos). */
  severity?: Severity;
  suggestion?: Suggestion;
}

export interface RuleContext<S extends OptionSpec, M extends Messages> {
  graph: OwnershipGraph;
  project: ProjectFacts;
  options: OptionValues<S>;
  report<K extends keyof M & string>(key: K, data: Parameters<M[K]>[0], opts: ReportOptions): void;
}

export interface RuleDefinition<S extends OptionSpec, M extends Messages> {
  id: string;
  severity: Severity;
  summary: string;
  options: S;
  messages: M;
  help: string;
  check(ctx: RuleContext<S, M>): void;
}

/** A rule as the engine sees it: no generic parameters left. */
export interface Rule {
  id: string;
  severity: Severity;
  summary: string;
  help: string;
  docsUrl: string;
  options: OptionSpec;
  messageKeys: string[];
  run(graph: OwnershipGraph, project: ProjectFacts, severity: Severity, options?: Record<string, unknown>): Finding[];
}

/** A page of the docs shipped with the package, as a file URL (works offline, in any terminal). */
export function docsPageUrl(page: string): string {
  return pathToFileURL(path.join(packageRoot(), "docs", page)).href;
}

export function docsUrlFor(id: string): string {
  return docsPageUrl(`rules/${id}.md`);
}

export function defineRule<S extends OptionSpec, M extends Messages>(def: RuleDefinition<S, M>): Rule {
  // Found when first asked for (a finding, a SARIF rule list): a run without findings never looks for the package's docs.
  let url: string | undefined;
  const docsUrl = () => (url ??= docsUrlFor(def.id));
  return {
    id: def.id,
    severity: def.severity,
    summary: def.summary,
    help: def.help,
    get docsUrl() {
      return docsUrl();
    },
    options: def.options,
    messageKeys: Object.keys(def.messages),
    run(graph, project, severity, given = {}) {
      const options = {} as Record<string, unknown>;
      for (const [k, spec] of Object.entries(def.options)) options[k] = k in given ? given[k] : spec.default;
      const findings: Finding[] = [];
      def.check({
        graph,
        project,
        options: options as OptionValues<S>,
        report(key, data, opts) {
          const fn = def.messages[key];
          if (!fn) throw new Error(`rule ${def.id} reported unknown message key "${key}"`);
          const f: Finding = {
            ruleId: def.id,
            severity: opts.severity ?? severity,
            message: fn(data),
            loc: opts.at,
            related: opts.related ?? [],
            help: def.help,
            docsUrl: docsUrl(),
          };
          if (opts.table) f.table = tableId(opts.table);
          if (opts.suggestion) f.suggestion = opts.suggestion;
          findings.push(f);
        },
      });
      return findings;
    },
  };
}
