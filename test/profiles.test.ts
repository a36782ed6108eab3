import assert from 'node:assert/strict'
import {
  chmodSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, test } from 'node:test'
import {
  findProfile,
  loadProfiles,
  matchProfile,
  profileRequest,
  profilesFile,
  redactProfile,
  removeProfile,
  saveProfile,
  storedPassword,
  type ConnectionProfile,
} from '../src/config/connections.ts'
import { configDir } from '../src/paths.ts'
import { AmshError } from '../src/errors.ts'
import { parseConnect } from '../src/parse/connect.ts'
import { runAmsh, tempDir } from './helpers.ts'

// Connection profiles: the file (where, modes, atomic writes, a hand-broken file), choosing a
// profile by a part of its name or URL, the connect request it stands for, and `amsh profile`
// through the built binary.

const posix = process.platform !== 'win32'

let home: { dir: string; remove: () => void }
let env: NodeJS.ProcessEnv

beforeEach(() => {
  home = tempDir('amsh-profiles-')
  env = { XDG_CONFIG_HOME: join(home.dir, 'config'), HOME: home.dir }
})

afterEach(() => home.remove())

const PROD_EU: ConnectionProfile = {
  name: 'prod-eu',
  url: 'https://am.eu.example.com/am',
  auth: { method: 'password', username: 'amadmin', passwordEnv: 'AM_PASSWORD' },
  confirmWrites: true,
}
const PROD_US: ConnectionProfile = {
  name: 'prod-us',
  url: 'https://am.us.example.com/am',
  auth: { method: 'amster-key', privateKey: '/keys/amster_rsa' },
  readOnly: true,
}
const DEV: ConnectionProfile = {
  name: 'dev',
  url: 'http://localhost:8080/am',
  auth: { method: 'token', tokenEnv: 'AM_TOKEN' },
}

function fails(code: string, message: RegExp) {
  return (err: unknown) => {
    assert.ok(err instanceof AmshError, `expected an AmshError, got ${String(err)}`)
    assert.equal(err.code, code, err.message)
    assert.match(err.message, message)
    return true
  }
}

function mode(path: string): number {
  return statSync(path).mode & 0o777
}

