/** docker compose: services' `entrypoint`/`command`, `build` (the Dockerfile they run) and `depends_on`. */
import path from "node:path";
import type { DeployFacts, DeployUnit } from "./facts.js";
import { commandsOfPair, entries, get, isMap, str } from "./yaml.js";
import type { YamlCtx } from "./yaml.js";

export const COMPOSE_CONCURRENCY =
  "compose starts services together: `depends_on` waits for a service to start (or be healthy), not to finish, unless it says `condition: service_completed_successfully`";

export function readCompose(ctx: YamlCtx, docs: unknown[]): Pick<DeployFacts, "units" | "concurrency"> {
  const units: DeployUnit[] = [];
  for (const doc of docs) {
    for (const svc of entries(ctx, get(ctx, doc, "services"))) {
      if (!isMap(ctx, svc.value)) continue;
      const entrypoint = get(ctx, svc.value, "entrypoint");
      const command = get(ctx, svc.value, "command");
      const unit: DeployUnit = {
        id: `service:${svc.key}`,
        name: `compose service \`${svc.key}\``,
        loc: svc.keyLoc,
        commands: commandsOfPair(ctx, entrypoint, command),
        after: [],
        ownDatabase: false,
        ci: false,
      };
      const dep = get(ctx, svc.value, "depends_on");
      if (isMap(ctx, dep)) {
        for (const d of entries(ctx, dep)) if (str(ctx, get(ctx, d.value, "condition")) === "service_completed_successfully") unit.after.push(`service:${d.key}`);
      }
      const build = get(ctx, svc.value, "build");
      const context = str(ctx, build) ?? str(ctx, get(ctx, build, "context"));
      if (context !== null && !/^[a-z]+:\/\//i.test(context)) {
        const dockerfile = str(ctx, get(ctx, build, "dockerfile")) ?? "Dockerfile";
        unit.build = {
          dockerfile: path.posix.normalize(path.posix.join(path.posix.dirname(ctx.file), context, dockerfile)),
          entrypoint: entrypoint === null,
          command: entrypoint === null && command === null,
        };
      }
      units.push(unit);
    }
  }
  return { units, concurrency: COMPOSE_CONCURRENCY };
}

