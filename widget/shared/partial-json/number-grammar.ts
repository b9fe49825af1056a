/**
 * JSON's number grammar as a tiny state machine, one character at a time, so a
 * number split across chunks is checked as it arrives:
 *
 *   0 start  -> 1 `-`  -> 2 `0` | 3 digits -> 4 `.` -> 5 fraction
 *   -> 6 `e`/`E` -> 7 sign -> 8 exponent
 */

/** The state after `c`, or -1 if `c` cannot continue the number. */
export function numberStep(state: number, c: number): number {
  if (c >= 48 && c <= 57) {
    if (state < 2) return c === 48 ? 2 : 3;
    // A leading zero takes no more digits; `.` and `e` need a digit after them.
    if (state === 2) return -1;
    if (state === 4) return 5;
    return state > 5 ? 8 : state;
  }
  if (c === 45) return state === 0 ? 1 : state === 6 ? 7 : -1;
  if (c === 43) return state === 6 ? 7 : -1;
  if (c === 46) return state === 2 || state === 3 ? 4 : -1;
  if (c === 101 || c === 69) return state === 2 || state === 3 || state === 5 ? 6 : -1;
  return -1;
}

/** Whether a number may end in `state` (after a digit of the integer, fraction or exponent). */
export function isNumberEnd(state: number): boolean {
  return state === 2 || state === 3 || state === 5 || state === 8;
}
