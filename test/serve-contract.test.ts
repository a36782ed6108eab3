import { PasswordLogin } from '../src/transport/am/auth.ts'
import { AmTransport } from '../src/transport/am/transport.ts'
import { LocalStore } from '../src/transport/local/store.ts'
import { SERVE_PASSWORD, serveInProcess } from './helpers.ts'
import { runCrudContract } from './crud-contract.ts'
import { runTransportContract } from './transport-contract.ts'

// The shared suite once more, now through HTTP: the AM transport speaks AM's REST API to the
// server of `amsh serve` on a loopback port, in front of a fresh store for every test.

async function overHttp() {
  const store = new LocalStore({ path: ':memory:', product: 'am8' })
  const served = await serveInProcess(store)
  const transport = new AmTransport({
    baseUrl: served.url,
    credentials: new PasswordLogin('amadmin', SERVE_PASSWORD),
  })
  return {
    transport,
    dispose: async () => {
      transport.close()
      await served.close()
      store.close()
    },
  }
}

runTransportContract('AM transport → serve (HTTP)', overHttp)

runCrudContract({
  name: 'AM transport → serve (HTTP)',
  open: overHttp,
  skip: [
    {
      reason:
        'AM has no transactions: atomic() is the local store only (--atomic over REST rolls a failed batch back from the journal instead: test/journal.test.ts)',
      tests: ['atomic: the writes of work that fails are not kept'],
    },
  ],
})
