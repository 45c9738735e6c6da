/**
 * ModuleIndex answers dotted names from an index it builds on first use. The order of a name's
 * candidate files decides which file an import means when nothing else does (`from` is null, or no
 * file shares a folder with the importer), so it is pinned here: the first file in discovery order,
 * preceded by the later files whose preferred name it is (the later, the earlier) and followed by
 * the other files in discovery order.
 */
import { ModuleIndex } from "../src/link/modules.js";

const FILES = [
  "other/pkg/models.py",
  "svc/a/pkg/__init__.py",
  "svc/a/pkg/models.py",
  "src/pkg/models.py",
  "svc/b/pkg/__init__.py",
  "svc/b/pkg/models.py",
  "svc/c/pkg/__init__.py",
  "svc/c/pkg/models/__init__.py",
  "1st/mod.py",
  "x-y/pkg/models.py",
  "__init__.py",
];

describe("ModuleIndex", () => {
  const index = new ModuleIndex(FILES, () => null);

  test("preferred names walk up to the outermost package", () => {
    expect(FILES.map((f) => index.moduleName(f))).toEqual(["models", "pkg", "pkg.models", "models", "pkg", "pkg.models", "pkg", "pkg.models", "mod", "models", "__init__"]);
  });

  test("without an importer, files whose preferred name it is come first, the latest first", () => {
    // pkg.models is the preferred name of svc/{a,b,c}/pkg/models; other/pkg/models.py is the first file.
    expect(index.resolveModule("pkg.models", null)).toBe("svc/c/pkg/models/__init__.py");
    // models is the preferred name of src/pkg/models.py and x-y/pkg/models.py, not of the first file.
    expect(index.resolveModule("models", null)).toBe("x-y/pkg/models.py");
    expect(index.resolveModule("pkg", null)).toBe("svc/c/pkg/__init__.py");
  });

  test("with an importer, the file sharing the most folders with it", () => {
    expect(index.resolveModule("pkg.models", "svc/b/pkg/views.py")).toBe("svc/b/pkg/models.py");
    expect(index.resolveModule("pkg.models", "other/pkg/x.py")).toBe("other/pkg/models.py");
    expect(index.resolveModule("pkg.models", "x-y/pkg/x.py")).toBe("x-y/pkg/models.py");
  });

  test("every suffix of word parts is a name; others are not", () => {
    expect(index.resolveModule("svc.a.pkg.models", null)).toBe("svc/a/pkg/models.py");
    expect(index.resolveModule("a.pkg.models", null)).toBe("svc/a/pkg/models.py");
    expect(index.resolveModule("c.pkg.models", null)).toBe("svc/c/pkg/models/__init__.py");
    expect(index.resolveModule("src.pkg.models", null)).toBe("src/pkg/models.py");
    expect(index.resolveModule("mod", null)).toBe("1st/mod.py");
    // A part that does not start like an identifier, or holds other characters, ends the names.
    expect(index.resolveModule("1st.mod", null)).toBeNull();
    expect(index.resolveModule("x-y.pkg.models", null)).toBeNull();
    expect(index.resolveModule("y.pkg.models", null)).toBeNull();
    expect(index.resolveModule("__init__", null)).toBeNull();
    expect(index.resolveModule("nope", null)).toBeNull();
  });

  test("folders holding Python files, at any depth", () => {
    expect(["svc", "svc/a", "svc/a/pkg", "nope", "."].map((d) => index.hasDir(d))).toEqual([true, true, true, false, true]);
  });
});
