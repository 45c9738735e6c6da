/**
 * The ownership graph: one node per table `(schema, name)`, each listing every claim the code makes
 * about it. Owners are derived from claims (who creates the table at the end of each history),
 * never stored by hand. Rules ask it questions; it never reads files or syntax trees.
 */
import type { Loc, TableKey } from "../types.js";
import { tableId, normaliseTable as normalise } from "../types.js";
import type { AlembicEnv, CreateAllCall, DjangoClaim, ProjectFacts, SqlaTable, TableShape, Verdict } from "../link/types.js";
import type { DeclaredOwner, OwnershipConfig } from "../config/index.js";
import { TableGlobs } from "../util/table-glob.js";
import { crossOwnerForeignKeys } from "./foreign-keys.js";

export type ClaimKind = "django-model" | "django-m2m" | "django-migration" | "builtin" | "sqlalchemy-model" | "alembic-revision" | "create-all";

export interface Claim {
  kind: ClaimKind;
  tool: "django" | "alembic" | "sqlalchemy";
  action: "creates" | "maps" | "drops" | "renames" | "alters";
  managed: boolean;
  what: string;
  loc: Loc;
  /** sqlalchemy-model: the MetaData it is declared on. */
  metadataId?: string;
  reflected?: boolean;
  /** alembic-revision: the env.py whose history it belongs to. */
  env?: string;
  newName?: string;
  /** The statement made a view, not a table (autogenerate does not reflect views). */
  view?: boolean;
  /** create-all: the call, with where it runs. */
  createAll?: CreateAllCall;
  /** The claim's side handed the table over (config `handoffs`): it no longer makes that side an owner. */
  handedOver?: boolean;
}

export interface TableNode {
  key: TableKey;
  id: string;
  claims: Claim[];
}

export type Owner = "django" | "alembic" | "both" | "create-all" | "external" | "unknown";

/** What config says about a table's owner, and which setting says it. */
export interface Declaration {
  owner: DeclaredOwner;
  /** `owners."auth_*"`, `external-tables`, `handoffs[0]`. */
  source: string;
}

const NO_OWNERSHIP: OwnershipConfig = { owners: [], external: [], handoffs: [] };

/** One row of `tablewarden tables`: a table, its derived owner, its claims and autogenerate's view. */
export interface InventoryRow {
  name: string;
  schema: string | null;
  owner: Owner;
  claims: Array<{ kind: ClaimKind; tool: Claim["tool"]; action: Claim["action"]; what: string; file: string; line: number; handedOver?: true }>;
  /** What config declares (owners manifest, external-tables, handoffs), or null. */
  declared: Declaration | null;
  /** Foreign keys from this table to other tables (`table` is schema-qualified when it has a schema). */
  references?: Array<{ column: string; table: string }>;
  /** Per env.py: "included" when autogenerate compares or would drop it, "excluded" when filtered out. */
  autogenerate: "excluded" | "included" | "unknown" | null;
}

export class OwnershipGraph {
  private readonly nodes = new Map<string, TableNode>();
  /** Every claim in the order the facts list them (history order within each history). */
  private readonly sequence: Array<{ id: string; claim: Claim }> = [];
  /** tableId → Django claim that leaves the table in place at the end of Django's history. */
  private readonly djangoFinal = new Map<string, Claim[]>();
  /** env file → tableId → the revision claim that creates it, at the end of that history. */
  private readonly alembicFinal = new Map<string, Map<string, Claim>>();
  /** Each env's `reachable` files as a set (asked once per model claim). */
  private readonly reachable = new Map<AlembicEnv, Set<string>>();

  private readonly ownersGlobs: TableGlobs;
  private readonly externalGlobs: TableGlobs;
  private readonly handoffGlobs: TableGlobs[];

