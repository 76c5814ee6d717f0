/**
 * The final state, read back after the storm: every user and group through the lists (1000 a page,
 * the server's largest), then each group by itself for its members, as the issue asks.
 */
import type { LoadHttp } from './load-client'
import { type FinalGroup, type FinalState, finalGroup, finalUser } from './load-fields'
import { lanes } from './wire'

const PAGE = 1000
// A few at a time: the read-back shares the tenant's rate limit and one workerd with nothing else.
const GROUP_LANES = 8

type Json = Record<string, unknown>

async function readAll(http: LoadHttp, path: string): Promise<Json[]> {
  const resources: Json[] = []
  for (let startIndex = 1; ; startIndex += PAGE) {
    const separator = path.includes('?') ? '&' : '?'
    const { op, json } = await http.read(`${path}${separator}count=${PAGE}&startIndex=${startIndex}`)
    if (op.status !== 200 || !json) throw new Error(`Reading back ${path}: ${op.status}`)
    resources.push(...((json.Resources as Json[] | undefined) ?? []))
    if (startIndex + PAGE > Number(json.totalResults)) return resources
  }
}

export async function readFinalState(http: LoadHttp): Promise<FinalState> {
  const users = (await readAll(http, '/Users')).map(finalUser)
  const listed = await readAll(http, '/Groups?excludedAttributes=members')
  const groups: FinalGroup[] = []
  let next = 0
  await lanes(GROUP_LANES, async () => {
    const group = listed[next++]
    if (!group) return false
    const { op, json } = await http.read(`/Groups/${group.id}`)
    if (op.status !== 200 || !json) throw new Error(`Reading back group ${group.id}: ${op.status}`)
    groups.push(finalGroup(json))
    return true
  })
  return { users, groups }
}
