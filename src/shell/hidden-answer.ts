import type { Interface } from 'node:readline'

// Readline echoes what is typed through one internal method. While a hidden answer (a password)
// is typed, only the question and the final newline get through it.

interface ReadlineInternals {
  _writeToOutput(text: string): void
}

/** Hides what is typed in answer to `question` on `rl`; the function returned shows it again. */
export function hideAnswer(rl: Interface, question: string): () => void {
  const internals = rl as unknown as ReadlineInternals
  const write = internals._writeToOutput
  internals._writeToOutput = (text: string) => {
    if (text.startsWith(question)) write.call(rl, question)
    else if (text.includes('\n')) write.call(rl, '\n')
  }
  return () => {
    internals._writeToOutput = write
  }
}