  constructor(
    readonly project: ProjectFacts,
    readonly ownership: OwnershipConfig = NO_OWNERSHIP,
  ) {
    this.ownersGlobs = new TableGlobs(ownership.owners.map((o) => o.pattern));
    this.externalGlobs = new TableGlobs(ownership.external);
    this.handoffGlobs = ownership.handoffs.map((h) => new TableGlobs(h.tables));
    for (const c of project.django.claims) this.add(c.table, djangoClaim(c));
    for (const t of project.sqlalchemy.tables) this.add(t.table, sqlaClaim(t));
    for (const env of project.alembic.envs) {
      for (const c of env.claims) {
        this.add(c.table, {
          kind: "alembic-revision",
          tool: "alembic",
          action: c.action,
          managed: true,
          what: `${c.op} in revision ${c.revision ?? "?"}`,
          loc: c.loc,
          env: env.file,
          ...(c.newName ? { newName: c.newName } : {}),
          ...(c.view ? { view: true } : {}),
        });
      }
    }
    // create_all() outside tests and migrations creates every table of its MetaData.
    for (const call of project.sqlalchemy.createAll ?? []) {
      if (call.context === "test" || call.context === "migration") continue;
      const ids = new Set(call.metadataIds);
      for (const t of project.sqlalchemy.tables) {
        if (!ids.has(t.metadataId) || t.reflected) continue;
        this.add(t.table, { kind: "create-all", tool: "sqlalchemy", action: "creates", managed: true, what: `${call.label} in ${call.where}`, loc: call.loc, metadataId: t.metadataId, createAll: call });
      }
    }
    this.computeDjangoFinal();
    for (const env of project.alembic.envs) {
      const final = finalState(this.claimsOf((c) => c.kind === "alembic-revision" && c.env === env.file));
      for (const id of [...final.keys()]) if (this.handoffOf(this.keyOf(id), "alembic") >= 0) final.delete(id);
      this.alembicFinal.set(env.file, final);
    }
    for (const node of this.nodes.values()) {
      for (const c of node.claims) {
        if ((c.tool === "django" && this.handoffOf(node.key, "django") >= 0) || (c.kind === "alembic-revision" && this.handoffOf(node.key, "alembic") >= 0)) c.handedOver = true;
      }
    }
  }

  private keyOf(id: string): TableKey {
    return this.nodes.get(id)?.key ?? (id.includes(".") ? { schema: id.slice(0, id.indexOf(".")), name: id.slice(id.indexOf(".") + 1) } : { schema: null, name: id });
  }

  /** Column shapes by table id, built on first use (see src/graph/shapes.ts). */
  private shapeIndex: Map<string, TableShape[]> | null = null;

  /** Every column shape stated for this table, in facts order. */
  shapesOf(node: TableNode): TableShape[] {
    if (!this.shapeIndex) {
      this.shapeIndex = new Map();
      for (const sh of this.project.shapes) {
        const id = tableId(normalise(sh.table));
        const list = this.shapeIndex.get(id) ?? [];
        list.push(sh);
        this.shapeIndex.set(id, list);
      }
    }
    return this.shapeIndex.get(node.id) ?? [];
  }

  /** The index of the `handoffs` entry that takes this table away from `side`, or -1. */
  handoffOf(key: TableKey, side: "django" | "alembic"): number {
    return this.ownership.handoffs.findIndex((h, i) => h.from === side && this.handoffGlobs[i]!.match(key.schema, key.name) >= 0);
  }

  /** The owner config declares for this table: the owners manifest, then external-tables, then a hand-off's new owner. */
  declaredOwner(node: TableNode): Declaration | null {
    const i = this.ownersGlobs.match(node.key.schema, node.key.name);
    if (i >= 0) return { owner: this.ownership.owners[i]!.owner, source: `owners."${this.ownership.owners[i]!.pattern}"` };
    const e = this.externalGlobs.match(node.key.schema, node.key.name);
    if (e >= 0) return { owner: "external", source: `external-tables ("${this.ownership.external[e]}")` };
    for (const side of ["django", "alembic"] as const) {
      const h = this.handoffOf(node.key, side);
      if (h >= 0) return { owner: this.ownership.handoffs[h]!.to, source: `handoffs[${h}]` };
    }
    return null;
  }

  /** create_all() calls (outside tests and migrations) that create this table. */
  createAllCreatorsOf(node: TableNode): Claim[] {
    return node.claims.filter((c) => c.kind === "create-all");
  }

  private add(key: TableKey, claim: Claim): void {
    const k = normalise(key);
    const id = tableId(k);
    let node = this.nodes.get(id);
    if (!node) this.nodes.set(id, (node = { key: k, id, claims: [] }));
    node.claims.push(claim);
    this.sequence.push({ id, claim });
  }

