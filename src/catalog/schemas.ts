import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Ajv as AjvInstance, ErrorObject, ValidateFunction } from 'ajv'
import { packageRoot } from '../paths.ts'

// The schemas below schemas/ are compiled at build time (scripts/gen-validators.js): a run loads
// their code on the first body it checks. ajv itself is imported here and nowhere else, for a
// schema the build did not compile (tests' own), once per schema and process.

let ajv: AjvInstance | undefined
const compiled = new Map<string, ValidateFunction>()

async function instance(): Promise<AjvInstance> {
  if (!ajv) {
    // `default` is the Ajv class both under Node's CommonJS interop and in the esbuild bundle.
    const ajvModule = await import('ajv')
    const Ajv = ajvModule.default as unknown as typeof ajvModule.Ajv
    ajv = new Ajv({ allErrors: true, strict: true })
  }
  return ajv
}

export async function schemaValidator(key: string): Promise<ValidateFunction> {
  let validate = compiled.get(key)
  if (!validate) validate = (await import('./body-validators.generated.js')).validators[key]
  if (!validate) {
    const schema = JSON.parse(
      readFileSync(join(packageRoot(), 'schemas', `${key}.json`), 'utf8')
    ) as object
    validate = (await instance()).compile(schema)
    compiled.set(key, validate)
  }
  return validate
}

/** A problem with a body: where (JSON pointer) and what is wrong, in words a person can act on. */
export interface BodyProblem {
  pointer: string
  message: string
}

export function describeSchemaErrors(errors: ErrorObject[]): BodyProblem[] {
  return errors.map((error) => {
    const params = error.params as Record<string, unknown>
    switch (error.keyword) {
      case 'required':
        return {
          pointer: `${error.instancePath}/${String(params.missingProperty)}`,
          message: 'is required',
        }
      case 'type':
        return {
          pointer: error.instancePath || '/',
          message: `must be of type ${String(params.type)}`,
        }
      case 'enum':
        return {
          pointer: error.instancePath || '/',
          message: `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`,
        }
      case 'additionalProperties':
        return {
          pointer: `${error.instancePath}/${String(params.additionalProperty)}`,
          message: 'is not an allowed property',
        }
      default:
        return { pointer: error.instancePath || '/', message: error.message ?? error.keyword }
    }
  })
}
