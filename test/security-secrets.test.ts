import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { redactText } from '../src/journal/images.ts'
import { HttpClient } from '../src/transport/http.ts'
import {
  b64,
  runAmsh,
  runAmshAsync,
  SERVE_PASSWORD,
  startServe,
  tempDir,
  type Served,
} from './helpers.ts'

// Issue 13, item 7: no secret amsh is given (a password, a token, a private key, a -D value of
// a secret-looking name) reaches the history, the journal, serve's request log, --debug output
// or an export; and -D takes a value from a file or the environment, so that a secret need not
// be on the command line at all.

const temp = tempDir('amsh-secrets-')
after(() => temp.remove())

const SECRET = 'hunter22-s3cr3t'
const PEM = [
  '-----BEGIN PRIVATE KEY-----',
  'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj',
  'MzEfYyjiWA4R4/M2bS1GB4t7NXp98C3SC6dVMvDuictGeurT8jNbvJZHtCSuYEvu',
  '-----END PRIVATE KEY-----',
].join('\n')

/** Every file below `dir`, as bytes read as latin1 (a SQLite file too). */
function everything(dir: string): string {
  let all = ''
  for (const name of readdirSync(dir, { recursive: true }) as string[]) {
    const path = join(dir, name)
    if (statSync(path).isFile()) all += `\n${name}\n${readFileSync(path, 'latin1')}`
  }
  return all
}

describe('redaction of command text (history, journal)', () => {
  test('-D values, variables and JSON keys that name a secret or a key; a pasted PEM private key', () => {
    const cases: [string, string][] = [
      ['-D apiKey=k1 -D sa.key=k2 -D AM_KEY=k3', '-D apiKey=*** -D sa.key=*** -D AM_KEY=***'],
      ['-D password=a -D secret=b -D token=c', '-D password=*** -D secret=*** -D token=***'],
      ["signingKey = 'k4'", "signingKey = '***'"],
      ['{"privateKey": "k5", "name": "n"}', '{"privateKey": "***", "name": "n"}'],
      ['-D realm=/alpha -D keyAlias=test', '-D realm=/alpha -D keyAlias=test'],
    ]
    for (const [typed, kept] of cases) assert.equal(redactText(typed), kept)
    const pasted = redactText(`x = \`${PEM}\``)
    assert.doesNotMatch(pasted, /MIIEvQ|MzEfYy/)
    assert.match(pasted, /-----BEGIN PRIVATE KEY-----\*\*\*-----END PRIVATE KEY-----/)
    // In a JSON string, the line breaks are escapes.
    assert.doesNotMatch(redactText(JSON.stringify({ pem: PEM })), /MIIEvQ/)
  })
})

describe('-D name=@file and -D name=@env:VAR', () => {
  const store = join(temp.dir, 'd-store.db')
  const env = { AMSH_HOME: join(temp.dir, 'd-home'), AMSH_TEST_SECRET: SECRET }

  test('the value comes from the file (one final line break dropped) or the variable', () => {
    const file = join(temp.dir, 'secret.txt')
    writeFileSync(file, `${SECRET}\n`)
    const run = runAmsh(
      [
        '--store',
        store,
        '-D',
        `fromFile=@${file}`,
        `-DfromEnv=@env:AMSH_TEST_SECRET`,
        '-D',
        'literal=@@at',
        '-c',
        'print(JSON.stringify([fromFile, fromEnv, System.getProperty("literal")]))',
      ],
      { env }
    )
    assert.equal(run.status, 0, run.stderr)
    assert.equal(run.stdout.trim(), JSON.stringify([SECRET, SECRET, '@at']))
  })

  test('a file that cannot be read, or a variable that is not set: exit 2, saying what is allowed, no value shown', () => {
    const missing = runAmsh(['--store', store, '-D', 'pw=@nope.txt', '-c', 'print(1)'], { env })
    assert.equal(missing.status, 2)
    assert.match(
      missing.stderr,
      /^E_USAGE: -D pw=@nope\.txt: cannot read .*nope\.txt: no such file \(-D name=@file reads a file, name=@env:VAR a variable, name=@@text is the text @text\)\n$/
    )
    const unset = runAmsh(['--store', store, '-D', 'pw=@env:AMSH_UNSET_X', '-c', 'print(1)'], {
      env,
    })
    assert.equal(unset.status, 2)
    assert.match(
      unset.stderr,
      /^E_USAGE: -D pw=@env:AMSH_UNSET_X: the environment variable AMSH_UNSET_X is not set/
    )
    const bad = runAmsh(['--store', store, '-D', 'pw=@env:1-x', '-c', 'print(1)'], { env })
    assert.match(bad.stderr, /"1-x" is not the name of an environment variable/)
    assert.doesNotMatch(missing.stderr + unset.stderr + bad.stderr, /\n\s+at /)
  })

  test('amsh --help tells of both', () => {
    const help = runAmsh(['--help']).stdout.replace(/\s+/g, ' ')
    assert.match(
      help,
      /name=@file reads the value from a file and name=@env:VAR from the environment/
    )
  })
})