  /** Claims matching `pred`, in history order. */
  private claimsOf(pred: (c: Claim) => boolean): Array<{ id: string; claim: Claim }> {
    return this.sequence.filter((x) => pred(x.claim));
  }

  private computeDjangoFinal(): void {
    // Models, M2M and contrib tables exist when managed; migrations by replay.
    for (const node of this.nodes.values()) {
      if (this.handoffOf(node.key, "django") >= 0) continue;
      for (const c of node.claims) {
        if ((c.kind === "django-model" || c.kind === "django-m2m" || c.kind === "builtin") && c.action === "creates") push(this.djangoFinal, node.id, c);
      }
    }
    const replayed = finalState(this.claimsOf((c) => c.kind === "django-migration"));
    for (const [id, c] of replayed) if (this.handoffOf(this.keyOf(id), "django") < 0) push(this.djangoFinal, id, c);
  }

  /** The nodes sorted, once: the graph is complete after the constructor, and rules ask for every table often. */
  private sorted: TableNode[] | null = null;

  tables(): TableNode[] {
    this.sorted ??= [...this.nodes.values()].sort((a, b) => compareKeys(a.key, b.key));
    return this.sorted.slice();
  }

  tableById(id: string): TableNode | undefined {
    return this.nodes.get(id);
  }

  table(key: TableKey): TableNode | undefined {
    return this.nodes.get(tableId(normalise(key)));
  }

  envs(): AlembicEnv[] {
    return this.project.alembic.envs;
  }

  /** Environments that autogenerate against the database Django uses (as far as the code tells). */
  crossToolEnvs(): AlembicEnv[] {
    return this.autogenerateEnvs().filter((e) => e.sharesDjangoDatabase);
  }

  /** Revision claims that create this table at head, in environments sharing Django's database. */
  alembicCreatorsSharingDjango(node: TableNode): Claim[] {
    const shared = new Set(this.envs().filter((e) => e.sharesDjangoDatabase).map((e) => e.file));
    return this.alembicCreatorsOf(node).filter((c) => c.env !== undefined && shared.has(c.env));
  }

  /** Alembic revision operations that change (alter, rename, drop) this table, in environments sharing Django's database. */
  alembicChangesSharingDjango(node: TableNode): Claim[] {
    const shared = new Set(this.envs().filter((e) => e.sharesDjangoDatabase).map((e) => e.file));
    return node.claims.filter((c) => c.kind === "alembic-revision" && c.action !== "creates" && c.env !== undefined && shared.has(c.env));
  }

  /** Django migration operations that change (alter, rename, drop) this table with DDL. */
  djangoChangesOf(node: TableNode): Claim[] {
    return node.claims.filter((c) => c.kind === "django-migration" && c.managed && c.action !== "creates" && c.action !== "maps");
  }

  /** Environments where `alembic revision --autogenerate` can run at all (they have a target_metadata). */
  autogenerateEnvs(): AlembicEnv[] {
    return this.project.alembic.envs.filter((e) => e.autogenerate);
  }

  /** Django claims that leave this table in the database (managed models, contrib apps, migration history). */
  djangoCreatorsOf(node: TableNode): Claim[] {
    return this.djangoFinal.get(node.id) ?? [];
  }

  /** Revision claims that leave this table in the database at the head of each Alembic history. */
  alembicCreatorsOf(node: TableNode): Claim[] {
    const out: Claim[] = [];
    for (const m of this.alembicFinal.values()) {
      const c = m.get(node.id);
      if (c) out.push(c);
    }
    return out;
  }

  isDjangoOwned(node: TableNode): boolean {
    return this.djangoCreatorsOf(node).length > 0;
  }

  ownerOf(node: TableNode): Owner {
    const d = this.isDjangoOwned(node);
    const a = this.alembicCreatorsOf(node).length > 0 || this.envs().some((e) => this.targetModelsFor(node, e).length > 0);
    if (d && a) return "both";
    if (d) return "django";
    if (a) return "alembic";
    if (this.createAllCreatorsOf(node).length > 0) return "create-all";
    if (this.declaredOwner(node)?.owner === "external") return "external";
    return node.claims.some((c) => c.action === "maps") ? "external" : "unknown";
  }