describe('the profiles file', () => {
  test('lives in $XDG_CONFIG_HOME/amsh, else ~/.config/amsh (a relative XDG path is ignored)', () => {
    assert.equal(configDir({ XDG_CONFIG_HOME: '/x/config' }), '/x/config/amsh')
    assert.equal(configDir({}), join(homedir(), '.config', 'amsh'))
    assert.equal(configDir({ XDG_CONFIG_HOME: 'relative' }), join(homedir(), '.config', 'amsh'))
    assert.equal(profilesFile(env), join(home.dir, 'config', 'amsh', 'profiles.json'))
  })

  test('no file is no profiles, and no file is written by reading', async () => {
    assert.deepEqual(await loadProfiles(env), { file: profilesFile(env), profiles: [] })
    assert.deepEqual(readdirSync(home.dir), [])
  })

  test('a stable, readable layout: profiles by name, fields in a fixed order, URLs trimmed', async () => {
    await saveProfile({ ...PROD_US, url: 'https://am.us.example.com/am/' }, env)
    await saveProfile({ ...DEV, timeoutSeconds: 5, insecure: false }, env)
    await saveProfile(
      { ...PROD_EU, auth: { passwordEnv: 'AM_PASSWORD', username: 'amadmin', method: 'password' } },
      env
    )
    assert.equal(
      readFileSync(profilesFile(env), 'utf8'),
      `{
  "profiles": {
    "dev": {
      "url": "http://localhost:8080/am",
      "auth": {
        "method": "token",
        "tokenEnv": "AM_TOKEN"
      },
      "insecure": false,
      "timeoutSeconds": 5
    },
    "prod-eu": {
      "url": "https://am.eu.example.com/am",
      "auth": {
        "method": "password",
        "username": "amadmin",
        "passwordEnv": "AM_PASSWORD"
      },
      "confirmWrites": true
    },
    "prod-us": {
      "url": "https://am.us.example.com/am",
      "auth": {
        "method": "amster-key",
        "privateKey": "/keys/amster_rsa"
      },
      "readOnly": true
    }
  }
}
`
    )
    const { profiles, warning } = await loadProfiles(env)
    assert.deepEqual(
      profiles.map((p) => p.name),
      ['dev', 'prod-eu', 'prod-us']
    )
    assert.deepEqual(profiles[1], PROD_EU)
    assert.equal(warning, undefined)
  })

  test(
    'file 0600 and folder 0700, whatever the umask; a looser amsh folder is tightened',
    {
      skip: !posix,
    },
    async () => {
      mkdirSync(configDir(env), { recursive: true, mode: 0o755 })
      chmodSync(configDir(env), 0o755)
      const umask = process.umask(0)
      try {
        await saveProfile(DEV, env)
      } finally {
        process.umask(umask)
      }
      assert.equal(mode(profilesFile(env)), 0o600)
      assert.equal(mode(configDir(env)), 0o700)
    }
  )

  test('a new folder is 0700 too', { skip: !posix }, async () => {
    await saveProfile(DEV, env)
    assert.equal(mode(configDir(env)), 0o700)
  })

  test('written atomically: a new file takes the place of the old, no temporary file stays', async () => {
    await saveProfile(DEV, env)
    const before = statSync(profilesFile(env)).ino
    const old = readFileSync(profilesFile(env), 'utf8')
    await saveProfile(PROD_EU, env)
    await saveProfile({ ...PROD_EU, readOnly: true, confirmWrites: undefined }, env)
    await removeProfile('dev', env)
    assert.deepEqual(readdirSync(configDir(env)), ['profiles.json'])
    // Renamed over, not rewritten in place: whoever had the old file open still reads it whole.
    assert.notEqual(statSync(profilesFile(env)).ino, before)
    assert.match(old, /"dev"/)
  })

  test('a profiles.json that is a link (dotfiles) stays a link', { skip: !posix }, async () => {
    const dotfiles = join(home.dir, 'dotfiles')
    mkdirSync(dotfiles)
    mkdirSync(configDir(env), { recursive: true })
    writeFileSync(join(dotfiles, 'profiles.json'), '{"profiles": {}}\n')
    symlinkSync(join(dotfiles, 'profiles.json'), profilesFile(env))
    await saveProfile(DEV, env)
    assert.ok(lstatSync(profilesFile(env)).isSymbolicLink())
    assert.match(readFileSync(join(dotfiles, 'profiles.json'), 'utf8'), /"dev"/)
    assert.deepEqual(readdirSync(dotfiles), ['profiles.json'])
  })

  test('a file others can read comes with a warning', { skip: !posix }, async () => {
    await saveProfile(DEV, env)
    chmodSync(profilesFile(env), 0o644)
    const { warning } = await loadProfiles(env)
    assert.match(warning ?? '', /can be read by others \(mode 0644\).*chmod 600/)
    assert.match((await findProfile('dev', env)).warning ?? '', /mode 0644/)
    // Saving writes a new file, 0600 again.
    await saveProfile(PROD_EU, env)
    assert.equal((await loadProfiles(env)).warning, undefined)
  })

  test('replacing needs replace: true (the default) or fails with E_CONFLICT', async () => {
    await saveProfile(DEV, env)
    await assert.rejects(
      saveProfile({ ...DEV, url: 'http://other/am' }, env, { replace: false }),
      fails(
        'E_CONFLICT',
        /profile "dev" already exists \(http:\/\/localhost:8080\/am\); add --force/
      )
    )
    const { replaced } = await saveProfile({ ...DEV, url: 'http://other/am' }, env)
    assert.equal(replaced?.url, 'http://localhost:8080/am')
    assert.equal((await findProfile('dev', env)).profile.url, 'http://other/am')
  })

  test('what cannot be read back is not saved', async () => {
    await assert.rejects(
      saveProfile({ ...DEV, name: 'no spaces' }, env),
      fails(
        'E_USAGE',
        /cannot save profile "no spaces":\n {2}\/profiles\/no spaces: is not a profile name/
      )
    )
    await assert.rejects(
      saveProfile({ ...PROD_US, auth: { method: 'amster-key', privateKey: 'relative/key' } }, env),
      fails('E_USAGE', /\/profiles\/prod-us\/auth\/privateKey: must be an absolute path/)
    )
    assert.deepEqual(readdirSync(home.dir), [])
  })
})

