import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { b64, BIN, runAmsh, tempDir, withRealms, type Run } from './helpers.ts'

// Drives the built binary as a user does: -c one-liners, batch files and piped stdin, and checks
// stdout, stderr and the exit status. `npm test` builds dist/ before the tests run.

let home: { dir: string; remove: () => void }
let store: string

function amsh(args: string[], input?: string, env: Record<string, string> = {}): Run {
  return runAmsh(args, { input, env: { AMSH_HOME: home.dir, ...env } })
}

/** Runs commands against the test store. */
function run(...commands: string[]): Run {
  return amsh(['--store', store, ...commands.flatMap((c) => ['-c', c])])
}

function body(name: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    name,
    description: '',
    script: b64('var a = 1;'),
    language: 'JAVASCRIPT',
    context: 'AUTHENTICATION_TREE_DECISION_NODE',
    ...extra,
  })
}

const userScripts = () =>
  JSON.parse(run("query Scripts --realm / --filter 'default eq false'").stdout) as {
    name: string
  }[]

describe('amsh end to end', () => {
  before(async () => {
    home = tempDir()
    store = join(home.dir, 'e2e.db')
    await withRealms(store, [
      '/alpha',
      '/atomic',
      '/atomic/ok',
      '/atomic/killed',
      '/batch',
      '/cont',
      '/load',
      '/planned',
      '/q',
      '/skip',
      '/stdin',
      '/stop',
      '/syn',
      '/tol',
    ])
  })
  after(() => home.remove())

  describe('one-liners (-c)', () => {
    test('create, then read by the minted id, then delete', () => {
      const created = run(`create Scripts --realm / --body '${body('Check user')}'`)
      assert.equal(created.status, 0, created.stderr)
      const script = JSON.parse(created.stdout) as Record<string, unknown>
      assert.equal(script.name, 'Check user')
      assert.equal(script.evaluatorVersion, '1.0')
      const read = run(`read Scripts --realm / --id ${String(script._id)}`)
      assert.equal(read.status, 0)
      assert.equal((JSON.parse(read.stdout) as { name: string }).name, 'Check user')
      const deleted = run(`d Scripts --realm / --id ${String(script._id)}`)
      assert.deepEqual(JSON.parse(deleted.stdout), { _id: script._id })
    })

    test('an unknown id fails with exit 3 and AM message on stderr', () => {
      const result = run('read Scripts --realm /alpha --id nope')
      assert.equal(result.status, 3)
      assert.equal(result.stdout, '')
      assert.equal(
        result.stderr,
        '-c:1: E_NOT_FOUND: Script with UUID nope could not be found in realm /alpha\n'
      )
    })

    test('query with the filter from the README', () => {
      run(
        `create Scripts --realm /q --body '${body('Check one')}'`,
        `create Scripts --realm /q --body '${body('Check two', { language: 'GROOVY', script: b64('def a = 1') })}'`
      )
      const result = run(
        `query Scripts --realm /q --filter 'name sw "Check" and language eq "JAVASCRIPT"' --fields name`
      )
      assert.equal(result.status, 0, result.stderr)
      assert.deepEqual(
        (JSON.parse(result.stdout) as { name: string }[]).map((s) => s.name),
        ['Check one']
      )
    })

    test('query Libraries lists a library script with its exports (the parser loads lazily)', () => {
      const source = 'exports.add = function (i) { return i + 1; };\nexports.MSG = "Hello";'
      const created = run(
        `create Scripts --realm / --body '${body('E2E lib', { context: 'LIBRARY', script: b64(source) })}'`
      )
      assert.equal(created.status, 0, created.stderr)
      const id = (JSON.parse(created.stdout) as { _id: string })._id
      const result = run(`query Libraries --realm / --filter 'name eq "E2E lib"'`)
      run(`delete Scripts --realm / --id ${id}`)
      assert.equal(result.status, 0, result.stderr)
      assert.deepEqual(JSON.parse(result.stdout), [
        {
          _id: id,
          name: 'E2E lib',
          exports: [
            { id: 'add', type: 'Function', arity: 1 },
            { id: 'MSG', type: 'String' },
          ],
        },
      ])
    })

    test('validate answers in AM shape, success or not', () => {
      const ok = run(
        `action Scripts --realm / --actionName validate --body '{"script":"${b64('def x = 1')}","language":"GROOVY"}'`
      )
      assert.deepEqual(JSON.parse(ok.stdout), { success: true })
      const bad = run(
        `a Scripts --realm / --actionName validate --body '{"script":"${b64('var a = 1;\nvar b = ;')}","language":"JAVASCRIPT"}'`
      )
      assert.equal(bad.status, 0)
      const verdict = JSON.parse(bad.stdout) as {
        success: boolean
        errors: { line: number; column: number }[]
      }
      assert.equal(verdict.success, false)
      assert.deepEqual([verdict.errors[0]!.line, verdict.errors[0]!.column], [2, 9])
    })

    test('--skipSourceCheck stores a source amsh cannot parse; without it nothing is stored', () => {
      const broken = body('Unparsed', { script: b64('def x = {') })
      const refused = run(`create Scripts --realm /skip --body '${broken}'`)
      assert.equal(refused.status, 3)
      assert.match(refused.stderr, /to store it anyway, add --skipSourceCheck/)
      const stored = run(`create Scripts --realm /skip --body '${broken}' --skipSourceCheck`)
      assert.equal(stored.status, 0, stored.stderr)
      assert.equal((JSON.parse(stored.stdout) as { name: string }).name, 'Unparsed')
    })

    // `amsh ... | head -1`: the reader closes the pipe after a line, and the next write fails.
    test('a reader that closes the pipe early ends amsh quietly, exit 0', async () => {
      const queries = Array.from({ length: 30 }, () => ['-c', 'query Scripts --realm /']).flat()
      const child = spawn(process.execPath, [BIN, '--store', store, ...queries], {
        env: { ...process.env, AMSH_HOME: home.dir },
      })
      let stderr = ''
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
      // Read the first chunk, then close the pipe as head does.
      child.stdout.once('data', () => child.stdout.destroy())
      const [status, signal] = await new Promise<[number | null, string | null]>((done) =>
        child.on('close', (code, killed) => done([code, killed]))
      )
      assert.deepEqual({ status, signal, stderr }, { status: 0, signal: null, stderr: '' })
    })

    test('--id 007 stays "007"', () => {
      const result = run(`create Scripts --realm / --id 007 --body '${body('Bond')}'`)
      assert.equal((JSON.parse(result.stdout) as { _id: unknown })._id, '007')
    })

    test('--version and --help', () => {
      const version = amsh(['--version'])
      assert.equal(version.status, 0)
      assert.match(version.stdout, /^\d+\.\d+\.\d+\n$/)
      const help = amsh(['--help'])
      assert.equal(help.status, 0)
      assert.match(help.stdout, /Exit status: 0 all commands succeeded/)
    })
  })

  describe('bad input', () => {
    const cases: [string, string, number, RegExp][] = [
      [
        'malformed JSON body',
        `create Scripts --realm / --body '{"name": "x",\n "description" "y"}'`,
        2,
        /E_PARSE: --body is not valid JSON at 2:16: a ":" was expected/,
      ],
      [
        'unknown verb',
        'craete Scripts --realm /',
        2,
        /E_USAGE: unknown command "craete" \(did you mean "create"\?\)/,
      ],
      [
        'unknown entity',
        'query Scrpts --realm /',
        2,
        /E_USAGE: unknown entity type "Scrpts" \(did you mean "Scripts"\?\)/,
      ],
      [
        'unknown option',
        'query Scripts --realm / --fitler true',
        2,
        /E_USAGE: unknown option --fitler for query \(did you mean "filter"\?\)/,
      ],
      [
        '--realm and --global',
        'query Scripts --realm / --global',
        2,
        /give --realm or --global, not both/,
      ],
      ['neither --realm nor --global', 'query Scripts', 2, /Scripts needs --realm <path>/],
      [
        '--global on a realm-only entity',
        'query Scripts --global',
        2,
        /Scripts has no global operations; use --realm/,
      ],
      ['missing --id', 'read Scripts --realm /', 2, /E_USAGE: read Scripts needs --id/],
      ['missing --body', 'create Scripts --realm /', 2, /needs --body/],
      [
        'invalid base64',
        `create Scripts --realm / --body '${body('B', { script: 'not*base64' })}'`,
        3,
        /E_SCHEMA: the body has a problem: \/script is not base64 of UTF-8 text/,
      ],
      [
        'unknown context',
        `create Scripts --realm / --body '${body('C', { context: 'NODE_THING' })}'`,
        3,
        /\/context unknown script type "NODE_THING" for PingAM 8.x \(allowed: AUTHENTICATION_CLIENT_SIDE, .*LIBRARY/,
      ],
      [
        'language the context does not take',
        `create Scripts --realm / --body '${body('G', { language: 'GROOVY', context: 'LIBRARY' })}'`,
        3,
        /\/language GROOVY is not allowed for script type LIBRARY \(allowed: JAVASCRIPT\)/,
      ],
      [
        'schema problems, all listed',
        `create Scripts --realm / --body '{"name": 5, "script": "", "language": "JAVASCRIPT"}'`,
        3,
        /the body has 3 problems: \/description is required; \/context is required; \/name must be of type string/,
      ],
      [
        'a body that is not an object',
        `create Scripts --realm / --body '[1]'`,
        3,
        /--body must be a JSON object, not an array/,
      ],
      [
        'broken script source',
        `create Scripts --realm / --body '${body('S', { script: b64('var x = {;') })}'`,
        3,
        /E_SYNTAX: JAVASCRIPT source does not parse at script:1:10/,
      ],
      ['bad CREST filter', `query Scripts --realm / --filter 'name eq'`, 2, /E_PARSE: .*column/],
      [
        'unreadable --body @file',
        'create Scripts --realm / --body @/nonexistent/body.json',
        3,
        /E_IO: cannot read body file \/nonexistent\/body.json: no such file/,
      ],
      [
        'unknown action',
        'action Scripts --realm / --actionName validat',
        2,
        /has no action "validat" \(did you mean "validate"\?\)/,
      ],
      [
        'bad page size',
        'query Scripts --realm / --pageSize ten',
        2,
        /--pageSize takes a whole number/,
      ],
      ['realm with an empty segment', 'query Scripts --realm /a//b', 2, /empty path segment/],
      [
        'malformed JSON body 5,000 deep',
        `create Scripts --realm / --body '{"name": ${'['.repeat(5000)}1,${']'.repeat(5000)}}'`,
        2,
        /E_PARSE: --body is nested deeper than 1000 levels at 1:1009\n$/,
      ],
      [
        'valid JSON body 5,000 deep',
        `create Scripts --realm / --body '{"name": ${'['.repeat(5000)}${']'.repeat(5000)}}'`,
        2,
        /E_PARSE: --body is nested deeper than 1000 levels at 1:1009\n$/,
      ],
    ]
    for (const [name, command, status, stderr] of cases) {
      test(name, () => {
        const before = userScripts()
        const result = run(command)
        assert.equal(result.status, status, result.stderr)
        assert.match(result.stderr, stderr)
        assert.equal(result.stderr.trim().split('\n').length, 1, 'one line on stderr')
        assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace')
        assert.equal(result.stdout, '')
        assert.deepEqual(userScripts(), before, 'the store is unchanged')
      })
    }

    // 3 KB of `${ once aborted node in a regular expression ("RegExpCompiler Allocation failed").
    test('hostile script sources and lines get an answer, never an abort', () => {
      const validate = (source: string, language: string) =>
        run(
          `action Scripts --realm / --actionName validate --body '{"script":"${b64(source)}","language":"${language}"}'`
        )
      for (const [source, column] of [
        ['`${'.repeat(1000), 2999],
        ['('.repeat(50_000), 50_000],
      ] as const) {
        const result = validate(source, 'JAVASCRIPT')
        assert.equal(result.status, 0, result.stderr)
        const verdict = JSON.parse(result.stdout) as { success: boolean; errors: unknown[] }
        assert.equal(verdict.success, false)
        assert.deepEqual(verdict.errors, [
          {
            line: 1,
            column,
            message: `missing "${source[0] === '(' ? ')' : '}'}" to close "${source[0] === '(' ? '(' : '${'}"`,
          },
        ])
      }
      const groovy = validate('`${'.repeat(1000), 'GROOVY')
      assert.equal(groovy.status, 0, groovy.stderr)
      assert.equal((JSON.parse(groovy.stdout) as { success: boolean }).success, false)

      const create = run(
        `create Scripts --realm / --body '${body('Hostile', { script: b64('`${'.repeat(1000)) })}'`
      )
      assert.equal(create.status, 3)
      assert.match(create.stderr, /E_SYNTAX: JAVASCRIPT source does not parse at script:1:2999/)

      const line = run('`${'.repeat(1000))
      assert.equal(line.status, 2)
      assert.match(line.stderr, /^-c:1:\d+: E_PARSE: nested too deeply to parse\n$/)

      const command = run(`read Scripts --realm / --id "\${${'`${'.repeat(30_000)}"`)
      assert.equal(command.status, 2)
      assert.match(command.stderr, /E_PARSE: incomplete command: unclosed \$\{/)
      for (const result of [groovy, create, line, command]) {
        assert.doesNotMatch(result.stderr, /FATAL|E_INTERNAL|\n\s+at /)
      }
    })

    test('a bad amsh option exits 2', () => {
      const result = amsh(['--frobnicate'])
      assert.equal(result.status, 2)
      assert.match(result.stderr, /unknown option '--frobnicate'/)
    })

    test('-D without = exits 2', () => {
      const result = amsh(['--store', store, '-D', 'NOVALUE', '-c', 'query Realms --global'])
      assert.equal(result.status, 2)
      assert.match(result.stderr, /E_USAGE: -D NOVALUE: a property is written name=value/)
      assert.equal(
        amsh(['--store', store, '-DX=1', '-D', 'Y=2', '-c', 'query Realms --global']).status,
        0
      )
    })

    test('a store file that is not a database', () => {
      const path = join(home.dir, 'not-a-db.txt')
      writeFileSync(path, 'hello\n'.repeat(500))
      const result = amsh(['--store', path, '-c', 'query Scripts --realm /'])
      assert.equal(result.status, 3)
      assert.match(result.stderr, /^E_STORE: store .*not-a-db.txt is not a SQLite database/)
    })

    test('a read-only store answers queries and refuses writes', () => {
      const path = join(home.dir, 'ro.db')
      assert.equal(
        amsh(['--store', path, '-c', `create Scripts --realm / --body '${body('Kept')}'`]).status,
        0
      )
      chmodSync(path, 0o444)
      const query = amsh([
        '--store',
        path,
        '-c',
        'query Scripts --realm / --filter \'name eq "Kept"\'',
      ])
      assert.equal(query.status, 0, query.stderr)
      const write = amsh([
        '--store',
        path,
        '-c',
        `create Scripts --realm / --body '${body('New')}'`,
      ])
      assert.equal(write.status, 3)
      assert.match(write.stderr, /E_STORE: store .*ro.db is read-only/)
    })
  })

  describe('batch files and stdin', () => {
    let dir: string
    before(() => {
      dir = join(home.dir, 'batch')
      mkdirSync(join(dir, 'src'), { recursive: true })
      writeFileSync(join(dir, 'src', 'decision.js'), 'var outcome = "true";\n')
      writeFileSync(join(dir, 'src', 'broken.groovy'), 'def x = 1\nif (x {\n  println x\n}\n')
      writeFileSync(join(dir, 'body.json'), body('From file'))
    })

    function file(name: string, lines: string[]): string {
      const path = join(dir, name)
      writeFileSync(path, lines.join('\n'))
      return path
    }

    test('runs in order: comments, continuations, multi-line bodies, files relative to the batch, :exit', () => {
      const path = file('setup.amster', [
        '#!/usr/bin/env amsh',
        '# bootstrap /batch',
        'create Scripts --realm /batch \\',
        `  --body @body.json`,
        "create Scripts --realm /batch --body '{",
        '  "name": "Multi line", "description": "",',
        `  "language": "JAVASCRIPT", "context": "POLICY_CONDITION"`,
        "}' --scriptFile src/decision.js",
        '// and a bare JSON body',
        'create Scripts --realm /batch --body {"name": "Bare", "description": "a b",',
        `   "script": "${b64('1;')}", "language": "JAVASCRIPT", "context": "OIDC_CLAIMS"}`,
        "query Scripts --realm /batch --filter 'default eq false' --sortKeys name --fields name",
        ':exit',
        'read Scripts --realm /batch --id never-run',
      ])
      const result = amsh(['--store', store, path])
      assert.equal(result.status, 0, result.stderr)
      assert.equal(result.stderr, '')
      const outputs = result.stdout.trim().split(/\n(?=[[{])/)
      assert.equal(outputs.length, 4)
      assert.deepEqual(
        (JSON.parse(outputs[3]!) as { name: string }[]).map((s) => s.name),
        ['Bare', 'From file', 'Multi line']
      )
      const multi = JSON.parse(outputs[1]!) as { script: string }
      assert.equal(Buffer.from(multi.script, 'base64').toString(), 'var outcome = "true";\n')
    })

    test('stops at the first failure with exit 3 and file:line, running nothing after it', () => {
      const path = file('stop.amster', [
        `create Scripts --realm /stop --body '${body('First')}'`,
        '',
        'read Scripts --realm /stop --id missing',
        `create Scripts --realm /stop --body '${body('Never')}'`,
      ])
      const result = amsh(['--store', store, path])
      assert.equal(result.status, 3)
      assert.equal(
        result.stderr,
        `${path}:3: E_NOT_FOUND: Script with UUID missing could not be found in realm /stop\n`
      )
      const names = JSON.parse(
        run("query Scripts --realm /stop --filter 'default eq false' --fields name").stdout
      ) as { name: string }[]
      assert.deepEqual(
        names.map((s) => s.name),
        ['First']
      )
    })

    test('a syntax error stops the batch with exit 2', () => {
      const result = amsh([
        '--store',
        store,
        file('syntax.amster', ['query Scripts --realm /', 'qeury Scripts --realm /']),
      ])
      assert.equal(result.status, 2)
      assert.match(result.stderr, /syntax.amster:2: E_USAGE: unknown command "qeury"/)
    })

    test('--on-error continue runs on and exits 1', () => {
      const path = file('continue.amster', [
        'read Scripts --realm /cont --id missing',
        `create Scripts --realm /cont --body '${body('After failure')}'`,
        'bogus line',
      ])
      const result = amsh(['--store', store, '--on-error', 'continue', path])
      assert.equal(result.status, 1)
      assert.equal(result.stderr.trim().split('\n').length, 2)
      assert.match(result.stdout, /"After failure"/)
    })

    test('a script file that does not parse is reported at its own line and column', () => {
      const path = file('syntax-src.amster', [
        `create Scripts --realm /syn --body '{"name":"Broken","description":"","context":"POLICY_CONDITION"}' --scriptFile src/broken.groovy`,
      ])
      const result = amsh(['--store', store, path])
      assert.equal(result.status, 3)
      assert.match(
        result.stderr,
        new RegExp(
          `syntax-src.amster:1: E_SYNTAX: GROOVY source does not parse at ${join(dir, 'src', 'broken.groovy').replace(/[/.]/g, '\\$&')}:2:\\d+`
        )
      )
    })

    test('the same batch from stdin, and several files in a row', () => {
      const fromStdin = amsh(
        ['--store', store],
        `create Scripts --realm /stdin --body '${body('Piped')}'\nread Scripts --realm /stdin --id nope\n`
      )
      assert.equal(fromStdin.status, 3)
      assert.match(fromStdin.stdout, /"Piped"/)
      assert.equal(
        fromStdin.stderr,
        '<stdin>:2: E_NOT_FOUND: Script with UUID nope could not be found in realm /stdin\n'
      )
      const a = file('a.amster', ['query Realms --global --fields name'])
      const b = file('b.amster', ['read Realms --global --id Lw'])
      const both = amsh(['--store', store, a, b])
      assert.equal(both.status, 0, both.stderr)
      assert.match(both.stdout, /"_id": ?"Lw"/)
    })

    test(':load runs another file relative to the loading one; a missing file is an error', () => {
      mkdirSync(join(dir, 'lib'), { recursive: true })
      file('lib/helper.amster', [`create Scripts --realm /load --body '${body('Loaded')}'`])
      const ok = amsh(['--store', store, file('loader.amster', [':load lib/helper.amster'])])
      assert.equal(ok.status, 0, ok.stderr)
      assert.match(ok.stdout, /"Loaded"/)
      const missing = amsh(['--store', store, file('loader2.amster', ['. lib/nothing.amster'])])
      assert.equal(missing.status, 3)
      assert.match(
        missing.stderr,
        /loader2.amster:1: E_IO: cannot read .*lib\/nothing.amster: no such file/
      )
      const cycle = amsh(['--store', store, file('cycle.amster', [':load cycle.amster'])])
      assert.equal(cycle.status, 2)
      assert.match(cycle.stderr, /:load cycle/)
    })

    test('-command tolerates that one failure; :set errexit off runs on and exits 1', () => {
      const tolerant = amsh([
        '--store',
        store,
        file('tolerant.amster', [
          '-delete Scripts --realm /tol --id not-there',
          `create Scripts --realm /tol --body '${body('After tolerated')}'`,
        ]),
      ])
      assert.equal(tolerant.status, 0, tolerant.stderr)
      assert.equal(
        tolerant.stderr,
        `${join(dir, 'tolerant.amster')}:1: E_NOT_FOUND: Script with UUID not-there could not be found in realm /tol (ignored)\n`
      )
      assert.match(tolerant.stdout, /"After tolerated"/)

      const errexit = amsh([
        '--store',
        store,
        file('errexit.amster', [
          ':set errexit off',
          'read Scripts --realm /tol --id one',
          'read Scripts --realm /tol --id two',
          ':set errexit on',
          'read Scripts --realm /tol --id three',
          'read Scripts --realm /tol --id four',
        ]),
      ])
      assert.equal(errexit.status, 3)
      assert.deepEqual(
        errexit.stderr
          .trim()
          .split('\n')
          .map((l) => l.replace(/.*--id |.*UUID | could.*/g, '')),
        ['one', 'two', 'three']
      )

      const off = amsh([
        '--store',
        store,
        file('errexit-off.amster', [
          ':set errexit off',
          'read Scripts --realm / --id x',
          'query Realms --global',
        ]),
      ])
      assert.equal(off.status, 1)

      const bad = amsh(['--store', store, file('errexit-bad.amster', [':set errexit maybe'])])
      assert.equal(bad.status, 2)
      assert.match(bad.stderr, /:set takes "errexit on\|off" or "output json\|yaml\|ndjson\|table"/)
    })

    test('an executable file with #!/usr/bin/env amsh runs by itself', () => {
      const binDir = join(home.dir, 'path-bin')
      mkdirSync(binDir, { recursive: true })
      symlinkSync(BIN, join(binDir, 'amsh'))
      const path = file('shebang.amster', [
        '#!/usr/bin/env amsh',
        'query Realms --global --fields name',
      ])
      chmodSync(path, 0o755)
      const result = spawnSync(path, ['--store', store], {
        encoding: 'utf8',
        env: { ...process.env, AMSH_HOME: home.dir, PATH: `${binDir}:${process.env.PATH ?? ''}` },
      })
      assert.equal(result.status, 0, result.stderr)
      assert.match(result.stdout, /"name": ?"\/"/)
    })

    describe('--dry-run', () => {
      test('checks everything, prints the plan, and writes no store', () => {
        const fresh = join(home.dir, 'never-created.db')
        const path = file('plan.amster', [
          'create Realms --global --body {"name": "alpha", "parentPath": "/"}',
          `create Scripts --realm /alpha --body '${body('Planned')}'`,
          `create Scripts --realm /alpha --id 007 --body '${body('Bond')}'`,
          `update Scripts --realm /alpha --id 007 --body '${body('Renamed')}'`,
          'read Scripts --realm /alpha --id 007',
          `action Scripts --realm / --actionName createGlobal --body '${body('Lib', { context: 'LIBRARY' })}'`,
          `action Scripts --realm / --actionName validate --body '{"script":"${b64('1;')}","language":"JAVASCRIPT"}'`,
          'query Scripts --realm /alpha --filter \'name sw "P"\'',
          'delete Scripts --realm /alpha --id 007',
        ])
        const result = amsh(['--store', fresh, '--dry-run', path])
        assert.equal(result.status, 0, result.stderr)
        assert.match(
          result.stdout,
          new RegExp(
            [
              'create Realms --global "alpha" \\(id L2FscGhh\\)',
              'create Scripts /alpha "Planned" \\(id [0-9a-f-]{36}\\)',
              'create Scripts /alpha "Bond" \\(id 007\\)',
              'update Scripts /alpha 007 "Renamed"',
              'createGlobal Scripts / "Lib"',
              'delete Scripts /alpha 007',
              '',
            ].join('\n') + '$'
          )
        )
        assert.equal(existsSync(fresh), false)
      })

      test('meets the real state of the store, and leaves it as it was', () => {
        run(`create Scripts --realm /planned --id taken --body '${body('Taken')}'`)
        const path = file('plan-state.amster', [
          'for (const s of await run(`query Scripts --realm /planned --filter "default eq false"`))',
          '  await run(`delete Scripts --realm /planned --id ${s._id}`)',
          `create Scripts --realm /planned --id taken --body '${body('Again')}'`,
          `create Scripts --realm /planned --id taken --body '${body('Twice')}'`,
        ])
        const result = amsh(['--store', store, '--dry-run', path])
        assert.equal(result.status, 3)
        assert.equal(
          result.stdout,
          'delete Scripts /planned taken\ncreate Scripts /planned "Again" (id taken)\n'
        )
        assert.match(result.stderr, /plan-state.amster:4: E_EXISTS/)
        assert.match(run('read Scripts --realm /planned --id taken').stdout, /"name": ?"Taken"/)
      })

      const failing: [string, string, number, RegExp][] = [
        [
          'a body that breaks the schema',
          `create Scripts --realm / --body '{"name": "x"}'`,
          3,
          /plan-bad.amster:2: E_SCHEMA/,
        ],
        [
          'a source that does not parse',
          `create Scripts --realm / --body '${body('S', { script: b64('var = 1') })}'`,
          3,
          /plan-bad.amster:2: E_SYNTAX/,
        ],
        [
          'a command line that does not parse',
          'create Scripts --realm / --bdy {}',
          2,
          /plan-bad.amster:2: E_USAGE: unknown option --bdy/,
        ],
        [
          'a bad filter',
          "query Scripts --realm / --filter 'name eq'",
          2,
          /plan-bad.amster:2: E_PARSE/,
        ],
      ]
      for (const [name, line, status, stderr] of failing) {
        test(`fails on ${name}, changing nothing`, () => {
          const before = userScripts()
          const path = file('plan-bad.amster', [
            `create Scripts --realm / --body '${body('Fine')}'`,
            line,
          ])
          const result = amsh(['--store', store, '--dry-run', path])
          assert.equal(result.status, status)
          assert.match(result.stderr, stderr)
          assert.deepEqual(userScripts(), before)
        })
      }
    })

    describe('--atomic', () => {
      const count = (realm: string) =>
        (
          JSON.parse(
            run(`query Scripts --realm ${realm} --filter 'default eq false'`).stdout
          ) as unknown[]
        ).length
      const realms = () => run('query Realms --global --fields name').stdout

      test('keeps every change of a batch that succeeds', () => {
        const path = file('atomic-ok.amster', [
          `create Scripts --realm /atomic/ok --body '${body('One')}'`,
          `create Scripts --realm /atomic/ok --body '${body('Two')}'`,
        ])
        const result = amsh(['--store', store, '--atomic', path])
        assert.equal(result.status, 0, result.stderr)
        assert.equal(count('/atomic/ok'), 2)
      })

      for (const policy of ['stop', 'continue']) {
        test(`keeps nothing, realms included, when a command fails (--on-error ${policy})`, () => {
          const before = realms()
          const path = file(`atomic-${policy}.amster`, [
            `create Realms --global --body '{"name":"${policy}","parentPath":"/atomic"}'`,
            `create Scripts --realm /atomic/${policy} --body '${body('Undone')}'`,
            'read Scripts --realm / --id missing',
            `create Scripts --realm /atomic/${policy} --body '${body('After')}'`,
          ])
          const result = amsh(['--store', store, '--atomic', '--on-error', policy, path])
          assert.equal(result.status, policy === 'stop' ? 3 : 1)
          assert.match(
            result.stderr,
            /--atomic: the batch failed, so none of its changes were kept/
          )
          assert.equal(realms(), before)
          assert.match(run(`query Scripts --realm /atomic/${policy}`).stderr, /Realm not found/)
        })
      }

      test('keeps nothing when the process is killed mid-batch', async () => {
        const lines = Array.from(
          { length: 20_000 },
          (_, i) => `create Scripts --realm /atomic/killed --body '${body(`Killed ${i}`)}'`
        )
        const path = file('atomic-killed.amster', lines)
        const child = spawn(process.execPath, [BIN, '--store', store, '--atomic', path], {
          env: { ...process.env, AMSH_HOME: home.dir },
          stdio: ['ignore', 'pipe', 'pipe'],
        })
        // Kill once the batch is well under way (it has printed results), not before.
        await new Promise<void>((done) => {
          let seen = 0
          child.stdout.on('data', (chunk: Buffer) => {
            seen += chunk.length
            if (seen > 50_000) {
              child.kill('SIGKILL')
              done()
            }
          })
        })
        await new Promise((done) => child.on('exit', done))
        assert.equal(count('/atomic/killed'), 0)
      })

      test('is refused at the prompt', () => {
        const result = amsh(['--store', store, '--atomic', '-i'], ':exit\n')
        assert.equal(result.status, 2)
        assert.match(result.stderr, /--atomic applies to batches/)
      })
    })

    test('an error in a loaded file names the whole chain of loads', () => {
      file('lib/inner.amster', ['query Realms --global', 'read Scripts --realm / --id deep'])
      file('lib/middle.amster', ['# middle', ':load inner.amster'])
      const outer = file('outer.amster', ['query Realms --global', ':load lib/middle.amster'])
      const result = amsh(['--store', store, outer])
      assert.equal(result.status, 3)
      assert.equal(
        result.stderr,
        `${outer}:2 → ${join(dir, 'lib', 'middle.amster')}:2 → ${join(dir, 'lib', 'inner.amster')}:2: E_NOT_FOUND: Script with UUID deep could not be found in realm /\n`
      )
    })

    test('help from a batch', () => {
      const result = amsh(['--store', store], ':help\n:help create\n:help Scripts\n')
      assert.equal(result.status, 0)
      assert.match(result.stdout, /create \(c\)\s+Create an entity/)
      assert.match(result.stdout, /usage: create <Entity> --realm <path>/)
      assert.match(result.stdout, /action Scripts --realm <path> --actionName createGlobal/)
    })

    // A file named on the command line that is not there is a bad invocation, found before
    // anything runs; a :load of a missing file is a failing line (exit 3, above).
    test('a missing batch file exits 2, running nothing and creating no store', () => {
      const fresh = join(dir, 'never.db')
      const first = file('first.amster', [`create Scripts --realm /never --body '${body('Ran')}'`])
      for (const missing of [join(dir, 'nope.amster'), dir]) {
        const result = amsh(['--store', fresh, first, missing])
        assert.equal(result.status, 2, result.stderr)
        const why = missing === dir ? 'it is a folder' : 'no such file'
        assert.equal(result.stderr, `E_USAGE: cannot read batch file ${missing}: ${why}\n`)
        assert.equal(result.stdout, '')
        assert.equal(existsSync(fresh), false)
      }
    })
  })
})
