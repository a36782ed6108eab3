import { existsSync, readFileSync, statSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { Command, CommanderError, Option } from 'commander'
import { DEFAULT_PRODUCT, getProfile, parseProduct, PRODUCTS } from './catalog/profiles.ts'
import { AmshError, toAmshError } from './errors.ts'
import { rollBack } from './journal/compensate.ts'
import { redactText } from './journal/images.ts'
import { Journal, localPlace } from './journal/journal.ts'
import { paintError } from './output/colour.ts'
import { OUTPUT_FORMATS, parseOutputFormat, styleFor } from './output/format.ts'
import { amshHome, packageRoot } from './paths.ts'
import { Batch, type ErrorPolicy } from './shell/batch.ts'
import { Connector } from './shell/connect.ts'
import { Session } from './shell/session.ts'
import { stdout, writeStderr } from './output/buffered.ts'
import { openTransport } from './transport/open.ts'
import { PlanTransport } from './transport/plan.ts'
import type { LocalStore } from './transport/local/store.ts'
import type { Transport } from './transport/types.ts'

// The composition root: reads the command line, opens the store, picks the front end (REPL,
// files, -c, stdin) and returns the exit status. Nothing below this module exits the process.

interface CliOptions {
  command: string[]
  D: string[]
  quiet?: boolean
  output?: string
  store?: string
  product: string
  onError: string
  interactive?: boolean
  profile?: string
  atomic?: boolean
  dryRun?: boolean
  debug?: boolean
  /** False with --no-color. */
  color: boolean
}

function version(): string {
  const pkg = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as {
    version: string
  }
  return pkg.version
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value]
}

function program(): Command {
  return new Command('amsh')
    .description(
      'An Amster-compatible shell for AM / PingAM / Identity Cloud scripts.\n' +
        'Without files or -c it opens the am> prompt (or reads commands from piped stdin).'
    )
    .argument('[files...]', 'batch files of commands to run, in order')
    .option('-c, --command <line>', 'run a command line and exit (repeatable)', collect, [])
    .option(
      '-D <name=value>',
      'define a property for the batch (repeatable; also -Dname=value); name=@file reads the value from a file and name=@env:VAR from the environment, so that a secret is not on the command line (@@ for a value starting with @)',
      collect,
      []
    )
    .option('-q, --quiet', 'print no banner or hints, only results and errors')
    .addOption(
      new Option(
        '-o, --output <format>',
        'output format (default json; at the prompt, a table for entities listed so)'
      ).choices(OUTPUT_FORMATS)
    )
    .option('--no-color', 'no colours, even on a terminal (NO_COLOR=1 says the same)')
    .option('--store <path>', 'the local store file (default: $AMSH_HOME/store.db)')
    .option(
      '--profile <name>',
      'connect first to a saved connection (amsh profile --help); also AMSH_PROFILE'
    )
    .addOption(
      new Option('--product <name>', 'the product whose rules bodies are checked against')
        .choices(PRODUCTS)
        .default(DEFAULT_PRODUCT)
    )
    .addOption(
      new Option(
        '--on-error <policy>',
        'in a batch: stop at the first failure (exit 3) or continue (exit 1)'
      )
        .choices(['stop', 'continue'])
        .default('stop')
    )
    .option('--atomic', 'run the whole batch as one transaction: all its changes are kept, or none')
    .option(
      '--dry-run',
      'run the batch on a copy of the store in memory: check every command and print what would change, changing nothing'
    )
    .option('-i, --interactive', 'open the prompt even when stdin is not a terminal')
    .option(
      '--debug',
      'show the stack trace of an error thrown by a JavaScript line, and each HTTP exchange as a curl command (secrets masked)'
    )
    .version(version(), '--version', 'print the version')
    .helpOption('-h, --help', 'show this help')
    .showHelpAfterError('(amsh --help lists the options)')
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) })
    .addHelpText(
      'after',
      `
Exit status: 0 all commands succeeded; 1 some failed (--on-error continue);
             2 bad invocation or syntax; 3 a batch stopped at its first failure.

Serving the local store over AM's REST API: amsh serve --help
Saved connections to AM servers:             amsh profile --help
Comparing two stores, servers or exports:    amsh diff --help
Tab completion for bash or zsh:              eval "$(amsh completion bash)"

Examples:
  amsh                                          the am> prompt on the local store
  amsh -c 'query Scripts --realm / --filter true'
  amsh setup.amster -D realm=/alpha             run a batch file
  amsh < setup.amster                           the same from stdin`
    )
}

/**
 * -D name=value. Two forms keep a secret off the command line, where `ps` and the shell's
 * history would show it: `name=@file` (the file's text, one final line break dropped) and
 * `name=@env:VAR` (an environment variable's value). `@@` stands for a value starting with `@`.
 */
