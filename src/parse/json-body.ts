import { AmshError } from '../errors.ts'
import type { JsonValue } from '../json.ts'
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

function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset)
  const line = before.split('\n').length
  return { line, column: offset - before.lastIndexOf('\n') }
}

/** Parses a JSON text; `source` names it in errors (e.g. "--body", "body.json"). */
export async function parseJson(text: string, source: string): Promise<JsonValue> {
  try {
    return JSON.parse(text) as JsonValue
  } catch (err) {
    const { parse, printParseErrorCode } = await import('jsonc-parser')
    const errors: ParseError[] = []
    parse(text, errors, { disallowComments: true, allowTrailingComma: false })
    const first = errors[0]
    if (!first) {
      throw new AmshError('E_PARSE', `${source} is not valid JSON: ${(err as Error).message}`)
    }
    const { line, column } = lineColumn(text, first.offset)
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
}
