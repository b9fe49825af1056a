/** The faults the hostile provider (openai-hostile.ts) acts out: faults a well-behaved one never shows. */
export const HOSTILE_FAULTS = [
  'error-mid-continue',
  'garbage-continue',
  'done-hold',
  'stall-first',
  'html-200',
  'json-200',
  'ignore-max-tokens',
  'impossible-usage',
  'bare-cr',
  'echo-error',
  'echo-error-mid',
] as const;
