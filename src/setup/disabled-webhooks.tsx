import type { DisabledWebhook } from '../webhooks/disabled-endpoints'

const dateTime = (iso: string) => `${iso.slice(0, 16).replace('T', ' ')} UTC`

function lastAnswer(w: DisabledWebhook) {
  if (w.lastStatus !== null) return `the last attempt got HTTP ${w.lastStatus}`
  return w.lastError ? `the last attempt failed: ${w.lastError}` : undefined
}

/**
 * The log's note on change notifications that stopped: the application behind this host no longer
 * hears about this directory's changes until its operator re-enables the endpoint. Provisioning itself
 * is unaffected, and the changes wait in the change feed, which is what the IT admin needs to know.
 */
export function DisabledWebhooks(props: { webhooks: DisabledWebhook[] }) {
  if (props.webhooks.length === 0) return null
  return (
    <>
      <h3>Change notifications</h3>
      <ul data-testid="disabled-webhooks">
        {props.webhooks.map((w) => {
          const answer = lastAnswer(w)
          return (
            <li>
              <span class="badge bad">✗ Disabled</span> {w.disabledAt ? dateTime(w.disabledAt) : ''}{' '}
              notifications of changes to <code>{w.host}</code> were turned off: {w.reason}
              {answer && <> ({answer})</>}.
              <br />
              Provisioning still works and every change is kept; the application behind {w.host} catches up
              once its operator fixes the receiver and re-enables it. <strong>What to do:</strong> nothing in
              your identity provider; tell the application’s vendor if it persists.
            </li>
          )
        })}
      </ul>
    </>
  )
}
