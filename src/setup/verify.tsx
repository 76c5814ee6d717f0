import type { UsageCount } from '../activity/activity-batch'
import { explainFailure } from '../activity/explain'
import type { Activity } from '../activity/reads'
import { DisabledWebhooks } from './disabled-webhooks'
import { clock } from './layout'
import type { Provider } from './providers'

export interface VerifyModel {
  provider: Provider
  activity: Activity
  counts: { users: number; groups: number }
}

const ok = (status: number) => status < 400
const request = (u: Pick<UsageCount, 'method' | 'endpoint'>) => `${u.method} ${u.endpoint}`

/** The headline in words: whether the provider reached us, when, and how it went. */
export function headline({ provider, activity }: VerifyModel): { tone: 'ok' | 'bad' | 'warn'; text: string } {
  const byFirst = [...activity.usage].sort((a, b) => a.firstAt.localeCompare(b.firstAt))
  const firstSuccess = byFirst.find((u) => ok(u.status))
  const latestFailure = activity.failures[0]
  if (!firstSuccess && !latestFailure)
    return {
      tone: 'warn',
      text: `Waiting for ${provider.name}’s ${provider.testName}: nothing has reached us yet since this link was created. This section updates by itself.`,
    }
  if (!firstSuccess && latestFailure) {
    const { explanation } = explainFailure(latestFailure, provider.id)
    return {
      tone: 'bad',
      text: `${provider.name}’s ${provider.testName} reached us at ${clock(latestFailure.at)} and failed (${latestFailure.status}): ${explanation}`,
    }
  }
  const success = firstSuccess as UsageCount
  const isTest = success.method === 'GET' && /\/(Users|Groups)$/.test(success.endpoint)
  const what = isTest ? provider.testName : 'first request'
  return {
    tone: 'ok',
    text: `${provider.name}’s ${what} reached us at ${clock(success.firstAt)} and succeeded (${request(success)}, ${success.status}).`,
  }
}

function StatusText(props: { status: number }) {
  return ok(props.status) ? (
    <span class="badge ok">✓ Succeeded ({props.status})</span>
  ) : (
    <span class="badge bad">✗ Failed ({props.status})</span>
  )
}

/** The live part of step 4, also served alone (GET /setup/status) for the page to refresh. */
export function VerifyFragment(props: VerifyModel) {
  const { activity, counts, provider } = props
  const line = headline(props)
  const recent = [...activity.usage].sort((a, b) => b.lastAt.localeCompare(a.lastAt)).slice(0, 10)
  return (
    <div>
      <p class={`notice ${line.tone}`} role="status" data-testid="headline">
        {line.text}
      </p>
      <div class="counts">
        <div>
          <strong data-testid="user-count">{counts.users}</strong> {counts.users === 1 ? 'user' : 'users'}
        </div>
        <div>
          <strong data-testid="group-count">{counts.groups}</strong>{' '}
          {counts.groups === 1 ? 'group' : 'groups'}
        </div>
      </div>
      <h3>Latest requests</h3>
      {recent.length === 0 ? (
        <p class="muted">None yet.</p>
      ) : (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Last at</th>
                <th scope="col">Request</th>
                <th scope="col">Outcome</th>
                <th scope="col">Count</th>
                <th scope="col">Client</th>
              </tr>
            </thead>
            <tbody>
              {recent.map((u) => (
                <tr>
                  <td>{clock(u.lastAt)}</td>
                  <td>
                    <code>{request(u)}</code>
                  </td>
                  <td>
                    <StatusText status={u.status} />
                  </td>
                  <td>{u.count}</td>
                  <td>{u.client}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <h3>Errors</h3>
      {activity.failures.length === 0 ? (
        <p class="muted">No failed requests.</p>
      ) : (
        <ul data-testid="errors">
          {activity.failures.slice(0, 10).map((f) => {
            const { explanation, action } = explainFailure(f, provider.id)
            return (
              <li>
                <StatusText status={f.status} /> {clock(f.at)} <code>{request(f)}</code>
                {f.scimType && <> ({f.scimType})</>}
                {f.resourceId && <> on {f.resourceId}</>}
                <br />
                {explanation} <strong>What to do:</strong> {action}
                {f.detail && (
                  <span class="hint">
                    Server detail: “{f.detail}”{f.requestId && <>, request id {f.requestId}</>}
                  </span>
                )}
              </li>
            )
          })}
        </ul>
      )}
      {activity.unitemizedFailures > 0 && (
        <p class="muted">
          {activity.unitemizedFailures} more failed requests were counted above but not listed: failures
          arriving faster than 20 per 10 seconds are only counted.
        </p>
      )}
      <DisabledWebhooks webhooks={activity.disabledWebhooks} />
    </div>
  )
}
