// Which JWS algorithm a key signs with: an elliptic-curve JWK by its curve, an SSH key (Amster's
// key login) by its type. The client's logins and the server's checks both go by these.

export type KeyAlgorithm = 'RS256' | 'ES256' | 'ES384' | 'ES512'

const BY_CURVE: Record<string, KeyAlgorithm> = {
  'P-256': 'ES256',
  'P-384': 'ES384',
  'P-521': 'ES512',
}

/** The SSH key types AM's authorized_keys takes. */
const BY_SSH_TYPE: Record<string, KeyAlgorithm> = {
  'ssh-rsa': 'RS256',
  'ecdsa-sha2-nistp256': 'ES256',
  'ecdsa-sha2-nistp384': 'ES384',
  'ecdsa-sha2-nistp521': 'ES512',
}

export function ecAlgorithm(curve: string | undefined): KeyAlgorithm | undefined {
  return BY_CURVE[curve ?? '']
}

export function sshKeyAlgorithm(type: string): KeyAlgorithm | undefined {
  return BY_SSH_TYPE[type]
}
