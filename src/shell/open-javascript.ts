// Whether JavaScript text is certainly unfinished, read as it grows, one physical line at a time:
// an open bracket, string, template or block comment. Joining a statement of N lines asks after
// each line whether it is complete, and asking acorn each time costs the whole text: N lines
// would cost N² work. While this scanner is sure the text is still open, acorn need not be asked.
// It only ever says "open" when no reading of the text could close it; anything it cannot be
// sure of (a `/` that may start a regular expression, a backslash outside a string) makes it
// stop answering, and the caller asks acorn as before.

type Context = 'code' | "'" | '"' | '`' | 'block'

export class OpenJavaScript {
  /** What the text is inside, innermost last; a code context opened by `${` is marked by it. */
  readonly #stack: { context: Context; closer?: string }[] = [{ context: 'code' }]
  #unsure = false

  /** Whether the text so far cannot be a finished statement. */
  get certainlyOpen(): boolean {
    return !this.#unsure && this.#stack.length > 1
  }

  /** Reads more of the text (a physical line and the newline before it). */
  feed(text: string): void {
    const stack = this.#stack
    for (let i = 0; i < text.length && !this.#unsure; i++) {
      const ch = text[i]!
      const top = stack[stack.length - 1]!
      switch (top.context) {
        case 'block':
          if (ch === '*' && text[i + 1] === '/') {
            stack.pop()
            i++
          }
          break
        case "'":
        case '"':
          if (ch === '\\') i++
          else if (ch === top.context) stack.pop()
          // A plain string cannot run past the end of its line.
          else if (ch === '\n') this.#unsure = true
          break
        case '`':
          if (ch === '\\') i++
          else if (ch === '`') stack.pop()
          else if (ch === '$' && text[i + 1] === '{') {
            stack.push({ context: 'code', closer: '}' })
            i++
          }
          break
        case 'code':
          i = this.#code(text, i)
          break
      }
    }
  }

  /** One character of code at `i`; returns the index of the last character it used. */
  #code(text: string, i: number): number {
    const stack = this.#stack
    const ch = text[i]!
    switch (ch) {
      case "'":
      case '"':
      case '`':
        stack.push({ context: ch })
        return i
      case '/':
        if (text[i + 1] === '*') {
          stack.push({ context: 'block' })
          return i + 1
        }
        if (text[i + 1] === '/') {
          const end = text.indexOf('\n', i)
          return end < 0 ? text.length : end - 1
        }
        // Division or a regular expression: only a parser can tell.
        this.#unsure = true
        return i
      case '\\':
        this.#unsure = true
        return i
      case '(':
      case '[':
      case '{':
        stack.push({ context: 'code', closer: { '(': ')', '[': ']', '{': '}' }[ch] })
        return i
      case ')':
      case ']':
      case '}': {
        const top = stack[stack.length - 1]!
        // A closer that closes nothing open is a syntax error acorn should name.
        if (top.closer !== ch) this.#unsure = true
        else stack.pop()
        return i
      }
      default:
        return i
    }
  }
}
