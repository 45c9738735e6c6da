/**
 * Deterministic synthetic shared-schema monorepos for the benchmark: Django apps with models and
 * migration histories, an SQLAlchemy package with an Alembic history, and ordinary Python code around
 * them (views, services, tests) that the prefilter should pass over. Same size → same bytes.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";

export interface Size {
  name: string;
  pyFiles: number;
  djangoMigrations: number;
  alembicRevisions: number;
  sqlaModels: number;
}

export const SIZES: Size[] = [
  { name: "medium", pyFiles: 2_000, djangoMigrations: 300, alembicRevisions: 50, sqlaModels: 60 },
  { name: "large", pyFiles: 20_000, djangoMigrations: 3_000, alembicRevisions: 500, sqlaModels: 300 },
];

function write(root: string, rel: string, text: string): void {
  const file = path.join(root, rel);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
}

/** Write one project into `root`; returns the number of .py files written. */
export function generate(root: string, size: Size): number {
  let files = 0;
  const py = (rel: string, text: string) => {
    write(root, rel, text);
    files++;
  };
  const apps = Math.max(2, Math.round(size.djangoMigrations / 10));
  const appNames = Array.from({ length: apps }, (_, i) => `app${String(i).padStart(4, "0")}`);
  py("manage.py", 'import os\nimport sys\n\nif __name__ == "__main__":\n    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")\n');
  py("project/__init__.py", "");
  py(
    "project/settings.py",
    `INSTALLED_APPS = [\n    "django.contrib.auth",\n    "django.contrib.contenttypes",\n    "django.contrib.sessions",\n${appNames.map((a) => `    "apps.${a}",`).join("\n")}\n]\nDEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"\n`,
  );
  py("apps/__init__.py", "");
  const perApp = Math.ceil(size.djangoMigrations / apps);
  appNames.forEach((app, ai) => {
    py(`apps/${app}/__init__.py`, "");
    py(`apps/${app}/apps.py`, `from django.apps import AppConfig\n\n\nclass Config(AppConfig):\n    name = "apps.${app}"\n`);
    const models: string[] = ["from django.db import models\n"];
    for (let m = 0; m < 4; m++) {
      models.push(
        `\nclass Item${m}(models.Model):\n    name = models.CharField(max_length=100)\n    note = models.TextField(blank=True)\n` +
          (m > 0 ? `    parent = models.ForeignKey("Item${m - 1}", on_delete=models.CASCADE)\n` : "") +
          (m === 3 ? `    tags = models.ManyToManyField("Item0", related_name="tagged_${ai}")\n` : "") +
          `\n    def __str__(self):\n        return self.name\n`,
      );
    }
    py(`apps/${app}/models.py`, models.join(""));
    py(`apps/${app}/migrations/__init__.py`, "");
    for (let k = 1; k <= perApp; k++) {
      const name = `${String(k).padStart(4, "0")}_${k === 1 ? "initial" : `change_${k}`}`;
      const deps = k === 1 ? "" : `("${app}", "${String(k - 1).padStart(4, "0")}_${k === 2 ? "initial" : `change_${k - 1}`}")`;
      const ops =
        k === 1
          ? [0, 1, 2, 3].map((m) => `        migrations.CreateModel(name="Item${m}", fields=[("id", models.BigAutoField(primary_key=True)), ("name", models.CharField(max_length=100))]),`).join("\n")
          : `        migrations.AddField(model_name="item${k % 4}", name="f${k}", field=models.IntegerField(default=0)),`;
      py(`apps/${app}/migrations/${name}.py`, `from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n    dependencies = [${deps}]\n\n    operations = [\n${ops}\n    ]\n`);
    }
  });
  // SQLAlchemy + Alembic.
  py("api/__init__.py", "");
  py("api/db.py", "from sqlalchemy import MetaData\nfrom sqlalchemy.orm import declarative_base\n\nBase = declarative_base()\nmirrors = MetaData()\n");
  const modelFiles = Math.max(1, Math.ceil(size.sqlaModels / 10));
  for (let f = 0; f < modelFiles; f++) {
    const body = ["from sqlalchemy import Column, ForeignKey, Integer, String\n\nfrom api.db import Base\n"];
    for (let m = f * 10; m < Math.min(size.sqlaModels, (f + 1) * 10); m++) {
      body.push(`\nclass Api${m}(Base):\n    __tablename__ = "api_${m}"\n\n    id = Column(Integer, primary_key=True)\n    label = Column(String(50), nullable=False)\n`);
    }
    py(`api/models/m${f}.py`, body.join(""));
  }
  py("api/models/__init__.py", Array.from({ length: modelFiles }, (_, f) => `from api.models.m${f} import *  # noqa\n`).join(""));
  write(root, "alembic.ini", "[alembic]\nscript_location = alembic\n");
  py(
    "alembic/env.py",
    "from alembic import context\nfrom api.db import Base\nimport api.models  # noqa\n\ntarget_metadata = Base.metadata\n\n\ndef include_object(object, name, type_, reflected, compare_to):\n    if type_ == \"table\" and reflected and compare_to is None:\n        return False\n    return True\n\n\ndef run_migrations_online():\n    context.configure(connection=None, target_metadata=target_metadata, include_object=include_object)\n",
  );
  for (let r = 0; r < size.alembicRevisions; r++) {
    const table = `api_${r % Math.max(1, size.sqlaModels)}`;
    const op = r < size.sqlaModels ? `op.create_table("${table}", sa.Column("id", sa.Integer(), primary_key=True))` : `op.add_column("${table}", sa.Column("c${r}", sa.Integer()))`;
    py(
      `alembic/versions/${String(r).padStart(4, "0")}_rev.py`,
      `from alembic import op\nimport sqlalchemy as sa\n\nrevision = "r${r}"\ndown_revision = ${r === 0 ? "None" : `"r${r - 1}"`}\nbranch_labels = None\ndepends_on = None\n\n\ndef upgrade():\n    ${op}\n\n\ndef downgrade():\n    pass\n`,
    );
  }
  // Ordinary code around them, in deep import chains.
  let n = 0;
  while (files < size.pyFiles) {
    const pkg = `services/s${Math.floor(n / 50)}`;
    if (n % 50 === 0) py(`${pkg}/__init__.py`, "");
    const prev = n % 50 === 0 ? "" : `from ${pkg.replace(/\//g, ".")}.mod${n - 1} import helper_${n - 1}\n`;
    py(
      `${pkg}/mod${n}.py`,
      `"""Service module ${n}."""\nimport json\nimport logging\n${prev}\nlog = logging.getLogger(__name__)\n\n\ndef helper_${n}(payload):\n    data = json.loads(payload)\n    for key, value in sorted(data.items()):\n        log.debug("%s=%s", key, value)\n    return {k: str(v) for k, v in data.items() if v is not None}\n\n\nclass Handler${n}:\n    def __init__(self, client):\n        self.client = client\n\n    def run(self, items):\n        results = []\n        for item in items:\n            if item.get("active"):\n                results.append(helper_${n}(json.dumps(item)))\n        return results\n`,
    );
    n++;
  }
  return files;
}