function parseProperties(
  definitions: string[],
  env: NodeJS.ProcessEnv = process.env
): Map<string, string> {
  const properties = new Map<string, string>()
  for (const definition of definitions) {
    const eq = definition.indexOf('=')
    if (eq <= 0) {
      throw new AmshError(
        'E_USAGE',
        `-D ${definition}: a property is written name=value (e.g. -D AM_URL=https://am.example.com/am), name=@file or name=@env:VAR`
      )
    }
    const name = definition.slice(0, eq)
    properties.set(name, propertyValue(name, definition.slice(eq + 1), env))
  }
  return properties
}

function propertyValue(name: string, value: string, env: NodeJS.ProcessEnv): string {
  if (!value.startsWith('@')) return value
  if (value.startsWith('@@')) return value.slice(1)
  // The message names the reference, never a value.
  const problem = (why: string) =>
    new AmshError(
      'E_USAGE',
      `-D ${name}=${value}: ${why} (-D name=@file reads a file, name=@env:VAR a variable, name=@@text is the text @text)`
    )
  if (value.startsWith('@env:')) {
    const variable = value.slice('@env:'.length)
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(variable)) {
      throw problem(`"${variable}" is not the name of an environment variable`)
    }
    const found = env[variable]
    if (found === undefined) throw problem(`the environment variable ${variable} is not set`)
    return found
  }
  const file = value.slice(1)
  if (file === '') throw problem('name the file after @')
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    throw problem(
      `cannot read ${resolve(file)}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : (err as Error).message}`
    )
  }
  return text.replace(/\r?\n$/, '')
}

/** Colour is on where the terminal shows it, unless --no-color (or NO_COLOR) says otherwise. */
const colour = { on: true }

const io = {
  out: (text: string) => stdout.write(`${text}\n`),
  err: (text: string) =>
    writeStderr(`${styleFor(process.stderr, colour.on).color ? paintError(text) : text}\n`),
}

/**
 * A reader that stops early (`amsh ... | head -1`) closes the pipe, and the next write fails with
 * EPIPE: an 'error' event on the stream, which unhandled ends node with a stack trace. Like a
 * program that SIGPIPE ends, amsh stops right there, quietly; unlike one, it exits 0, as the
 * reader has what it wanted (so `set -o pipefail` scripts do not fail on `| head`).
 */
function endQuietlyWhenOutputCloses(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(0)
      throw err
    })
  }
}

/**
 * All of stdin, read as a stream: readFileSync(0) fails with EAGAIN when a pipe's writer is
 * slower than the read (a megabyte printed into the pipe by a shell).
 */
async function readStdin(): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

