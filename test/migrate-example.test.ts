import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { test } from 'node:test'
import { b64, BIN, runAmsh, SERVE_PASSWORD, startServe, tempDir } from './helpers.ts'

// examples/migrate/dev-to-prod.sh as CI runs it: two `amsh serve` on loopback as "dev" and
// "prod", realm /alpha moved from one to the other with a diff, a plan, an import, a check and
// a second import that writes nothing, and the import taken back with undo.

function bash(
  script: string,
  args: string[],
  env: Record<string, string>
): Promise<{ status: number | null; stderr: string }> {
  return new Promise((done) => {
    const child = spawn('bash', [script, ...args], { env: { ...process.env, ...env } })
    let stderr = ''
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.stdout.resume()
    child.on('close', (status) => done({ status, stderr }))
  })
}

test('examples/migrate/dev-to-prod.sh moves /alpha from dev to prod', async () => {
  const [dev, prod] = await Promise.all([startServe([], { realms: ['/alpha'] }), startServe()])
  const home = tempDir()
  try {
    const env = { AMSH_HOME: home.dir, XDG_CONFIG_HOME: home.dir, AMSH_PASSWORD: SERVE_PASSWORD }
    const body = {
      name: 'Check user',
      description: 'd',
      script: b64('var a = 1;'),
      language: 'JAVASCRIPT',
      context: 'OIDC_CLAIMS',
    }
    const seeded = runAmsh(
      [
        '-c',
        `connect ${dev.base} --username amadmin --password-env AMSH_PASSWORD`,
        '-c',
        `create Scripts --realm /alpha --body '${JSON.stringify(body)}'`,
      ],
      { env }
    )
    assert.equal(seeded.status, 0, seeded.stderr)
    const ran = await bash('examples/migrate/dev-to-prod.sh', [dev.base, prod.base, home.dir], {
      ...env,
      AMSH: `${process.execPath} ${BIN}`,
    })
    assert.equal(ran.status, 0, ran.stderr)
    assert.match(ran.stderr, /\d+ same, 0 changed, 3 only in .*alpha, 0 only in prod/)
    assert.match(ran.stderr, /create +Scripts \/alpha \S+ "Check user"/)
    assert.match(ran.stderr, /imported \d+: 2 created, 1 updated/)
    assert.match(
      ran.stderr,
      /prod now holds what dev exported \(exit 0\)\n\d+ same, 0 changed, 0 only/
    )
    assert.match(ran.stderr, /imported \d+: 0 created, 0 updated, \d+ unchanged/)
    assert.match(ran.stderr, /journal batch \d+: take it back with undo --batch \d+/)
    assert.match(ran.stderr, /undid batch \d+: 2 deleted/)
  } finally {
    dev.stop()
    prod.stop()
    home.remove()
  }
})
