// Types of the validators scripts/gen-validators.js generates (ajv standalone code).
import type { ValidateFunction } from 'ajv'

/** Each schema below schemas/, by the key schemaValidator() takes (`Scripts/create`). */
export const validators: Record<string, ValidateFunction | undefined>
