/** CI workflows: GitHub Actions (jobs in parallel unless `needs:`, steps in order) and GitLab CI (stages, `needs:`). */
import type { DeployFacts, DeployUnit } from "./facts.js";
import { commandsOf, entries, get, isMap, items, scriptLines, str, strings } from "./yaml.js";
import type { YamlCtx } from "./yaml.js";

export const GHA_CONCURRENCY = "GitHub Actions runs the jobs of a workflow in parallel unless `needs:` orders them";
export const GITLAB_CONCURRENCY = "GitLab CI runs the jobs of one stage in parallel (and a job with `needs:` as soon as those jobs finish)";

export function readGithubActions(ctx: YamlCtx, docs: unknown[]): Pick<DeployFacts, "units" | "concurrency"> {
  const units: DeployUnit[] = [];
  for (const doc of docs) {
    for (const job of entries(ctx, get(ctx, doc, "jobs"))) {
      units.push({
        id: `job:${job.key}`,
        name: `GitHub Actions job \`${job.key}\``,
        loc: job.keyLoc,
        commands: items(ctx, get(ctx, job.value, "steps")).flatMap((s) => commandsOf(ctx, get(ctx, s, "run"))),
        after: strings(ctx, get(ctx, job.value, "needs")).map((n) => `job:${n}`),
        ownDatabase: entries(ctx, get(ctx, job.value, "services")).length > 0,
        ci: true,
      });
    }
  }
  return { units, concurrency: GHA_CONCURRENCY };
}

const GITLAB_RESERVED = new Set(["stages", "variables", "default", "include", "workflow", "image", "services", "before_script", "after_script", "cache", "pages"]);
const GITLAB_DEFAULT_STAGES = ["build", "test", "deploy"];

export function readGitlabCi(ctx: YamlCtx, docs: unknown[]): Pick<DeployFacts, "units" | "concurrency"> {
  const units: DeployUnit[] = [];
  for (const doc of docs) {
    if (!isMap(ctx, doc)) continue;
    const declared = strings(ctx, get(ctx, doc, "stages"));
    const stages = [".pre", ...(declared.length > 0 ? declared : GITLAB_DEFAULT_STAGES), ".post"];
    const all = new Map(entries(ctx, doc).map((e) => [e.key, e]));
    const defaults = get(ctx, doc, "default");
    /** A job's key, looking through `extends:` (templates first, the job's own keys win) and `default:`. */
    const key = (job: unknown, k: string, seen = 0): unknown => {
      const own = get(ctx, job, k);
      if (own !== null || seen > 5) return own;
      for (const parent of strings(ctx, get(ctx, job, "extends")).reverse()) {
        const v = key(all.get(parent)?.value ?? null, k, seen + 1);
        if (v !== null) return v;
      }
      return null;
    };
    const jobs = [...all.values()].filter((e) => !e.key.startsWith(".") && !GITLAB_RESERVED.has(e.key) && isMap(ctx, e.value));
    const stageOf = (job: unknown) => str(ctx, key(job, "stage")) ?? "test";
    for (const job of jobs) {
      const stage = stages.indexOf(stageOf(job.value));
      const needs = key(job.value, "needs");
      const after =
        needs !== null
          ? strings(ctx, needs)
          : jobs.filter((o) => {
              const s = stages.indexOf(stageOf(o.value));
              return s >= 0 && stage >= 0 && s < stage;
            }).map((o) => o.key);
      const before = key(job.value, "before_script") ?? get(ctx, defaults, "before_script") ?? get(ctx, doc, "before_script");
      const services = key(job.value, "services") ?? get(ctx, defaults, "services") ?? get(ctx, doc, "services");
      units.push({
        id: `job:${job.key}`,
        name: `GitLab CI job \`${job.key}\``,
        loc: job.keyLoc,
        commands: [...scriptLines(ctx, before), ...scriptLines(ctx, key(job.value, "script"))],
        after: after.map((n) => `job:${n}`),
        ownDatabase: items(ctx, services).length > 0,
        ci: true,
      });
    }
  }
  return { units, concurrency: GITLAB_CONCURRENCY };
}