describe('a hand-broken file', () => {
  function write(text: string): void {
    mkdirSync(configDir(env), { recursive: true })
    writeFileSync(profilesFile(env), text)
  }

  test('names the file and the JSON pointer of every problem', async () => {
    write(
      JSON.stringify({
        profiles: {
          ok: { url: 'https://ok.example.com/am', auth: { method: 'token', tokenEnv: 'T' } },
          eu: {
            url: 'https://am.eu.example.com/am',
            auth: { method: 'password', username: 'amadmin', passwordEnv: 'hunter2 is my pw' },
          },
          us: { url: 'https://am.us.example.com/am', auth: { method: 'magic' }, readOnly: 'yes' },
          'bad name': { url: 'ftp://x', auth: { method: 'token', tokenEnv: 'T', extra: 1 } },
          rel: { url: 'https://x/am', auth: { method: 'amster-key', privateKey: 'keys/k' } },
        },
      })
    )
    const file = profilesFile(env)
    await assert.rejects(loadProfiles(env), (err: unknown) => {
      assert.ok(err instanceof AmshError)
      assert.equal(err.code, 'E_USAGE')
      assert.ok(err.message.startsWith(`${file} is not a valid connection profiles file:\n`))
      for (const line of [
        '/profiles/eu/auth/passwordEnv: must be the name of an environment variable',
        '/profiles/us/auth/method: must be one of "amster-key", "password", "token", "service-account"',
        '/profiles/us/readOnly: must be of type boolean',
        '/profiles/bad name: is not a profile name',
        '/profiles/bad name/url: must be an http(s) URL',
        '/profiles/bad name/auth/extra: is not an allowed property',
        '/profiles/rel/auth/privateKey: must be an absolute path or start with ~/',
      ]) {
        assert.ok(err.message.includes(`\n  ${line}`), `${line} in\n${err.message}`)
      }
      assert.doesNotMatch(err.message, /\/profiles\/ok/)
      assert.doesNotMatch(err.message, /must match "then"/)
      assert.match(err.message, /amsh profile remove 'bad name'$/)
      const problems = err.details?.problems as { pointer: string }[]
      assert.ok(problems.some((p) => p.pointer === '/profiles/us/readOnly'))
      return true
    })
  })

  test('JSON that does not parse: E_PARSE with the file and line:column', async () => {
    write('{\n  "profiles": {\n    "a": {,\n')
    await assert.rejects(
      loadProfiles(env),
      fails(
        'E_PARSE',
        new RegExp(`${profilesFile(env)} is not valid JSON at 3:11: a value was expected`)
      )
    )
  })

  test('the wrong outer shape', async () => {
    write('[]')
    await assert.rejects(loadProfiles(env), fails('E_USAGE', /\/: must be an object/))
    write('{"profile": {}}')
    await assert.rejects(
      loadProfiles(env),
      fails('E_USAGE', /\/profiles: is required\n {2}\/profile: is not an allowed property/)
    )
  })

  test('one broken entry after another can be removed; the rest is left as it was', async () => {
    const text = `{"profiles": {
      "a": {"url": "https://a/am", "auth": {"method": "nope"}},
      "b": {"url": "https://b/am", "auth": {"method": "token"}},
      "c": {"url": "https://c/am/", "auth": {"method": "token", "tokenEnv": "T"}}}}`
    write(text)
    assert.deepEqual(await removeProfile('a', env), {
      file: profilesFile(env),
      url: 'https://a/am',
    })
    await assert.rejects(
      loadProfiles(env),
      fails('E_USAGE', /\/profiles\/b\/auth\/tokenEnv: is required/)
    )
    await removeProfile('b', env)
    const { profiles } = await loadProfiles(env)
    assert.deepEqual(profiles, [
      { name: 'c', url: 'https://c/am', auth: { method: 'token', tokenEnv: 'T' } },
    ])
    assert.match(readFileSync(profilesFile(env), 'utf8'), /"https:\/\/c\/am\/"/)
  })
})

