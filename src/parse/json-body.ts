import { AmshError } from '../errors.ts'
import type { JsonValue } from '../json.ts'
import { assertJsonDepth, jsonLineColumn, tooDeepAt, tooDeepError } from '../json-depth.ts'
import type { ParseError } from 'jsonc-parser'

// JSON.parse says what is wrong but, on Node 20, not always where. On failure, jsonc-parser
// (loaded only then) finds the exact offset, which becomes a line:column inside the JSON.

const EXPECTATIONS: Record<string, string> = {
  InvalidSymbol: 'an invalid character',
  InvalidNumberFormat: 'a malformed number',
  PropertyNameExpected: 'a property name in double quotes was expected',
  ValueExpected: 'a value was expected',
  ColonExpected: 'a ":" was expected',
  CommaExpected: 'a "," was expected',
  CloseBraceExpected: 'a "}" was expected',
  CloseBracketExpected: 'a "]" was expected',
  EndOfFileExpected: 'the JSON value has already ended',
  InvalidCommentToken: 'comments are not allowed in JSON',
  UnexpectedEndOfComment: 'comments are not allowed in JSON',
  UnexpectedEndOfString: 'a string is not closed',
  UnexpectedEndOfNumber: 'a number is cut short',
  InvalidUnicode: 'an invalid \\u escape',
  InvalidEscapeCharacter: 'an invalid escape in a string',
  InvalidCharacter: 'a control character inside a string (escape it)',
}

/**
 * Parses a JSON text; `source` names it in errors (e.g. "--body", "body.json"). A text nested
 * deeper than MAX_JSON_DEPTH is refused (E_PARSE), valid or not.
 */
export async function parseJson(text: string, source: string): Promise<JsonValue> {
  let value: JsonValue
  try {
    value = JSON.parse(text) as JsonValue
  } catch (err) {
    // jsonc-parser recurses: it reads no deeper than the limit, and an error it finds there
    // comes first; only the cut of the text may not count as one.
    const deep = tooDeepAt(text)
    const { parse, printParseErrorCode } = await import('jsonc-parser')
    const errors: ParseError[] = []
    const read = deep === undefined ? text : text.slice(0, deep)
    parse(read, errors, { disallowComments: true, allowTrailingComma: false })
    const first = errors.find((error) => deep === undefined || error.offset < deep)
    if (!first) {
      if (deep !== undefined) throw tooDeepError(text, deep, source)
      throw new AmshError('E_PARSE', `${source} is not valid JSON: ${(err as Error).message}`)
    }
    const { line, column } = jsonLineColumn(text, first.offset)
    const what = EXPECTATIONS[printParseErrorCode(first.error)] ?? 'invalid JSON'
    const empty = text.trim() === '' ? ' (it is empty)' : ''
    throw new AmshError(
      'E_PARSE',
      `${source} is not valid JSON at ${line}:${column}: ${what}${empty}`,
      {
        details: { line, column },
      }
    )
  }
  // Valid, but what recurses over it later (JSON.stringify, ajv) would overflow the stack.
  assertJsonDepth(text, source)
  return value
}