/** An argument as a shell would take it back, for the journal's record of the command line. */
function shellQuoted(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`
}

/** Runs amsh with the given arguments and resolves to the exit status. */
export async function main(argv: string[]): Promise<number> {
  endQuietlyWhenOutputCloses()
  if (argv[0] === 'serve') {
    const { serveMain } = await import('./server/main.ts')
    return serveMain(argv.slice(1))
  }
  if (argv[0] === 'diff') {
    const { diffMain } = await import('./migrate/diff-command.ts')
    return diffMain(argv.slice(1))
  }
  if (argv[0] === 'completion') {
    const { completionMain } = await import('./cli-completion.ts')
    return completionMain(argv.slice(1), program())
  }
  if (argv[0] === 'profile') {
    const { profileMain } = await import('./config/profile-command.ts')
    return profileMain(argv.slice(1))
  }
  const cli = program()
  try {
    cli.parse(argv, { from: 'user' })
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2
    const error = toAmshError(err)
    writeStderr(`${error.format()}\n`)
    return error.exitCode
  }
  const options = cli.opts<CliOptions>()
  colour.on = options.color
  const files = cli.args

  let store: LocalStore | undefined
  let session: Session | undefined
  let journal: Journal | undefined
  try {
    if (files.length > 0 && options.command.length > 0) {
      throw new AmshError('E_USAGE', 'give batch files or -c commands, not both')
    }
    // A batch file named here that is not there is a bad invocation (exit 2), as a mistyped
    // option is: found before anything runs or any store is opened. (A :load of a missing file
    // is a failing line of its batch.)
    for (const file of files) {
      const reason = !existsSync(file)
        ? 'no such file'
        : statSync(file).isDirectory()
          ? 'it is a folder'
          : undefined
      if (reason)
        throw new AmshError('E_USAGE', `cannot read batch file ${resolve(file)}: ${reason}`)
    }
    const properties = parseProperties(options.D)
    const product = parseProduct(options.product)
    const output = options.output === undefined ? undefined : parseOutputFormat(options.output)
    const home = amshHome()
    const interactive =
      options.interactive ??
      (files.length === 0 && options.command.length === 0 && process.stdin.isTTY)
    const batchOnly = options.atomic ? '--atomic' : options.dryRun ? '--dry-run' : undefined
    if (interactive && batchOnly) {
      throw new AmshError(
        'E_USAGE',
        `${batchOnly} applies to batches (files, -c, stdin), not the prompt`
      )
    }
    // A dry run works on a copy of the store in memory: every command meets the real state and
    // the changes of the commands before it, and the store itself is never written.
    const storePath = options.store ?? join(home, 'store.db')
    store = await openTransport({
      kind: 'local',
      path: storePath,
      product,
      snapshot: options.dryRun,
    })
    const transport: Transport = options.dryRun ? new PlanTransport(io.out, store) : store
    // A dry run reads the journal (undo shows what it would put back) and records nothing.
    journal =
      process.env.AMSH_JOURNAL === 'off'
        ? undefined
        : new Journal(join(home, 'journal.db'), { readonly: options.dryRun })
    const atomicJournal = journal
    const connector = new Connector({
      home: { transport, label: undefined, owned: false },
      homePlace: localPlace(storePath),
      journal,
      product,
      env: process.env,
      pinned: options.atomic
        ? atomicJournal
          ? () =>
              atomicJournal.changed
                ? '--atomic: this batch has changed things already, and all its changes must go to one place to be rolled back together'
                : undefined
          : '--atomic holds the batch in one transaction of the local store, which a batch that connects elsewhere would escape (with the journal off, AMSH_JOURNAL=off, nothing else can roll it back)'
        : options.dryRun
          ? '--dry-run works on a copy of the local store in memory and cannot stand in for another store or a server'
          : undefined,
      warn: io.err,
      debug: options.debug ?? false,
    })
    session = new Session({
      connector,
      profile: getProfile(product),
      properties,
      write: (text) => stdout.write(text),
      writeError: writeStderr,
      debug: options.debug ?? false,
      writeFiles: !options.dryRun,
    })

    const profileName = options.profile ?? (process.env.AMSH_PROFILE || undefined)
    if (interactive) {
      const { startRepl } = await import('./shell/repl.ts')
      await startRepl({
        session,
        output,
        color: colour.on,
        home,
        quiet: options.quiet ?? false,
        startup:
          profileName === undefined
            ? undefined
            : `connect --profile ${JSON.stringify(profileName)}`,
      })
      return 0
    }
    if (profileName !== undefined) {
      await session.connect(
        { target: undefined, profile: profileName, interactive: false, insecure: false },
        process.cwd()
      )
    }

    // A batch that keeps nothing until it ends loses nothing of its output to a kill. One that
    // keeps each command on its own commits them in groups, and reports each group once it is
    // committed: after a kill, what was reported was kept (and the journal has what was kept).
    if (options.atomic || options.dryRun) {
      stdout.hold()
    } else {
      const place = localPlace(storePath)
      journal?.hold(place)
      store.groupCommits({
        beforeCommit: () => journal?.commit(),
        afterCommit: () => stdout.flush(),
      })
      const home = store
      stdout.hold(() => home.commitGroup())
    }
    const batch = new Batch(session, io, {
      policy: options.onError as ErrorPolicy,
      output: output ?? 'json',
      style: styleFor(process.stdout, colour.on),
      printResults: !options.dryRun,
    })
    const runAll = async () => {
      if (options.command.length > 0) {
        for (const command of options.command) {
          await batch.runSource(command, '-c', process.cwd())
          if (batch.finished) break
        }
      } else if (files.length > 0) {
        for (const file of files) {
          await batch.runFile(file)
          if (batch.finished) break
        }
      } else {
        await batch.runSource(await readStdin(), '<stdin>', process.cwd())
      }
      // A rejection of the user's code that nothing handled is told once the event loop turns:
      // let it fail the batch before the batch is judged.
      await new Promise((done) => setImmediate(done))
    }
    // The whole run is one batch of the journal (one per place it changes).
    journal?.begin(redactText(['amsh', ...argv].map(shellQuoted).join(' ')))
    // A dry run changes nothing, so there is nothing to keep or undo.
    if (!options.atomic || options.dryRun) {
      await runAll()
    } else {
      // The local store holds the batch in one transaction; what goes to a server instead is
      // journaled, and undone if the batch fails.
      const held = localPlace(storePath)
      journal?.hold(held)
      const work = async () => {
        try {
          await runAll()
        } finally {
          // The journal has the batch's entries before the store commits its changes.
          journal?.flush()
        }
        return batch.failures === 0
      }
      const kept = store.atomic ? await store.atomic(work) : await work()
      if (!kept && journal?.changed) {
        await rollBack(journal, held, session, io.err)
      } else if (!kept) {
        io.err('amsh: --atomic: the batch failed, so none of its changes were kept')
      }
    }
    store.commitGroup()
    journal?.end(batch.failures > 0 ? 'failed' : 'done')
    return batch.exitCode()
  } catch (err) {
    const error = toAmshError(err)
    writeStderr(`${error.format()}\n`)
    return error.exitCode
  } finally {
    session?.close()
    store?.close()
    journal?.close()
  }
}
