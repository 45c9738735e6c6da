/** The catalogue of apps outside the project (`django-apps.json`), read once per lint run. */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export interface CatalogTable {
  name: string;
  model: string;
  swappable?: string;
}

export interface Catalog {
  /** `tables: null`: version-dependent, reported as unknown. */
  apps: Record<string, { label: string; tables: CatalogTable[] | null; note?: string }>;
}

/** The package root, found from this module whether it runs from src/ or dist/src/. */
export function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, "package.json"))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error("tablewarden: cannot find its package.json");
    dir = up;
  }
  return dir;
}

export function loadCatalog(): Catalog {
  const file = path.join(packageRoot(), "src", "data", "django-apps.json");
  return JSON.parse(readFileSync(file, "utf8")) as Catalog;
}
