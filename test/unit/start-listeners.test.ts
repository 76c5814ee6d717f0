import { describe, expect, it } from 'vitest'
import { parseStartOptions } from '../../scripts/lib/start-options'
import { listenersOf } from '../../scripts/lib/start-worker'

describe('listenersOf: where npm start takes requests', () => {
  it('hands requests on --ip:--port straight to the Worker, and keeps Miniflare’s entry on loopback', () => {
    const listeners = listenersOf(parseStartOptions(['--port', '9100', '--ip', '0.0.0.0']))
    expect(listeners.worker).toEqual([{ host: '0.0.0.0', port: 9100 }])
    // The entry still serves the crons (getWorker), on a port of its own that no client is told.
    expect(listeners.entry).toEqual({ host: '127.0.0.1', port: 0 })
  })

  it('serves --ip:--port through the entry under --test-scheduled, which answers /cdn-cgi/handler/scheduled', () => {
    const listeners = listenersOf(parseStartOptions(['--port', '9100', '--test-scheduled']))
    expect(listeners.worker).toEqual([])
    expect(listeners.entry).toEqual({ host: '127.0.0.1', port: 9100 })
  })
})