describe('choosing a profile', () => {
  const prod: ConnectionProfile = { ...DEV, name: 'prod', url: 'https://prod.example.com/am' }
  const all = [PROD_EU, PROD_US, DEV, prod]

  test('the exact name first, even when it is part of other names', () => {
    assert.equal(matchProfile('prod', all), prod)
    assert.equal(matchProfile('prod-eu', all), PROD_EU)
  })

  test('else the name or URL whole, ignoring case', () => {
    assert.equal(matchProfile('PROD-US', all), PROD_US)
    assert.equal(matchProfile('https://am.us.example.com/am/', all), PROD_US)
  })

  test('else the one profile whose name or URL holds it, ignoring case', () => {
    assert.equal(matchProfile('EU', all), PROD_EU)
    assert.equal(matchProfile('localhost', all), DEV)
    assert.equal(matchProfile('am.us.example', all), PROD_US)
  })

  test('several: E_USAGE naming each with its URL', () => {
    assert.throws(
      () => matchProfile('pro', [PROD_EU, PROD_US, DEV]),
      fails(
        'E_USAGE',
        /^profile "pro" matches prod-eu \(https:\/\/am\.eu\.example\.com\/am\) and prod-us \(https:\/\/am\.us\.example\.com\/am\); give more of the name$/
      )
    )
    assert.throws(
      () => matchProfile('example', all),
      fails('E_USAGE', /matches prod-eu \(.*\), prod-us \(.*\) and prod \(.*\); give more/)
    )
  })

  test('none: E_USAGE listing the names', () => {
    assert.throws(
      () => matchProfile('staging', all),
      fails(
        'E_USAGE',
        /^no profile matches "staging"; the profiles are dev, prod, prod-eu, prod-us$/
      )
    )
    assert.throws(
      () => matchProfile('staging', [], '/x/profiles.json'),
      fails(
        'E_USAGE',
        /there are no profiles yet \(\/x\/profiles\.json\); add one with amsh profile add/
      )
    )
    assert.throws(() => matchProfile(' ', all), fails('E_USAGE', /chosen by its name/))
  })

  test('findProfile reads the file', async () => {
    await saveProfile(PROD_EU, env)
    await saveProfile(PROD_US, env)
    const found = await findProfile('us', env)
    assert.deepEqual(found, { profile: PROD_US, file: profilesFile(env) })
    await assert.rejects(findProfile('prod', env), fails('E_USAGE', /give more of the name/))
  })
})

describe('removing a profile', () => {
  test('takes its exact name', async () => {
    await saveProfile(PROD_EU, env)
    await saveProfile(DEV, env)
    await assert.rejects(
      removeProfile('prod', env),
      fails('E_NOT_FOUND', /no profile named "prod".*the profiles are dev, prod-eu/)
    )
    await assert.rejects(
      removeProfile('prod-ue', env),
      fails('E_NOT_FOUND', /did you mean "prod-eu"/)
    )
    await removeProfile('prod-eu', env)
    assert.deepEqual(
      (await loadProfiles(env)).profiles.map((p) => p.name),
      ['dev']
    )
  })
})

