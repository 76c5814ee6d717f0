/**
 * Folds a string for case-insensitive comparison of `caseExact: false` attributes (RFC 7643 §2.2),
 * approximating Unicode case folding with NFKC plus lower-casing. The filter evaluator and the
 * database's `*_folded` shadow columns must use this same function, so both sides agree.
 */
export function foldCase(s: string): string {
  return s.normalize('NFKC').toLowerCase()
}
