/**
 * Column-level facts (ProjectFacts.shapes): Django fields → columns and resolved foreign keys, the
 * replayed migration state, SQLAlchemy columns and foreign keys, and Alembic revisions replayed.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { lint } from "../src/lint.js";
import { ownerShape } from "../src/graph/shapes.js";
import type { TableShape } from "../src/link/types.js";
import { tempDir } from "./helpers.js";

function project(files: Record<string, string>): string {
  const root = tempDir("columns");
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), text);
  }
  return root;
}

const cols = (s: TableShape | undefined) => Object.fromEntries((s?.columns ?? []).map((c) => [c.name, `${c.type?.base ?? "?"}${c.type?.length != null ? `(${c.type.length})` : ""}${c.nullable ? "?" : ""}${c.primaryKey ? "*" : ""}`]));
const fks = (s: TableShape | undefined) => Object.fromEntries((s?.foreignKeys ?? []).map((f) => [f.column, f.references ? `${f.references.name}.${f.referencedColumn ?? "?"}` : `null (${f.raw})`]));

const DJANGO = {
  "manage.py": "",
  "project/__init__.py": "",
  "project/settings.py": `INSTALLED_APPS = ["django.contrib.auth", "django.contrib.contenttypes", "accounts", "shop"]\nAUTH_USER_MODEL = "accounts.Member"\nDEFAULT_AUTO_FIELD = "django.db.models.AutoField"\n`,
  "accounts/__init__.py": "",
  "accounts/apps.py": `from django.apps import AppConfig\nclass AccountsConfig(AppConfig):\n    name = "accounts"\n    default_auto_field = "django.db.models.BigAutoField"\n`,
  "accounts/models.py": `from django.contrib.auth.models import AbstractUser\nfrom django.db import models\nclass Member(AbstractUser):\n    nickname = models.CharField(max_length=30, null=True)\n`,
  "shop/__init__.py": "",
  "shop/models.py": `from django.conf import settings
from django.db import models
from accounts.models import Member

class Stamped(models.Model):
    created = models.DateTimeField()
    class Meta:
        abstract = True

class Category(Stamped):
    parent = models.ForeignKey("self", null=True, on_delete=models.CASCADE)
    name = models.CharField(max_length=50, db_column="label")

class Product(Stamped):
    category = models.ForeignKey("shop.Category", on_delete=models.CASCADE)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    buyer = models.OneToOneField(Member, on_delete=models.CASCADE, related_name="+")
    tags = models.ManyToManyField(Category, related_name="+")
    price = models.DecimalField(max_digits=8, decimal_places=2)

class Book(Product):
    isbn = models.CharField(max_length=13)
`,
  "shop/migrations/__init__.py": "",
  "shop/migrations/0001_initial.py": `from django.db import migrations, models
class Migration(migrations.Migration):
    initial = True
    operations = [
        migrations.CreateModel(name="Category", fields=[
            ("id", models.AutoField(primary_key=True)),
            ("created", models.DateTimeField()),
            ("name", models.CharField(max_length=50, db_column="label")),
            ("old", models.IntegerField()),
            ("parent", models.ForeignKey(null=True, on_delete=models.CASCADE, to="shop.category")),
        ]),
    ]
`,
  "shop/migrations/0002_later.py": `from django.db import migrations, models
class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]
    operations = [
        migrations.AlterField(model_name="category", name="name", field=models.CharField(max_length=80, db_column="label")),
        migrations.RemoveField(model_name="category", name="old"),
        migrations.AddField(model_name="category", name="slug", field=models.SlugField()),
        migrations.RenameField(model_name="category", old_name="created", new_name="created_at"),
    ]
`,
};

describe("Django columns", () => {
  let shapes: TableShape[];
  let result: Awaited<ReturnType<typeof lint>>;
  beforeAll(async () => {
    result = await lint({ paths: [project(DJANGO)] });
    shapes = result.project.shapes;
  });
  const model = (t: string) => shapes.find((s) => s.source === "django-model" && s.table.name === t);

  test("implicit ids follow AppConfig.default_auto_field, then DEFAULT_AUTO_FIELD; abstract fields and db_column", () => {
    expect(cols(model("shop_category"))).toEqual({ id: "integer*", created: "timestamptz", parent_id: "integer?", label: "varchar(50)" });
    expect(cols(model("accounts_member"))).toMatchObject({ id: "bigint*", username: "varchar(150)", last_login: "timestamptz?", nickname: "varchar(30)?" });
  });

  test("foreign keys: self, app.Model, AUTH_USER_MODEL, a class; FK columns take the target key's type", () => {
    expect(fks(model("shop_category"))).toEqual({ parent_id: "shop_category.id" });
    expect(fks(model("shop_product"))).toEqual({ category_id: "shop_category.id", owner_id: "accounts_member.id", buyer_id: "accounts_member.id" });
    expect(cols(model("shop_product"))).toMatchObject({ owner_id: "bigint", buyer_id: "bigint", category_id: "integer" });
  });

  test("multi-table inheritance: <parent>_ptr_id is the key; M2M through tables", () => {
    expect(cols(model("shop_book"))).toEqual({ product_ptr_id: "integer*", isbn: "varchar(13)" });
    expect(fks(model("shop_book"))).toEqual({ product_ptr_id: "shop_product.id" });
    expect(fks(model("shop_product_tags"))).toEqual({ product_id: "shop_product.id", category_id: "shop_category.id" });
  });

  test("the migration state replays AlterField, RemoveField, AddField and RenameField", () => {
    const state = shapes.find((s) => s.source === "django-migrations" && s.table.name === "shop_category");
    expect(cols(state)).toEqual({ id: "integer*", created_at: "timestamptz", label: "varchar(80)", parent_id: "integer?", slug: "varchar(50)" });
    expect(fks(state)).toEqual({ parent_id: "shop_category.id" });
  });

  test("the owner's shape merges model and history: the model wins, history-only columns stay, disagreements listed", () => {
    const owner = ownerShape(result.graph, result.graph.table({ schema: null, name: "shop_category" })!)!;
    expect(owner.owner).toBe("django");
    expect(cols(owner.shape)).toEqual({ id: "integer*", created: "timestamptz", parent_id: "integer?", label: "varchar(50)", created_at: "timestamptz", slug: "varchar(50)" });
    expect(owner.disagreements.map((d) => `${d.column}: ${d.detail}`).sort()).toEqual([
      "created: the model declares it but no migration creates it (makemigrations pending?)",
      "created_at: the migration history has it but the model does not declare it",
      "label: the model makes it varchar(50), the migration history varchar(80)",
      "slug: the migration history has it but the model does not declare it",
    ]);
  });
});

const ALEMBIC = {
  "alembic.ini": "[alembic]\nscript_location = alembic\n",
  "alembic/env.py": "from alembic import context\nfrom api.models import Base\ntarget_metadata = Base.metadata\ncontext.configure(target_metadata=target_metadata)\n",
  "api/__init__.py": "",
  "api/models.py": `from typing import Optional
from sqlalchemy import BigInteger, Column, ForeignKey, ForeignKeyConstraint, Integer, MetaData, String, Table
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

class Base(DeclarativeBase):
    pass

mirrors = MetaData()
users = Table("auth_user", mirrors, Column("id", Integer, primary_key=True))

class Team(Base):
    __tablename__ = "teams"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    name: Mapped[Optional[str]] = mapped_column(String(40))

class Member(Base):
    __tablename__ = "members"
    __table_args__ = (ForeignKeyConstraint(["team_id"], ["teams.id"]),)
    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int]
    user_id: Mapped[int] = mapped_column(ForeignKey(users.c.id))
    lead_id: Mapped[Optional[int]] = mapped_column(ForeignKey(Team.id))
`,
  "alembic/versions/a1_first.py": `from alembic import op
import sqlalchemy as sa
revision = "a1"
down_revision = None
def upgrade():
    op.create_table("teams", sa.Column("id", sa.BigInteger(), nullable=False), sa.Column("name", sa.String(20)), sa.PrimaryKeyConstraint("id"))
    op.create_table("members", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("team_id", sa.BigInteger(), sa.ForeignKey("teams.id"), nullable=False))
`,
  "alembic/versions/a2_second.py": `from alembic import op
import sqlalchemy as sa
revision = "a2"
down_revision = "a1"
def upgrade():
    op.add_column("members", sa.Column("user_id", sa.Integer(), sa.ForeignKey("auth_user.id"), nullable=False))
    op.add_column("members", sa.Column("lead_id", sa.BigInteger(), nullable=True))
    op.create_foreign_key("fk_lead", "members", "teams", ["lead_id"], ["id"])
    op.alter_column("teams", "name", type_=sa.String(40), nullable=True)
    with op.batch_alter_table("teams") as batch_op:
        batch_op.alter_column("name", new_column_name="title")
`,
};

describe("SQLAlchemy and Alembic columns", () => {
  let shapes: TableShape[];
  beforeAll(async () => {
    shapes = (await lint({ paths: [project(ALEMBIC)] })).project.shapes;
  });
  const of = (source: TableShape["source"], t: string) => shapes.find((s) => s.source === source && s.table.name === t);

  test("mapped_column/Mapped: types from annotations, Optional nullability, FK columns typed from their target", () => {
    expect(cols(of("sqlalchemy", "members"))).toEqual({ id: "integer*", team_id: "integer", user_id: "integer", lead_id: "bigint?" });
    expect(fks(of("sqlalchemy", "members"))).toEqual({ team_id: "teams.id", user_id: "auth_user.id", lead_id: "teams.id" });
    expect(cols(of("sqlalchemy", "teams"))).toEqual({ id: "bigint*", name: "varchar(40)?" });
  });

  test("revisions replayed: create_table, add_column, create_foreign_key, alter_column, batch rename", () => {
    expect(cols(of("alembic-revisions", "teams"))).toEqual({ id: "bigint*", title: "varchar(40)?" });
    expect(cols(of("alembic-revisions", "members"))).toEqual({ id: "integer*", team_id: "bigint", user_id: "integer", lead_id: "bigint?" });
    expect(fks(of("alembic-revisions", "members"))).toEqual({ team_id: "teams.id", user_id: "auth_user.id", lead_id: "teams.id" });
  });
});
