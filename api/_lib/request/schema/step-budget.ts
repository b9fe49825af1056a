/** Thrown when one check of an answer has used up its steps. */
export class StepBudgetExceeded extends Error {
  override name = 'StepBudgetExceeded';
}

/**
 * A count of work left for one validation. The validator spends a step per subschema
 * visit (counted where it reads the subschema) and per 64 characters a pattern reads.
 */
export class StepBudget {
  #left = Number.POSITIVE_INFINITY;
  #used = 0;
  /**
   * Extra steps a `uniqueItems` visit costs in this check: the validator compares every
   * pair of items (quadratic), so it is charged for the answer's longest array.
   */
  uniqueItemsCharge = 0;

  /** Starts a new check with `steps` steps. */
  reset(steps: number): void {
    this.#left = steps;
    this.#used = 0;
  }

  /** Steps spent since the last reset. */
  get used(): number {
    return this.#used;
  }

  spend(steps: number): void {
    this.#used += steps;
    this.#left -= steps;
    if (this.#left < 0) throw new StepBudgetExceeded('The schema check ran out of steps.');
  }
}