describe('secrets never reach the history, the journal, the request log, --debug or an export', () => {
  let served: Served
  const home = join(temp.dir, 'home')
  const out = join(temp.dir, 'export')

  before(async () => {
    served = await startServe()
  })
  after(() => served.stop())

  test('a whole session against amsh serve', async () => {
    const env = { AMSH_HOME: home, AM_PASS: SERVE_PASSWORD, AMSH_TEST_SECRET: SECRET }
    const body = JSON.stringify({
      name: 'Secretive',
      description: '',
      script: b64(`var password = "${SECRET}";`),
      language: 'JAVASCRIPT',
      context: 'AUTHENTICATION_TREE_DECISION_NODE',
    })
    // The prompt (history), a batch (journal) and --debug (curl lines), all with secrets about.
    const prompt = await runAmshAsync(['-i', '-q'], {
      env,
      input: [
        `adminPassword = '${SECRET}'`,
        `x = { "token": "${SECRET}" }`,
        `connect ${served.base} --username amadmin --password ${SECRET}`,
        '',
      ].join('\n'),
    })
    // connect takes no --password (it is refused), but the line typed still goes to the history.
    assert.match(prompt.stderr, /E_USAGE: connect: unknown option --password/)
    const batch = await runAmshAsync(
      [
        '--debug',
        '-D',
        `apiKey=${SECRET}`,
        '-D',
        'pass=@env:AM_PASS',
        '-c',
        `connect ${served.base} --username amadmin --password-env AM_PASS`,
        '-c',
        `create Scripts --realm / --body '${body.replace(SECRET, 'x')}'`,
        '-c',
        `export-config --path ${out} --realmEntities Scripts --globalEntities ' '`,
      ],
      { env }
    )
    assert.equal(batch.status, 0, batch.stderr)
    assert.match(batch.stderr, /curl -X POST '.*\/json\/realms\/root\/authenticate'/)
    assert.match(batch.stderr, /x-openam-password: \*\*\*'/)
    // The history and the journal, whatever their file.
    const kept = everything(home)
    assert.match(kept, /history/)
    assert.match(kept, /journal\.db/)
    assert.match(kept, /adminPassword = '\*\*\*'/)
    for (const [where, text] of [
      ['the amsh home (history, journal, store)', kept],
      ['the --debug output', batch.stderr],
      ["serve's request log", served.log()],
      ['the export', everything(out)],
    ] as const) {
      assert.ok(!text.includes(SECRET), `${where} holds the secret`)
      if (where !== 'the amsh home (history, journal, store)') {
        assert.ok(!text.includes(SERVE_PASSWORD), `${where} holds the password`)
      }
    }
  })

  test("serve's request log: query values of secret-looking names are left out, tokens are not logged", async () => {
    const token = String(
      (
        (await (
          await fetch(`${served.base}/json/realms/root/authenticate`, {
            method: 'POST',
            headers: {
              'x-openam-username': 'amadmin',
              'x-openam-password': SERVE_PASSWORD,
              'accept-api-version': 'resource=2.0, protocol=1.0',
            },
          })
        ).json()) as { tokenId: string }
      ).tokenId
    )
    await fetch(
      `${served.base}/json/realms/root/scripts?_queryFilter=true&client_secret=${SECRET}&access_token=${SECRET}&_fields=name`,
      { headers: { cookie: `iPlanetDirectoryPro=${token}` } }
    )
    const deadline = Date.now() + 2000
    while (!served.log().includes('client_secret=') && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 10))
    }
    assert.match(
      served.log(),
      /GET \/am\/json\/realms\/root\/scripts\?_queryFilter=true&client_secret=\*\*\*&access_token=\*\*\*&_fields=name 200/
    )
    assert.ok(!served.log().includes(SECRET))
    assert.ok(!served.log().includes(token))
    assert.ok(!served.log().includes(SERVE_PASSWORD))
  })

  test('--debug masks secret fields of a JSON body as the journal does', async () => {
    const server = createServer((_, response) => {
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}')
    })
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
    const { port } = server.address() as { port: number }
    const lines: string[] = []
    const http = new HttpClient({
      baseUrl: `http://127.0.0.1:${port}`,
      trace: (l) => lines.push(l),
    })
    try {
      await http.send({
        method: 'PUT',
        path: '/x',
        body: { name: 'n', userPassword: SECRET, nested: { clientSecret: SECRET } },
      })
      await http.send({ method: 'PUT', path: '/y', body: { name: 'plain' } })
    } finally {
      http.close()
      server.close()
    }
    assert.ok(!lines.join('\n').includes(SECRET), lines.join('\n'))
    assert.match(lines[0]!, /"userPassword":"\[secret: not journaled\]"/)
    assert.match(lines.join('\n'), /--data '\{"name":"plain"\}'/)
  })
})
