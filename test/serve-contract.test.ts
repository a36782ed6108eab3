import { PasswordLogin } from '../src/transport/am/auth.ts'
import { AmTransport } from '../src/transport/am/transport.ts'
import { LocalStore } from '../src/transport/local/store.ts'
import { SERVE_PASSWORD, serveInProcess } from './helpers.ts'
import { runTransportContract } from './transport-contract.ts'

// The shared suite once more, now through HTTP: the AM transport speaks AM's REST API to the
// server of `amsh serve` on a loopback port, in front of a fresh store for every test.

runTransportContract('AM transport → serve (HTTP)', async () => {
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
})
