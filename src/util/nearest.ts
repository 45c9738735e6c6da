/** "Did you mean" for names given by users: the closest known name by edit distance, if close enough. */

export function levenshtein(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++)
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
  return d[a.length]![b.length]!;
}

/** The closest of `choices` to `word`, or null when none is within a third of its length (at least 3 edits). */
export function nearest(word: string, choices: readonly string[]): string | null {
  let best: string | null = null;
  let bestD = Infinity;
  for (const c of choices) {
    const d = levenshtein(word, c);
    if (d < bestD) [best, bestD] = [c, d];
  }
  return bestD <= Math.max(3, Math.floor(word.length / 3)) ? best : null;
}
