/**
 * `metadata.create_all(...)` calls: a third creator of tables besides the two migration histories.
 * Each call is resolved to the MetaData it creates and classified by where it runs: start-up code
 * (module level, a web framework's start-up hook, an app factory), another function (a CLI command,
 * a bootstrap script), a test, or migration code.
 */
import type { CallSite, FileFacts } from "../extract/facts.js";
import type { Expr } from "../python/ast.js";
import { dottedName } from "../python/ast.js";
import { locOf } from "../types.js";
import type { CreateAllCall } from "./types.js";
import type { SqlaContext } from "./sqlalchemy.js";
import { resolveMetadata } from "./sqlalchemy.js";

const TEST_FILE = /(?:^|\/)(?:tests?|testing)\/|(?:^|\/)(?:test_[^/]*|[^/]*_tests?|conftest)\.py$/;
const MIGRATION_FILE = /(?:^|\/)(?:migrations|versions)\/[^/]*\.py$|(?:^|\/)env\.py$/;
/** Functions that run when the application starts, by name (FastAPI/Starlette lifespans, Flask factories). */
const STARTUP_NAMES = /^(?:lifespan|app_lifespan|startup|on_startup|startup_event|create_app|make_app|init_app)$/;
/** Decorators that register a start-up hook: `@app.on_event("startup")`, `@app.before_first_request`, Quart's `before_serving`. */
const STARTUP_DECORATORS = /(?:^|\.)(?:before_first_request|before_serving|on_startup)$/;

export function linkCreateAll(ctx: SqlaContext, files: FileFacts[]): CreateAllCall[] {
  const out: CreateAllCall[] = [];
  for (const f of files) {
    for (const site of f.calls) {
      const call = site.call;
      if (call.func.kind !== "attr" || call.func.attr !== "create_all") continue;
      const receiver = call.func.value;
      const refs = metadataOf(ctx, f.file, receiver);
      const label = dottedName(receiver) ?? "metadata";
      const { context, where } = classify(f, site);
      out.push({
        metadataIds: refs.ids,
        unresolved: refs.ids.length === 0 ? (refs.unresolved ?? `\`${label}\` is not a MetaData tablewarden can follow`) : null,
        label: `${label}.create_all()`,
        context,
        where,
        loc: locOf(f.file, call.span),
      });
    }
  }
  return out;
}

/** `Base.metadata`, `metadata`, `SQLModel.metadata`; Flask-SQLAlchemy's `db.create_all()` creates `db.metadata`. */
function metadataOf(ctx: SqlaContext, file: string, receiver: Expr) {
  const direct = resolveMetadata(ctx, file, receiver);
  if (direct.ids.length > 0) return direct;
  const viaOwner = resolveMetadata(ctx, file, { kind: "attr", value: receiver, attr: "metadata", span: receiver.span });
  return viaOwner.ids.length > 0 ? viaOwner : direct;
}

function classify(f: FileFacts, site: CallSite): Pick<CreateAllCall, "context" | "where"> {
  const scope = site.scope;
  if (TEST_FILE.test(f.file)) return { context: "test", where: "test code" };
  if (MIGRATION_FILE.test(f.file)) return { context: "migration", where: "migration code" };
  // A bootstrap script run by hand is a deliberate act, like a CLI command: not start-up code.
  if (site.scriptOnly) return { context: "function", where: "a script's `if __name__ == \"__main__\":` block" };
  if (scope.length === 0) return { context: "startup", where: "module-level code, which runs whenever the module is imported" };
  for (const name of scope) {
    const fn = f.functions[name];
    const hook = fn?.decorators.find(isStartupDecorator);
    if (hook) return { context: "startup", where: `start-up hook \`${name}\` (@${dottedName(hook.kind === "call" ? hook.func : hook) ?? "?"})` };
    if (STARTUP_NAMES.test(name)) return { context: "startup", where: `\`${name}()\`, which runs at application start-up` };
  }
  return { context: "function", where: `function \`${scope[scope.length - 1]}()\`` };
}

function isStartupDecorator(d: Expr): boolean {
  if (d.kind === "call") {
    const name = dottedName(d.func) ?? "";
    // @app.on_event("startup") / @router.on_event("startup")
    if (/(?:^|\.)on_event$/.test(name)) return d.args[0]?.kind === "str" && d.args[0].value === "startup";
    return STARTUP_DECORATORS.test(name);
  }
  return STARTUP_DECORATORS.test(dottedName(d) ?? "");
}
