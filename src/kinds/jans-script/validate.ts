import type { EntityDef } from '../../catalog/catalog.ts'
import { checkSource, type ScriptLanguage } from '../../catalog/syntax/index.ts'
import { AmshError } from '../../errors.ts'
import type { JsonObject, JsonValue } from '../../json.ts'

// `action CustomScripts --actionName validate`: Janssen has no such endpoint, so amsh answers it
// itself, the same way on the local store and in front of a real Janssen, in the shape of AM's
// validate ({success} or {success:false, errors:[{line,column,message}]}).

const LANGUAGES = ['python', 'java']

/** Whether a custom script's source parses, as the result of the validate action. */
export async function validateCustomScript(
  entity: EntityDef,
  body: JsonObject
): Promise<JsonValue> {
  const { script } = body
  if (typeof script !== 'string') {
    throw new AmshError(
      'E_INVALID',
      `${entity.name} validate needs the source in "script", as text`
    )
  }
  const language =
    typeof body.programmingLanguage === 'string' ? body.programmingLanguage.toLowerCase() : ''
  if (!LANGUAGES.includes(language)) {
    throw new AmshError(
      'E_INVALID',
      `${entity.name} validate: programmingLanguage is ${JSON.stringify(body.programmingLanguage ?? null)}; Janssen's are ${LANGUAGES.join(' and ')}`
    )
  }
  const problems = await checkSource(language.toUpperCase() as ScriptLanguage, script)
  return problems.length === 0
    ? { success: true }
    : {
        success: false,
        errors: problems.map((p) => ({ line: p.line, column: p.column, message: p.message })),
      }
}
