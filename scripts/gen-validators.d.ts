// Types of scripts/gen-validators.js, for the test that checks its output is committed.
/** The files it writes, each with the function that makes its code. */
export const OUTPUTS: Record<string, () => string>
export function generate(file: string): string