describe('the connect request a profile stands for', () => {
  test('is what the same connect line would give', () => {
    const cases: [ConnectionProfile, string[]][] = [
      [
        { ...PROD_EU, caFile: '/etc/ca.pem', timeoutSeconds: 30 },
        [
          'https://am.eu.example.com/am',
          '--username',
          'amadmin',
          '--password-env',
          'AM_PASSWORD',
          '--ca-file',
          '/etc/ca.pem',
          '-t',
          '30',
        ],
      ],
      [PROD_US, ['https://am.us.example.com/am', '-k', '/keys/amster_rsa']],
      [DEV, ['http://localhost:8080/am', '--token-env', 'AM_TOKEN']],
      [
        { ...DEV, auth: { method: 'amster-key' }, insecure: true },
        ['http://localhost:8080/am', '--insecure'],
      ],
      [
        { ...DEV, auth: { method: 'service-account', saId: 'sa', saJwkFile: '/k/sa.jwk' } },
        ['http://localhost:8080/am', '--sa-id', 'sa', '--sa-jwk-file', '/k/sa.jwk'],
      ],
      [
        {
          ...DEV,
          auth: { method: 'password', username: 'bob', passwordFile: '/p', journey: 'Login' },
        },
        [
          'http://localhost:8080/am',
          '--username',
          'bob',
          '--password-file',
          '/p',
          '--journey',
          'Login',
        ],
      ],
    ]
    for (const [profile, words] of cases) {
      assert.deepEqual(profileRequest(profile, env), parseConnect(words), words.join(' '))
    }
  })

  test('~/ paths are the home folder', () => {
    const request = profileRequest(
      {
        ...DEV,
        auth: { method: 'amster-key', privateKey: '~/.ssh/amster_rsa' },
        caFile: '~/ca.pem',
      },
      env
    )
    assert.equal(request.privateKey, join(home.dir, '.ssh', 'amster_rsa'))
    assert.equal(request.caFile, join(home.dir, 'ca.pem'))
  })

  test('a stored password is not in the request, storedPassword gives it, redaction hides it', () => {
    const profile: ConnectionProfile = {
      ...DEV,
      auth: { method: 'password', username: 'bob', password: 's3cret' },
    }
    assert.equal(JSON.stringify(profileRequest(profile, env)).includes('s3cret'), false)
    assert.equal(storedPassword(profile), 's3cret')
    assert.equal(storedPassword(PROD_EU), undefined)
    assert.deepEqual(redactProfile(profile).auth, {
      method: 'password',
      username: 'bob',
      password: '***',
    })
  })
})

