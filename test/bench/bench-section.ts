/**
 * What one benchmark module returns to `test/bench/run.ts`, which prints every section
 * and writes them all to `docs/benchmarks.md` with the machine they ran on.
 *
 * Each bench module under `test/bench/` default-exports `() => Promise<BenchSection>`.
 * Figures compare against a baseline measured in the same run (ratios), because the
 * machines are shared and noisy.
 */
export interface BenchSection {
  /** Heading in docs/benchmarks.md, e.g. "Partial JSON parser". */
  title: string;
  /** One paragraph: what was measured, how, and against which baseline. */
  method: string;
  columns: string[];
  rows: Array<Array<string | number>>;
  /** Budget verdicts, e.g. "500 KB total 41 ms (budget 200 ms): PASS". */
  verdicts: string[];
  /** More tables from the same run (they share its setup), each printed under its own `###` heading. */
  more?: BenchSection[];
}
