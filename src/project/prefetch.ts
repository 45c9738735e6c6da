/**
 * The files that Django's model modules import, transitively: the linker loads them all (Django imports
 * every app's models module, and whatever it imports, before it knows any table), and most of them are
 * files the prefilter passed over. Parsed one by one when the linker asks, they are a long single-threaded
 * stretch on a large project (1.6 MB on saleor), so when the scan has worker threads running, they are
 * parsed ahead, in rounds shared with the workers: each round scans the files the closure has reached
 * that nobody has parsed yet, then follows their imports.
 *
 * This only decides what to parse early. What the linker loads, and in which order, stays its own.
 */

/** Models modules by their file name: where the closure starts (a superset of the installed apps' own). */
export function modelsModules(pythonFiles: string[]): string[] {
  return pythonFiles.filter((f) => f === "models.py" || f.endsWith("/models.py") || f === "models/__init__.py" || f.endsWith("/models/__init__.py"));
}

/**
 * Walk the import closure of `roots`. `imports(file)`: the project files it imports, or null while its
 * facts are not known; `parse(files)` makes them known (a file it cannot parse then imports nothing).
 * Returns the files parsed, in rounds.
 */
export async function prefetchClosure(roots: string[], imports: (file: string) => string[] | null, parse: (files: string[]) => Promise<void>): Promise<string[][]> {
  const seen = new Set(roots);
  const tried = new Set<string>();
  const rounds: string[][] = [];
  let queue = [...seen];
  while (queue.length > 0) {
    const pending: string[] = [];
    for (let i = 0; i < queue.length; i++) {
      const file = queue[i]!;
      const next = imports(file);
      if (next === null) {
        if (!tried.has(file)) pending.push(file); // else: parsing it gave nothing to follow
        continue;
      }
      for (const n of next) {
        if (seen.has(n)) continue;
        seen.add(n);
        queue.push(n);
      }
    }
    if (pending.length === 0) break;
    for (const f of pending) tried.add(f);
    await parse(pending);
    rounds.push(pending);
    queue = [...pending]; // parsed now: their imports are followed in the next round
  }
  return rounds;
}
