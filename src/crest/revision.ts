/** AM's _rev is a Java hashCode of the configuration: a signed 32-bit integer as text. */
export function revision(text: string): string {
  let hash = 0
  for (let i = 0; i < text.length; i++) hash = (Math.imul(31, hash) + text.charCodeAt(i)) | 0
  return String(hash)
}