  /** Does the table exist at the end of the histories (or does any model or app name it)? */
  isPresent(node: TableNode): boolean {
    return !this.isGone(node);
  }

  /** Tables that exist at the end of the histories, sorted. */
  presentTables(): TableNode[] {
    return this.tables().filter((n) => !this.isGone(n));
  }

  /** A table only migration histories mention, and none leaves in the database (dropped or renamed). */
  private isGone(node: TableNode): boolean {
    if (node.claims.some((c) => c.kind !== "django-migration" && c.kind !== "alembic-revision")) return false;
    if (this.djangoFinal.has(node.id)) return false;
    for (const m of this.alembicFinal.values()) if (m.has(node.id)) return false;
    return true;
  }

  /** Every table that exists at the end of the histories, with its owner and claims, sorted by schema and name. */
  inventory(): InventoryRow[] {
    // Foreign keys between the two owners' tables (the edges worth drawing; see cross-owner-fk-order).
    const refs = new Map<string, Array<{ column: string; table: string }>>();
    for (const fk of crossOwnerForeignKeys(this)) {
      const list = refs.get(fk.from.id) ?? [];
      list.push({ column: fk.fk.column, table: fk.to.id });
      refs.set(fk.from.id, list);
    }
    return this.tables().filter((node) => !this.isGone(node)).map((node) => ({
      name: node.key.name,
      schema: node.key.schema,
      owner: this.ownerOf(node),
      claims: node.claims.map((c) => ({ kind: c.kind, tool: c.tool, action: c.action, what: c.what, file: c.loc.file, line: c.loc.line, ...(c.handedOver ? { handedOver: true as const } : {}) })),
      declared: this.declaredOwner(node),
      ...(refs.has(node.id) ? { references: refs.get(node.id)! } : {}),
      autogenerate: this.autogenerateSummary(node),
    }));
  }

  /** Autogenerate's view of a table across env.py files: in the metadata, or the filters' verdict. */
  private autogenerateSummary(node: TableNode): InventoryRow["autogenerate"] {
    const envs = this.envs();
    if (envs.length === 0) return null;
    const results = envs.map((env) =>
      this.targetModelsFor(node, env).length > 0
        ? (env.metadataObjectVerdicts[node.id]?.result ?? "included")
        : (this.autogenerateVerdict(node, env)?.result ?? "unknown"),
    );
    if (results.includes("included")) return "included";
    if (results.includes("unknown")) return "unknown";
    return "excluded";
  }

  /** Tables Django leaves in the database, sorted. */
  tablesOwnedByDjango(): TableNode[] {
    return this.tables().filter((n) => this.isDjangoOwned(n));
  }

  /**
   * SQLAlchemy models/Tables of this table that autogenerate in `env` compares: declared on a
   * MetaData listed in target_metadata, in a module env.py imports (directly or transitively;
   * when the import graph is uncertain, every module counts).
   */
  targetModelsFor(node: TableNode, env: AlembicEnv): Claim[] {
    return this.onTargetMetadata(node, env).filter((c) => this.isLoadedBy(env, c.loc.file));
  }

  /** Models of this table on a target MetaData, whether or not env.py imports their module. */
  onTargetMetadata(node: TableNode, env: AlembicEnv, includeReflected = false): Claim[] {
    const ids = new Set(env.target.metadataIds);
    return node.claims.filter((c) => c.kind === "sqlalchemy-model" && (includeReflected || !c.reflected) && c.metadataId !== undefined && ids.has(c.metadataId));
  }

  /**
   * A MetaData in `env`'s target_metadata holding a class whose table name tablewarden cannot compute (a computed
   * `@declared_attr __tablename__`, models a mixin builds with `type()`), as its label, or null: the tables on that
   * target are then not all known.
   */
  incompleteTarget(env: AlembicEnv): string | null {
    const incomplete = new Set(this.project.sqlalchemy.incompleteMetadata);
    const id = env.target.metadataIds.find((m) => incomplete.has(m));
    return id === undefined ? null : this.metadataLabel(id);
  }

