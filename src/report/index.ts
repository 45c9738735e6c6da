/** Reporters: pure formatting of findings. */
import type { Finding } from "../types.js";
import { formatJson } from "./json.js";
import { formatStylish } from "./stylish.js";

export const FORMATS = ["stylish", "json"] as const;
export type Format = (typeof FORMATS)[number];

export function format(name: Format, findings: Finding[], filesScanned: number, color: boolean): string {
  switch (name) {
    case "json":
      return formatJson({ findings, filesScanned });
    case "stylish":
      return formatStylish(findings, filesScanned, { color });
  }
}
