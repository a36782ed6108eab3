/*
 * Scripted decision node: continue only when a username has been collected.
 */
var username = nodeState.get('username')
if (username && String(username).length > 0) {
  outcome = 'true'
} else {
  outcome = 'false'
}
