// Types of the validators scripts/gen-validators.js generates (ajv standalone code).
import type { ErrorObject } from 'ajv'

interface StandaloneValidator {
  (data: unknown): boolean
  errors?: ErrorObject[] | null
}

export const validateEntity: StandaloneValidator
export const validateFlavour: StandaloneValidator