describe('amsh profile', () => {
  function amsh(args: string[], input = '', extra: Record<string, string> = {}) {
    return runAmsh(['profile', ...args], {
      input,
      env: { XDG_CONFIG_HOME: env.XDG_CONFIG_HOME!, HOME: home.dir, ...extra },
      cwd: home.dir,
    })
  }
  const stored = () => readFileSync(profilesFile(env), 'utf8')
  function exits(args: string[], status: number) {
    const run = amsh(args)
    assert.equal(run.status, status, `amsh profile ${args.join(' ')}: ${run.stderr}`)
  }

  test('add, list, show, remove', async () => {
    let run = amsh([
      'add',
      'prod-eu',
      'https://am.eu.example.com/am/',
      '--username',
      'amadmin',
      '--password-env',
      'AM_PASSWORD',
      '--confirm-writes',
    ])
    assert.equal(run.status, 0, run.stderr)
    assert.equal(
      run.stdout,
      'saved profile "prod-eu": https://am.eu.example.com/am, password amadmin (env AM_PASSWORD)\n'
    )
    run = amsh([
      'add',
      'prod-us',
      'https://am.us.example.com/am',
      '-k',
      '~/.ssh/k',
      '--read-only',
      '-t',
      '30',
    ])
    assert.equal(run.status, 0, run.stderr)
    assert.match(run.stderr, /note: --private-key .*\/\.ssh\/k does not exist \(yet\)/)
    run = amsh(['add', 'dev', 'http://localhost:8080/am', '--token-env', 'AM_TOKEN'])
    assert.equal(run.status, 0, run.stderr)

    run = amsh(['list'])
    assert.equal(run.status, 0, run.stderr)
    assert.deepEqual(
      run.stdout.split('\n').map((line) => line.split(/ {2,}/)),
      [
        ['NAME', 'URL', 'AUTH', 'FLAGS'],
        ['dev', 'http://localhost:8080/am', 'token (env AM_TOKEN)', '-'],
        [
          'prod-eu',
          'https://am.eu.example.com/am',
          'password amadmin (env AM_PASSWORD)',
          'confirm-writes',
        ],
        [
          'prod-us',
          'https://am.us.example.com/am',
          `amster key (${join(home.dir, '.ssh', 'k')})`,
          'read-only, timeout 30s',
        ],
        [''],
      ]
    )
    // The columns line up.
    const starts = run.stdout
      .split('\n')
      .slice(0, 4)
      .map((line) => line.indexOf('http'))
    assert.deepEqual(starts.slice(1), [starts[1], starts[1], starts[1]])
    run = amsh(['list', '-o', 'json'])
    assert.deepEqual(
      (JSON.parse(run.stdout) as { name: string }[]).map((p) => p.name),
      ['dev', 'prod-eu', 'prod-us']
    )

    run = amsh(['show', 'eu'])
    assert.equal(run.status, 0, run.stderr)
    assert.deepEqual(JSON.parse(run.stdout), { ...PROD_EU })
    run = amsh(['show', 'prod'])
    assert.equal(run.status, 2, run.stderr)
    assert.match(
      run.stderr,
      /^E_USAGE: profile "prod" matches prod-eu .* and prod-us .*; give more/
    )

    run = amsh(['remove', 'dev'])
    assert.equal(run.status, 0, run.stderr)
    assert.equal(run.stdout, 'removed profile "dev" (http://localhost:8080/am)\n')
    run = amsh(['remove', 'dev'])
    assert.equal(run.status, 3, run.stderr)
    assert.match(run.stderr, /^E_NOT_FOUND: there is no profile named "dev"/)
    if (posix) assert.equal(mode(profilesFile(env)), 0o600)
  })

  test('an existing name needs --force', () => {
    exits(['add', 'dev', 'http://a/am'], 0)
    const run = amsh(['add', 'dev', 'http://b/am'])
    assert.equal(run.status, 3, run.stderr)
    assert.match(
      run.stderr,
      /^E_CONFLICT: profile "dev" already exists \(http:\/\/a\/am\); add --force/
    )
    const forced = amsh(['add', 'dev', 'http://b/am', '--force'])
    assert.equal(forced.status, 0, forced.stderr)
    assert.match(forced.stdout, /^replaced profile "dev": http:\/\/b\/am/)
  })

  test('a password is never stored without --store-password-insecurely', () => {
    let run = amsh(['add', 'a', 'https://a/am', '--password', 'hunter2'])
    assert.equal(run.status, 2, run.stderr)
    assert.match(run.stderr, /--password would leave the password in your shell history/)
    run = amsh(
      ['add', 'a', 'https://a/am', '--username', 'bob', '--password-env', 'PW'],
      'stdin-pw',
      {
        PW: 'env-pw',
      }
    )
    assert.equal(run.status, 0, run.stderr)
    assert.doesNotMatch(stored(), /hunter2|env-pw|stdin-pw|"password":/)
    run = amsh(['add', 'b', 'https://b/am', '--username', 'bob'], 'stdin-pw')
    assert.equal(run.status, 0, run.stderr)
    assert.match(run.stdout, /password bob \(asked\)/)
    assert.doesNotMatch(stored(), /stdin-pw|"password":/)
  })

  test('--store-password-insecurely reads stdin, warns, and show/list hide it', () => {
    let run = amsh(
      ['add', 'c', 'https://c/am', '--username', 'bob', '--store-password-insecurely'],
      's3cret\n'
    )
    assert.equal(run.status, 0, run.stderr)
    assert.match(run.stderr, /WARNING: the password of profile "c" is kept in plain text/)
    assert.match(stored(), /"password": "s3cret"/)
    run = amsh(['show', 'c'])
    assert.equal(JSON.parse(run.stdout).auth.password, '***')
    assert.doesNotMatch(
      run.stdout + amsh(['list', '-o', 'json']).stdout + amsh(['list']).stdout,
      /s3cret/
    )
    run = amsh(['add', 'd', 'https://d/am', '--username', 'bob', '--store-password-insecurely'], '')
    assert.equal(run.status, 2, run.stderr)
    assert.match(run.stderr, /reads the password from stdin, and it was empty/)
  })

  test('refuses what makes no sense, before writing anything', () => {
    const cases: [string[], RegExp][] = [
      [['bad name', 'https://a/am'], /"bad name" is not a profile name; use letters, digits/],
      [['a', 'ftp://a/am'], /"ftp:\/\/a\/am" is not an http\(s\) URL/],
      [['a', 'am.example.com'], /is not a URL; write AM's base URL/],
      [['a', 'https://bob:pw@a/am'], /carries a user name or password/],
      [
        ['a', 'https://a/am', '--token-env', 'T', '--username', 'u'],
        /choose one way to log in, not --username and --token-env/,
      ],
      [
        ['a', 'https://a/am', '-k', '/k', '--sa-id', 's', '--sa-jwk-file', '/j'],
        /choose one way to log in, not --private-key and --sa-id/,
      ],
      [
        ['a', 'https://a/am', '--token-env', 'eyJhbGciOi.x.y'],
        /--token-env takes the name of an environment variable/,
      ],
      [
        ['a', 'https://a/am', '--password-env', 'A', '--password-file', '/p'],
        /the password comes from one place/,
      ],
      [['a', 'https://a/am', '--sa-id', 's'], /needs both --sa-id and --sa-jwk-file/],
      [['a', 'https://a/am', '--journey', 'J'], /--journey applies to a password login/],
      [
        ['a', 'http://a/am', '--insecure'],
        /--insecure is about TLS certificates, and http:\/\/a\/am is plain http/,
      ],
      [['a', 'https://a/am', '--insecure', '--ca-file', '/ca'], /choose one/],
      [
        ['a', 'https://a/am', '--read-only', '--confirm-writes'],
        /--confirm-writes would never ask/,
      ],
      [['a', 'https://a/am', '-t', '0'], /-t takes a number of seconds/],
    ]
    for (const [args, message] of cases) {
      const run = amsh(['add', ...args])
      assert.equal(run.status, 2, `${args.join(' ')}: ${run.stderr}`)
      assert.match(run.stderr, /^E_USAGE: profile add: /, args.join(' '))
      assert.match(run.stderr, message, args.join(' '))
    }
    // Nothing but the compiled code bin/amsh.js keeps in ~/.cache/amsh, which is no one's data.
    assert.deepEqual(
      readdirSync(home.dir).filter((name) => name !== '.cache'),
      []
    )
  })

  test('usage: help is 0, a bad command line 2', () => {
    exits(['--help'], 0)
    assert.match(amsh(['--help']).stdout, /add \[options\] <name> <url>/)
    exits(['add', '--help'], 0)
    exits([], 2)
    exits(['frob'], 2)
    exits(['add', 'x'], 2)
    exits(['list', '-o', 'yaml'], 2)
    assert.match(amsh(['add', 'x', 'https://x/am', '--bogus']).stderr, /unknown option '--bogus'/)
  })

  test('a hand-broken file: exit 2 and the pointer', () => {
    mkdirSync(configDir(env), { recursive: true })
    writeFileSync(
      profilesFile(env),
      '{"profiles": {"x": {"url": "https://x/am", "auth": {"method": "token", "tokenEnv": 7}}}}'
    )
    const run = amsh(['list'])
    assert.equal(run.status, 2, run.stderr)
    assert.match(
      run.stderr,
      /is not a valid connection profiles file:\n {2}\/profiles\/x\/auth\/tokenEnv: must be of type string/
    )
    assert.doesNotMatch(run.stderr, /\n\s+at /)
  })
})
