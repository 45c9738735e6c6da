/** `--timings`: where a run's time went, as one line for stderr (the report itself is unchanged). */
import type { Timings } from "../lint.js";

/** Milliseconds as "84 ms", or "1.25 s" from a second on (also the benchmark's table). */
export function ms(x: number): string {
  return x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${Math.round(x)} ms`;
}

function count(n: number, what: string): string {
  return `${n.toLocaleString("en-US")} ${what}${n === 1 ? "" : "s"}`;
}

/** `filesScanned`: files read (Python, ini and deploy files); `reportMs`: formatting the findings. */
export function formatTimings(t: Timings, filesScanned: number, reportMs: number): string {
  const threads = t.workers > 0 ? ` on ${t.workers + 1} threads` : "";
  const files = [`${t.parsedFiles.toLocaleString("en-US")} parsed${threads}`];
  if (t.ahead > 0) files.push(`${t.ahead.toLocaleString("en-US")} of them ahead of linking`);
  if (t.cachedFiles > 0) files.push(`${t.cachedFiles.toLocaleString("en-US")} from the cache`);
  const phases = [
    `discover ${ms(t.discover)}`,
    `read ${ms(t.read)}`,
    `parse ${ms(t.parse)}`,
    `extract ${ms(t.extract)}`,
    `${t.linkReused ? "link (last run's, reused)" : "link"} ${ms(t.link)}`,
    `rules ${ms(t.rules)}`,
    `report ${ms(reportMs)}`,
  ];
  const summed = t.workers > 0 ? " (read, parse and extract summed over threads)" : "";
  return `tablewarden: ${ms(t.total + reportMs)} for ${count(filesScanned, "file")} (${files.join(", ")}): ${phases.join(", ")}${summed}\n`;
}
