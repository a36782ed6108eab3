// The reference for `amsh serve` (npm run bench): a minimal node:http server that reads each
// request's body and answers the bytes amsh serve answered the same request (recorded by the
// benchmark: status, headers, body), and logs one line per request to stderr as serve does (the
// lines of a turn of the event loop in one write). What amsh serve costs beyond this is
// routing, checking, the store and the session.
//
//   node bench/bare-server.mjs <answers.json>     answers: { "PUT": {status, headers, body}, ... }
import { readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { performance } from 'node:perf_hooks'
import { setImmediate } from 'node:timers'

const answers = JSON.parse(readFileSync(process.argv[2], 'utf8'))
// One write per turn of the event loop, as amsh serve logs (src/output/buffered.ts, turnLog).
let lines = []
const flush = () => {
  const text = lines.join('')
  lines = []
  process.stderr.write(text)
}
const log = (line) => {
  if (lines.push(`${line}\n`) === 1) setImmediate(flush)
}

const server = createServer((request, response) => {
  const started = performance.now()
  const chunks = []
  request.on('data', (chunk) => chunks.push(chunk))
  request.on('end', () => {
    Buffer.concat(chunks).toString('utf8')
    const answer = answers[request.method] ?? { status: 405, headers: {}, body: '' }
    response.writeHead(answer.status, answer.headers)
    response.end(answer.body)
    log(
      `${request.method} ${request.url} ${answer.status} ${(performance.now() - started).toFixed(1)}ms`
    )
  })
})
server.keepAliveTimeout = 60_000
server.listen(0, '127.0.0.1', () => {
  log(`amsh serve: http://127.0.0.1:${server.address().port}/am (bare reference)`)
})
process.on('SIGTERM', () => server.close(() => process.exit(0)))
