// Types of scripts/gen-validators.js, for the test that checks its output is committed.
export function generate(): string
