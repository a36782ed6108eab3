import { getProfile } from '../src/catalog/profiles.ts'
import { Router } from '../src/server/router.ts'
import { serve } from '../src/server/serve.ts'
import { Sessions } from '../src/server/sessions.ts'
import { PasswordLogin } from '../src/transport/am/auth.ts'
import { AmTransport } from '../src/transport/am/transport.ts'
import { LocalStore } from '../src/transport/local/store.ts'
import { runTransportContract } from './transport-contract.ts'

// The shared suite once more, now through HTTP: the AM transport speaks AM's REST API to the
// server of `amsh serve` on a loopback port, in front of a fresh store for every test.

runTransportContract('AM transport → serve (HTTP)', async () => {
  const store = new LocalStore({ path: ':memory:', product: 'am8' })
  const router = new Router({
    transport: store,
    profile: getProfile('am8'),
    sessions: new Sessions('secret'),
    cookieName: 'iPlanetDirectoryPro',
    version: { version: '8.1.0', fullVersion: 'PingAM 8.1.0' },
  })
  const { server, url } = await serve({
    router,
    host: '127.0.0.1',
    port: 0,
    contextPath: '/am',
    log: () => undefined,
  })
  const transport = new AmTransport({
    baseUrl: url,
    credentials: new PasswordLogin('amadmin', 'secret'),
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
})
