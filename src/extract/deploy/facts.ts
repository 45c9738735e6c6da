/**
 * DeployFacts: what tablewarden keeps from one deploy file (Dockerfile, compose, Procfile, shell
 * script, Makefile, Kubernetes manifest, CI workflow, platform config). Plain JSON-able records;
 * a pure function of (path, text). Which commands start a migrator, in which unit of execution,
 * and which units finish before others start.
 */
import type { Diagnostic, Loc } from "../../types.js";

export type DeployKind =
  | "dockerfile"
  | "compose"
  | "procfile"
  | "shell"
  | "makefile"
  | "kubernetes"
  | "github-actions"
  | "gitlab-ci"
  | "fly"
  | "render"
  | "app-json";

export type Migrator = "django" | "alembic";

/** What one command line does, as far as migrations go. */
export type Invocation =
  | { kind: "migrate"; tool: Migrator }
  /** `manage.py <name>`: a project management command, which may call `migrate`. */
  | { kind: "django-command"; name: string }
  /** A script of the repository: `./entrypoint.sh`, `bash scripts/migrate.sh`, `. ./env.sh`. */
  | { kind: "script"; path: string }
  /** `make migrate`, `make -C backend migrate`. */
  | { kind: "make"; targets: string[]; dir: string | null }
  /** A test run (pytest, manage.py test, tox, nox); `nomigrations` when `--nomigrations` is passed. */
  | { kind: "test"; nomigrations: boolean }
  /** `wait`: every background job started before it has finished. */
  | { kind: "wait" };

export interface DeployCommand {
  inv: Invocation;
  /** The command as written (one line, shortened). */
  text: string;
  loc: Loc;
  background: boolean;
  conditional: boolean;
}

/** A unit of execution: a compose service, a Kubernetes container, a CI job, a Procfile process. */
export interface DeployUnit {
  /** Unique in the file: `service:web`, `job:deploy`. */
  id: string;
  /** For messages: "compose service `web`". */
  name: string;
  loc: Loc;
  /** In order; background commands overlap the ones after them until a `wait`. */
  commands: DeployCommand[];
  /** Units of the same file that have finished before this one starts. */
  after: string[];
  /** A CI job with its own database service container: its migrations run on a private, empty database. */
  ownDatabase: boolean;
  /** A CI job (a from-scratch test can run here). */
  ci: boolean;
  /** Compose: the image is built from this Dockerfile (repo-relative); its ENTRYPOINT/CMD apply where the service sets none. */
  build?: { dockerfile: string; entrypoint: boolean; command: boolean };
  /**
   * Kubernetes: [phase, weight, tie]. Of two ranked units in one folder, the lower rank finishes
   * first; equal ranks run at the same time.
   */
  rank?: [number, number, string];
}

export interface MakeTarget {
  prereqs: string[];
  commands: DeployCommand[];
  loc: Loc;
}

export interface DeployFacts {
  file: string;
  kind: DeployKind;
  units: DeployUnit[];
  /** Why two units of this file that do not wait for each other run at the same time, for messages. */
  concurrency: string;
  /** Makefile targets (reached through `make <target>`). */
  targets?: Record<string, MakeTarget>;
  /** Dockerfile: the final stage's ENTRYPOINT and CMD, and where COPY puts single files (container path → repo path). */
  docker?: { entrypoint: DeployCommand[] | null; cmd: DeployCommand[] | null; copies: Record<string, string> };
  diagnostics: Diagnostic[];
}
