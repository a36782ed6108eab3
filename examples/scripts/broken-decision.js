var user = nodeState.get('username')
if (user {
  outcome = 'true'
}
