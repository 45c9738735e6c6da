/** Reporters: pure formatting of findings. */
import type { Finding } from "../types.js";
import { formatJson } from "./json.js";
import { formatStylish } from "./stylish.js";
import { formatGithub } from "./github.js";

export const FORMATS = ["stylish", "json", "github"] as const;
export type Format = (typeof FORMATS)[number];

export function format(name: Format, findings: Finding[], filesScanned: number, color: boolean): string {
  switch (name) {
    case "json":
      return formatJson({ findings, filesScanned });
    case "stylish":
      return formatStylish(findings, filesScanned, { color });
    case "github":
      return formatGithub(findings);
  }
}
