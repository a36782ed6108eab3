import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { after, before, test } from 'node:test'
import { runAmsh, SERVE_PASSWORD, startServe, tempDir, withRealms } from './helpers.ts'

// The prompt as a person meets it: amsh runs on a real pseudo-terminal (util-linux `script`),
// keys go in as bytes (Enter is \r, Ctrl-C \x03, Ctrl-D \x04) and the screen text comes back.

const BIN = resolve('bin/amsh.js')

class Terminal {
  screen = ''
  readonly exited: Promise<number | null>
  readonly #child: ChildProcess

  constructor(command: string, env: NodeJS.ProcessEnv) {
    this.#child = spawn('script', ['-qfec', command, '/dev/null'], {
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    this.#child.stdout!.on('data', (chunk: Buffer) => (this.screen += chunk.toString('utf8')))
    // A shell that never exits (a key the test got wrong) must not hang the whole run.
    const guard = setTimeout(() => this.kill(), 60_000)
    this.exited = new Promise((done) =>
      this.#child.on('exit', (code) => {
        clearTimeout(guard)
        done(code)
      })
    )
  }

  /** Waits until the screen shows `text` after position `from` (10 s at most). */
  async waitFor(text: string | RegExp, from = 0): Promise<number> {
    const deadline = Date.now() + 10_000
    for (;;) {
      const rest = this.screen.slice(from)
      const at = typeof text === 'string' ? rest.indexOf(text) : rest.search(text)
      if (at >= 0) return from + at
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${String(text)}; screen:\n${this.screen}`)
      await new Promise((r) => setTimeout(r, 20))
    }
  }

  /** Types keys, then waits for the next prompt to appear after them. */
  async type(keys: string, prompt: string | RegExp = 'am> '): Promise<string> {
    const from = this.screen.length
    this.#child.stdin!.write(keys)
    const at = await this.waitFor(prompt, from)
    return this.screen.slice(from, at)
  }

  /** Types keys without waiting for anything. */
  press(keys: string): void {
    this.#child.stdin!.write(keys)
  }

  kill(): void {
    this.#child.kill('SIGKILL')
  }
}

let home: { dir: string; remove: () => void }
let terminal: Terminal

/** amsh on a terminal of its own, once its prompt shows. */
async function openShell(
  args: string,
  prompt: string | RegExp = 'am> ',
  env: NodeJS.ProcessEnv = {}
): Promise<Terminal> {
  // `exec`, or a shell such as dash stays between script and amsh and dies of our Ctrl-C itself.
  const opened = new Terminal(`exec ${process.execPath} ${BIN} ${args}`, {
    ...process.env,
    AMSH_HOME: home.dir,
    XDG_CONFIG_HOME: join(home.dir, 'config'),
    TERM: 'dumb',
    ...env,
  })
  try {
    await opened.waitFor(prompt)
  } catch (err) {
    opened.kill()
    throw err
  }
  return opened
}

before(() => {
  home = tempDir()
})
after(() => {
  terminal?.kill()
  home.remove()
})

test('the am> prompt: commands, multi-line bodies, errors, Ctrl-C, Ctrl-D and history', async () => {
  const store = join(home.dir, 'repl.db')
  await withRealms(store, ['/r'])
  terminal = await openShell(`--store ${store}`)

  const realms = await terminal.type('query Realms --global\r')
  assert.match(realms, /"_id": "Lw"/)

  // An open quote continues on the next line, behind the continuation prompt.
  await terminal.type("create Scripts --realm /r --body '{\r", '... ')
  await terminal.type('"name": "From REPL", "description": "", "language": "JAVASCRIPT",\r', '... ')
  const created = await terminal.type('"context": "OIDC_CLAIMS", "script": "MTs="}\'\r')
  assert.match(created, /"name": "From REPL"/)

  const failed = await terminal.type('read Scripts --realm /r --id nope\r')
  assert.match(failed, /E_NOT_FOUND: Script with UUID nope could not be found in realm \/r/)

  const syntax = await terminal.type('qurey Scripts --realm /\r')
  assert.match(syntax, /E_USAGE: unknown command "qurey" \(did you mean "query"\?\)/)

  // Ctrl-C abandons a half-typed multi-line command: nothing is created.
  await terminal.type("create Scripts --realm /r --body '{\r", '... ')
  await terminal.type('\x03')
  const count = await terminal.type(
    `query Scripts --realm /r --filter 'default eq false' --fields name\r`
  )
  assert.equal(count.match(/"name"/g)?.length, 1)

  // Ctrl-C on an empty line only explains how to leave.
  const hint = await terminal.type('\x03')
  assert.match(hint, /To exit, press Ctrl\+C again or Ctrl\+D/)

  const help = await terminal.type(':help query\r')
  assert.match(help, /usage: query <Entity> --realm <path>/)

  terminal.press('\x04')
  assert.equal(await terminal.exited, 0)

  const history = readFileSync(join(home.dir, 'history'), 'utf8')
  assert.match(history, /query Realms --global/)
  assert.match(history, /read Scripts --realm \/r --id nope/)
})

test(':exit leaves the prompt', async () => {
  terminal = await openShell(`--store ${join(home.dir, 'exit.db')} -q`)
  assert.doesNotMatch(terminal.screen, /Type :help/, '-q drops the banner')
  const file = join(home.dir, 'loaded.amster')
  writeFileSync(file, 'query Realms --global --fields name\nread Scripts --realm / --id nope\n')
  const loaded = await terminal.type(`:load ${file}\r`)
  assert.match(loaded, /"name": "\/"/)
  assert.match(loaded, /loaded.amster:2: E_NOT_FOUND/)
  terminal.press(':exit\r')
  assert.equal(await terminal.exited, 0)
})

test('JavaScript at the prompt: echo, multi-line statements, -q, and Ctrl-C stopping a loop', async () => {
  const store = join(home.dir, 'js.db')
  terminal = await openShell(`--store ${store}`)
  assert.match(await terminal.type('answer = 6 * 7\r'), /\n42\r?\n/)
  assert.match(await terminal.type('_ + 1\r'), /\n43\r?\n/)
  await terminal.type('function twice(n) {\r', '... ')
  assert.match(await terminal.type('return n * 2 }\r'), /\r\n(?!\d)/)
  assert.match(await terminal.type('twice(answer)\r'), /\n84\r?\n/)
  assert.match(await terminal.type('(await run("query Realms --global")).length\r'), /\n1\r?\n/)

  // A busy loop is interrupted by Ctrl-C; the session, and what it defined, live on.
  terminal.press('while (true) {}\r')
  await new Promise((r) => setTimeout(r, 300))
  const stopped = await terminal.type('\x03')
  assert.match(stopped, /E_INTERRUPTED: interrupted \(Ctrl-C\)/)
  assert.match(await terminal.type('answer\r'), /\n42\r?\n/)

  // So is a loop that awaits.
  terminal.press('for (;;) await run("query Realms --global")\r')
  await new Promise((r) => setTimeout(r, 300))
  assert.match(await terminal.type('\x03'), /E_INTERRUPTED/)
  terminal.press('\x04')
  assert.equal(await terminal.exited, 0)

  // -q: assignments are not echoed (passwords stay off the screen); other values are.
  terminal = await openShell(`--store ${store} -q`)
  assert.doesNotMatch(await terminal.type('password = "hunter2"\r'), /hunter2\r?\n/)
  assert.match(await terminal.type('password.length\r'), /\n7\r?\n/)
  terminal.press(':exit\r')
  assert.equal(await terminal.exited, 0)
})

test('connect -i asks for the user name and, unseen and unkept, the password', async () => {
  const served = await startServe()
  try {
    terminal = await openShell(`--store ${join(home.dir, 'ask.db')}`)
    await terminal.type(`connect ${served.base} -i\r`, 'User Name: ')
    await terminal.type('amadmin\r', 'Password: ')
    const from = terminal.screen.length
    const connected = await terminal.type(`${SERVE_PASSWORD}\r`, /am 127\.0\.0\.1:\d+> /)
    assert.doesNotMatch(terminal.screen.slice(from), new RegExp(SERVE_PASSWORD))
    assert.match(connected, /true/)
    const realms = await terminal.type(
      'query Realms --global --fields name\r',
      /am 127\.0\.0\.1:\d+> /
    )
    assert.match(realms, /"name": "\/"/)
    assert.match(await terminal.type('connect local\r'), /true/)
    terminal.press('\x04')
    assert.equal(await terminal.exited, 0)
    assert.doesNotMatch(readFileSync(join(home.dir, 'history'), 'utf8'), new RegExp(SERVE_PASSWORD))
  } finally {
    served.stop()
  }
})

test('a profile that confirms changes asks before each one at the prompt', async () => {
  const served = await startServe([], { realms: ['/alpha'] })
  try {
    const env = { XDG_CONFIG_HOME: join(home.dir, 'config'), AMSH_HOME: home.dir }
    const args = [
      'add',
      'careful',
      served.base,
      '--username',
      'amadmin',
      '--password-env',
      'AM_PASS',
    ]
    assert.equal(runAmsh(['profile', ...args, '--confirm-writes'], { env }).status, 0)
    process.env.AM_PASS = SERVE_PASSWORD
    const prompt = /am 127\.0\.0\.1:\d+ \(careful\)> /
    try {
      terminal = await openShell(
        `--store ${join(home.dir, 'confirm.db')} --profile careful`,
        prompt
      )
    } finally {
      delete process.env.AM_PASS
    }
    const body = JSON.stringify({
      name: 'Asked',
      description: '',
      script: Buffer.from('var a = 1;').toString('base64'),
      language: 'JAVASCRIPT',
      context: 'LIBRARY',
    })
    const create = `create Scripts --realm /alpha --id asked --body '${body}'\r`
    assert.match(
      await terminal.type(create, '[y/N] '),
      /create Scripts in realm \/alpha on careful\?/
    )
    assert.match(
      await terminal.type('n\r', prompt),
      /E_FORBIDDEN: .*not confirmed; nothing was sent/
    )
    await terminal.type(create, '[y/N] ')
    assert.match(await terminal.type('y\r', prompt), /"_id": "asked"/)
    assert.match(await terminal.type('read Scripts --realm /alpha --id asked\r', prompt), /"Asked"/)
    terminal.press('\x04')
    assert.equal(await terminal.exited, 0)
  } finally {
    served.stop()
  }
})

test("the Janssen CLI's menus at the prompt: a create asked field by field, Ctrl-C, and edit's one JSON Patch", async () => {
  const served = await startServe(['--flavour', 'jans'])
  process.env.JANS_SECRET = SERVE_PASSWORD
  try {
    terminal = await openShell(`--store ${join(home.dir, 'jans.db')}`)
    const prompt = /am 127\.0\.0\.1:\d+> /
    const connect = `connect jans ${served.base} --client-id amsh-client --client-secret-env JANS_SECRET`
    assert.match(await terminal.type(`${connect}\r`, prompt), /true/)

    assert.match(await terminal.type('create CustomScripts\r', 'inum: '), /New CustomScripts/)
    await terminal.type('\r', 'name (required): ')
    for (const [answer, next] of [
      ['seed_menu', 'aliases: '],
      ['', 'description: '],
      ['', 'scriptType (required): '],
      ['PERSON_AUTHENTICATION', 'programmingLanguage (required): '],
      ['python', 'script: '],
      ['', 'moduleProperties: '],
      ['', 'configurationProperties: '],
      ['', 'level: '],
    ]) {
      await terminal.type(`${answer}\r`, next!)
    }
    assert.match(
      await terminal.type('high\r', 'level: '),
      /Please enter a\(n\) integer value: a whole number/
    )
    await terminal.type('5\r', 'enabled  [false]: ')
    await terminal.type('\r', 'locationType  [db]: ')
    await terminal.type('\r', 'locationPath: ')
    assert.match(await terminal.type('\r', prompt), /"name": "seed_menu"[\s\S]*"level": 5/)

    // Ctrl-C at a question abandons the create: nothing reaches the server.
    await terminal.type('create CustomScripts\r', 'inum: ')
    await terminal.type('\r', 'name (required): ')
    await terminal.type('half_done\r', 'aliases: ')
    assert.match(await terminal.type('\x03', prompt), /E_INTERRUPTED: interrupted \(Ctrl-C\)/)
    const listed = await terminal.type('query CustomScripts\r', prompt)
    assert.match(listed, /\| 1 \| person_authentication \| seed_menu \|/)
    assert.doesNotMatch(listed, /half_done/)

    await terminal.type('edit CustomScripts --name seed_menu\r', 'Selection: ')
    assert.match(await terminal.type('l\r', 'Selection: '), / 10 enabled +false/)
    await terminal.type('10\r', 'enabled  [false]: ')
    await terminal.type('true\r', 'Selection: ')
    assert.match(await terminal.type('s\r', prompt), /"enabled": true[\s\S]*"revision": 2/)
    // The server logs its answer after sending it: its line may come a moment later.
    for (let i = 0; i < 50 && !/PATCH /.test(served.log()); i++) {
      await new Promise((r) => setTimeout(r, 20))
    }
    assert.match(
      served.log(),
      /PATCH \/jans-config-api\/api\/v1\/config\/scripts\/[0-9a-f-]{36} 200/
    )
    await terminal.type('delete CustomScripts --name seed_menu\r', '[y/N] ')
    await terminal.type('y\r', prompt)
    assert.doesNotMatch(await terminal.type('query CustomScripts\r', prompt), /seed_menu/)
    terminal.press('\x04')
    assert.equal(await terminal.exited, 0)
  } finally {
    delete process.env.JANS_SECRET
    served.stop()
  }
})

test('Tab completes verbs, entities, options and JavaScript at a real prompt', async () => {
  // A terminal that can redraw: readline completes nothing on a dumb one.
  terminal = await openShell(`--store ${join(home.dir, 'tab.db')}`, 'am> ', { TERM: 'xterm' })
  const from = terminal.screen.length
  terminal.press('var settings = { retries: 3 }\r')
  await terminal.waitFor('am> ', from + 10)
  // Typed, then Tab once what was typed has arrived: the completion must show.
  for (const [typed, shown] of [
    ['que', 'query'],
    [' scr', 'query Scripts'],
    [' --realm / --fil', '--filter'],
    ['\x15settings.re', 'settings.retries'],
  ]) {
    terminal.press(typed!)
    await new Promise((r) => setTimeout(r, 100))
    terminal.press('\t')
    await terminal.waitFor(shown!, from)
  }
  terminal.press('\x15\x04')
  assert.equal(await terminal.exited, 0)
})

test('the history: a multi-line command is one entry, recalled whole, its secrets never written', async () => {
  const file = join(home.dir, 'history')
  writeFileSync(file, '')
  // A terminal that can redraw, for the arrow keys.
  terminal = await openShell(`--store ${join(home.dir, 'history.db')}`, 'am> ', { TERM: 'xterm' })
  await terminal.type('create Realms --global --body {\r', '... ')
  await terminal.type('"name": "hist", "parentPath": "/", "active": true, "aliases": []}\r')
  await terminal.type('connect https://127.0.0.1:1/am --username amadmin --password hunter22\r')
  const listed = await terminal.type(':history\r')
  assert.match(listed, /1 {2}create Realms --global --body \{\r?\n"name": "hist"/)
  assert.match(listed, /2 {2}connect .* --password \*\*\*/)
  // Up three times: :history, connect, then the whole create, once.
  terminal.press('\x1b[A\x1b[A\x1b[A')
  await terminal.waitFor(/"aliases": \[\]\}/, terminal.screen.length - 1)
  // Ctrl-R searches the history.
  terminal.press('\x15\x12hist')
  await terminal.waitFor(/i-search: hist/, terminal.screen.length - 30)
  terminal.press('\x07\x05\x15\x04')
  assert.equal(await terminal.exited, 0)
  const kept = readFileSync(file, 'utf8')
  assert.doesNotMatch(kept, /hunter22/)
  assert.equal(kept.trimEnd().split('\n').length, 3, kept)
})
