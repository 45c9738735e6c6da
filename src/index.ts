/** Public API: `import { lint } from "tablewarden"` (documented in docs/api.md). */
export { lint, UsageError } from "./lint.js";
export type { LintOptions, LintResult, Timings } from "./lint.js";
export type { Finding, Related, Severity, SeverityOrOff, Loc, Suggestion, TableKey } from "./types.js";
export { format, FORMATS } from "./report/index.js";
export type { Format, ReportContext } from "./report/index.js";
export { ConfigError } from "./config/index.js";
export type { Config } from "./config/index.js";
export { buildBaseline, parseBaseline, serializeBaseline } from "./engine/baseline.js";
export type { Baseline, BaselineEntry } from "./engine/baseline.js";
export { findProjectRoot } from "./project/root.js";
export type { ProjectRoot } from "./project/root.js";
/** The analysis behind the findings (`result.project`, `result.graph`): shapes may change between minor versions. */
export type { ProjectFacts } from "./link/types.js";
export type { OwnershipGraph } from "./graph/index.js";
export type { Rule } from "./rule.js";
