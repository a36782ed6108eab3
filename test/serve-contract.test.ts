import { PasswordLogin } from '../src/transport/am/auth.ts'
import { AmTransport } from '../src/transport/am/transport.ts'
import { JansApi } from '../src/server/jans/api.ts'
import { serve } from '../src/server/serve.ts'
import { JansTransport } from '../src/transport/jans/transport.ts'
import { SCRIPT_SCOPES } from '../src/transport/jans/token.ts'
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
  entities: ['Scripts', 'Realms'],
  skip: [
    {
      reason:
        'AM has no transactions: atomic() is the local store only (--atomic over REST rolls a failed batch back from the journal instead: test/journal.test.ts)',
      tests: ['atomic: the writes of work that fails are not kept'],
    },
  ],
})

// And through Janssen's API: the Janssen transport to `amsh serve --flavour jans`, with a token
// from its client-credentials endpoint.
async function overJansHttp() {
  const store = new LocalStore({ path: ':memory:', product: 'am8' })
  const client = { id: 'contract-client', secret: 'contract-secret' }
  const { server, url } = await serve({
    router: new JansApi({ transport: store, client, lifetime: 300 }),
    host: '127.0.0.1',
    port: 0,
    contextPath: '',
    log: () => undefined,
  })
  const transport = new JansTransport({
    baseUrl: url,
    client: { clientId: client.id, clientSecret: client.secret, scopes: SCRIPT_SCOPES },
  })
  return {
    transport,
    dispose: async () => {
      transport.close()
      server.closeAllConnections()
      await new Promise((done) => server.close(done))
      store.close()
    },
  }
}

runCrudContract({
  name: 'Janssen transport → serve --flavour jans (HTTP)',
  open: overJansHttp,
  entities: ['CustomScripts'],
  singleton: false,
  skip: [
    {
      reason: "Janssen has no transactions: atomic() is the local store's only",
      tests: ['atomic: the writes of work that fails are not kept'],
    },
  ],
})
