/**
 * Edit distance (optimal string alignment: insertions, deletions, substitutions and
 * transpositions of neighbours), compared case-insensitively so `MaxAttempts` is close to
 * `maxAttempts`.
 */
function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  const rows = s.length + 1;
  const cols = t.length + 1;
  const d: number[] = new Array<number>(rows * cols).fill(0);
  const at = (i: number, j: number): number => d[i * cols + j] ?? 0;
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) {
        best = Math.min(best, at(i - 2, j - 2) + 1);
      }
      d[i * cols + j] = best;
    }
  }
  return at(rows - 1, cols - 1);
}

/** Words longer than this get no "did you mean" (the longest setting or variable name is far shorter). */
const MAX_SUGGESTED_LENGTH = 96;

/**
 * The candidate closest to `word`, if it is close enough to be a plausible typo: at most a
 * third of the word's length (and at least 1, at most 3) edits away.
 */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  // The table costs length × length: a word longer than any setting name is no typo of one.
  if (word.length > MAX_SUGGESTED_LENGTH) return undefined;
  const limit = Math.min(3, Math.max(1, Math.floor(word.length / 3)));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    // Lengths further apart than the limit are at least that many edits apart.
    if (candidate.length > MAX_SUGGESTED_LENGTH) continue;
    if (Math.abs(candidate.length - word.length) > limit) continue;
    const distance = editDistance(word, candidate);
    if (distance < bestDistance && distance <= limit) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}