  /** Does running env.py import `file`? (Always true when its imports could not all be resolved.) */
  isLoadedBy(env: AlembicEnv, file: string): boolean {
    if (env.reachUncertain !== null) return true;
    let files = this.reachable.get(env);
    if (!files) this.reachable.set(env, (files = new Set(env.reachable)));
    return files.has(file);
  }

  /** Tables the revisions of `env` leave in the database at head. */
  tablesCreatedBy(env: AlembicEnv): Array<{ node: TableNode; claim: Claim }> {
    const m = this.alembicFinal.get(env.file) ?? new Map<string, Claim>();
    return [...m.entries()]
      .map(([id, claim]) => ({ node: this.nodes.get(id)!, claim }))
      .filter((x) => x.node)
      .sort((a, b) => compareKeys(a.node.key, b.node.key));
  }

  /** What `alembic revision --autogenerate` in `env` does with this table when only the database has it. */
  autogenerateVerdict(node: TableNode, env: AlembicEnv): Verdict | null {
    return env.verdicts[node.id] ?? null;
  }

  /**
   * For a table Django leaves in the database: what autogenerate in `env` does with it as a table
   * the metadata lacks (drop it, skip it, or unknown). Null when the table is on target_metadata
   * (then it is compared, not dropped) or Django does not own it.
   */
  dropVerdict(node: TableNode, env: AlembicEnv): Verdict | null {
    if (!this.isDjangoOwned(node) || this.isView(node)) return null;
    // In the metadata (a reflected table too: it compares equal), it is compared, not dropped.
    if (this.onTargetMetadata(node, env, true).some((c) => this.isLoadedBy(env, c.loc.file))) return null;
    return this.autogenerateVerdict(node, env);
  }

  /** Does a history create this relation as a view? (Autogenerate does not reflect views.) */
  isView(node: TableNode): boolean {
    return [...this.djangoCreatorsOf(node), ...this.alembicCreatorsOf(node)].some((c) => c.view === true);
  }

  metadataLabel(id: string): string {
    const m = this.project.sqlalchemy.metadata.find((x) => x.id === id);
    return m ? `${m.label} (${m.loc.file}:${m.loc.line})` : id;
  }
}

function push(m: Map<string, Claim[]>, id: string, c: Claim): void {
  const list = m.get(id) ?? [];
  list.push(c);
  m.set(id, list);
}

/** Replay creates/drops/renames in order: the tables present at the end, with their creating claim. */
function finalState(claims: Array<{ id: string; claim: Claim }>): Map<string, Claim> {
  const present = new Map<string, Claim>();
  for (const { id, claim } of claims) {
    if (claim.action === "creates" && claim.managed) present.set(id, claim);
    else if (claim.action === "drops") present.delete(id);
    else if (claim.action === "renames" && claim.newName) {
      const before = present.get(id);
      present.delete(id);
      const schema = id.includes(".") ? `${id.split(".")[0]}.` : "";
      present.set(`${schema}${claim.newName}`, before ?? claim);
    }
  }
  return present;
}

function djangoClaim(c: DjangoClaim): Claim {
  const kind: ClaimKind = c.source === "model" ? "django-model" : c.source === "m2m" ? "django-m2m" : c.source === "migration" ? "django-migration" : "builtin";
  const out: Claim = { kind, tool: "django", action: c.action, managed: c.managed, what: c.what, loc: c.loc };
  if (c.newName) out.newName = c.newName;
  if (c.view) out.view = true;
  return out;
}

function sqlaClaim(t: SqlaTable): Claim {
  return { kind: "sqlalchemy-model", tool: "sqlalchemy", action: "maps", managed: false, what: t.what, loc: t.loc, metadataId: t.metadataId, reflected: t.reflected };
}

export function compareLoc(a: Loc, b: Loc): number {
  if (a.file !== b.file) return a.file < b.file ? -1 : 1;
  return a.line - b.line || a.column - b.column;
}

function compareKeys(a: TableKey, b: TableKey): number {
  const sa = a.schema ?? "";
  const sb = b.schema ?? "";
  if (sa !== sb) return sa < sb ? -1 : 1;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

export function where(loc: Loc): string {
  return `${loc.file}:${loc.line}`;
}

/** "model shop.Order (shop/models.py:12)" — how messages name one side of a conflict. */
export function describeClaim(c: Claim): string {
  return `${c.what} (${where(c.loc)})`;
}

