/** Public API: `import { lint } from "tablewarden"`. */
export { lint, UsageError } from "./lint.js";
export type { LintOptions, LintResult } from "./lint.js";
export type { Finding, Related, Severity, SeverityOrOff, Loc, Suggestion, TableKey } from "./types.js";
export { format, FORMATS } from "./report/index.js";
export type { Format } from "./report/index.js";
