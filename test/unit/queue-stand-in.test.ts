import type { WorkerOptions } from 'miniflare'
import { describe, expect, it } from 'vitest'
import { queueStandIns } from '../../scripts/lib/queue-stand-in'

describe('npm start: stand-in consumers', () => {
  it('consumes only the produced-to queues that no Worker here consumes', () => {
    const workers: WorkerOptions[] = [
      {
        name: 'edge-scim',
        queueProducers: { SCIM_EVENTS: { queueName: 'edge-scim-events' }, AUDIT: { queueName: 'audit' } },
        queueConsumers: { audit: {} },
      },
    ]
    const [standIn, ...rest] = queueStandIns(workers, '2026-04-20')
    expect(rest).toEqual([])
    expect(Object.keys(standIn?.queueConsumers ?? {})).toEqual(['edge-scim-events'])
  })

  it('adds nothing when every queue has its consumer', () => {
    const workers: WorkerOptions[] = [
      { name: 'a', queueProducers: { Q: { queueName: 'q' } } },
      { name: 'b', queueConsumers: ['q'] },
    ]
    expect(queueStandIns(workers, '2026-04-20')).toEqual([])
  })
})
