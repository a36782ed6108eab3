import { createPrivateKey, type KeyObject } from 'node:crypto'
import { existsSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import sshpk from 'sshpk'
import { AmshError } from '../../errors.ts'
import { sshKeyAlgorithm, type KeyAlgorithm } from '../../jws-algorithms.ts'

// Amster's private keys: RSA or ECDSA, as PKCS#1, PKCS#8 or OpenSSH files (sshpk reads them all).
// AM finds the matching line of its authorized_keys by the JWT's `kid`: the key's SSH public
// blob, the middle field of that line.

export interface SigningKey {
  file: string
  key: KeyObject
  alg: KeyAlgorithm
  /** The base64 SSH wire form of the public key. */
  kid: string
}

/** The files Amster looks for in a folder given to -k, in its order. */
const KEY_FILES = ['amster_rsa', 'id_rsa', 'id_ecdsa']

function keyFile(path: string): string {
  if (!existsSync(path)) throw new AmshError('E_IO', `private key ${path}: no such file or folder`)
  if (!statSync(path).isDirectory()) return path
  const found = KEY_FILES.map((name) => join(path, name)).find((file) => existsSync(file))
  if (!found) {
    throw new AmshError('E_IO', `private key: ${path} holds none of ${KEY_FILES.join(', ')}`)
  }
  return found
}

export function loadSigningKey(path: string): SigningKey {
  const file = keyFile(path)
  const problem = (why: string) =>
    new AmshError('E_IO', `cannot use ${file} as a private key: ${why}`)
  let parsed: sshpk.PrivateKey
  try {
    parsed = sshpk.parsePrivateKey(readFileSync(file), 'auto', { filename: file })
  } catch (err) {
    if (err instanceof Error && err.name === 'KeyEncryptedError') {
      throw problem(
        `it is protected by a passphrase; remove it with ssh-keygen -p -N '' -f ${file}`
      )
    }
    throw problem(
      'it is not an RSA or ECDSA private key in PKCS#1, PKCS#8 or OpenSSH form (a .pub file is the public half)'
    )
  }
  const [type = '', kid = ''] = parsed.toPublic().toString('ssh').split(' ')
  const alg = sshKeyAlgorithm(type)
  if (!alg) {
    throw problem(
      `AM's key login takes RSA and ECDSA keys, not ${parsed.type}; make one with ssh-keygen -t rsa -b 4096 -m pem -f amster_rsa`
    )
  }
  return { file, key: createPrivateKey(parsed.toString('pkcs8')), alg, kid }
}
