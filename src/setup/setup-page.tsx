import type { TokenMetadata } from '../control/tokens'
import { clock, Layout, Rich } from './layout'
import { type Field, PROVIDERS, type Provider } from './providers'
import { VerifyFragment, type VerifyModel } from './verify'

export interface TokenRow extends TokenMetadata {
  lastUsedAt?: string
  lastUsedBy?: string
}

export interface SetupPageProps {
  nonce: string
  tenant: string
  baseUrl: string
  sessionExpiresAt: string
  provider?: Provider
  /** A token just generated: shown in this answer only. */
  issued?: { token: string; tokenId: string; expiresAt?: string }
  tokens: TokenRow[]
  verify?: VerifyModel
  notice?: { tone: 'ok' | 'bad'; text: string }
}

const EXPIRY_CHOICES = [
  ['never', 'Never'],
  ['365', '1 year'],
  ['90', '90 days'],
  ['30', '30 days'],
] as const

function Step(props: { n: number; title: string; id: string; children: unknown }) {
  return (
    <section aria-labelledby={props.id}>
      <h2 id={props.id}>
        <span class="step" aria-hidden="true">
          {props.n}
        </span>
        {props.title}
      </h2>
      {props.children}
    </section>
  )
}

function ChooseProvider(props: { provider?: Provider }) {
  return (
    <form method="get" action="/setup">
      <fieldset>
        <legend>Which identity provider does your company use?</legend>
        {PROVIDERS.map((p) => (
          <label class="choice">
            <input type="radio" name="idp" value={p.id} checked={props.provider?.id === p.id} required />
            {p.name === 'another SCIM 2.0 client' ? 'Other SCIM 2.0 client' : p.name}
          </label>
        ))}
      </fieldset>
      <p>
        <button type="submit">Show the {props.provider ? 'steps for this provider' : 'steps'}</button>
      </p>
    </form>
  )
}

function Value(props: { id: string; label: string; value: string; hint?: string | undefined }) {
  return (
    <>
      <dt>
        <label for={props.id}>{props.label}</label>
      </dt>
      <dd>
        <input
          class="value"
          id={props.id}
          name={props.id}
          readonly
          value={props.value}
          data-testid={props.id}
        />
        <button
          type="button"
          class="secondary"
          data-copy={props.id}
          hidden
          aria-label={`Copy ${props.label}`}
        >
          Copy
        </button>
        {props.hint && <span class="hint">{props.hint}</span>}
      </dd>
    </>
  )
}

function TokenForm(props: { provider: Provider }) {
  return (
    <form method="post" action="/setup/token" class="inline">
      <input type="hidden" name="idp" value={props.provider.id} />
      <label for="expires">Token expires</label>
      <select id="expires" name="expires">
        {EXPIRY_CHOICES.map(([value, label]) => (
          <option value={value} selected={value === (props.provider.tokenNeverExpires ? 'never' : '365')}>
            {label}
          </option>
        ))}
      </select>
      <button type="submit">Generate token</button>
    </form>
  )
}

function Values(props: SetupPageProps & { provider: Provider }) {
  const { provider, issued } = props
  const fieldValue = (field: Field) =>
    field.value.kind === 'baseUrl'
      ? props.baseUrl
      : field.value.kind === 'text'
        ? field.value.text
        : undefined
  return (
    <>
      <p>Enter these in {provider.name}. Each has a copy button.</p>
      <dl class="values">
        {provider.fields.map((field, i) => {
          const id = field.value.kind === 'token' ? 'token' : `field-${i}`
          const value = fieldValue(field) ?? issued?.token
          if (value !== undefined)
            return <Value id={id} label={field.label} value={value} hint={field.hint} />
          return (
            <>
              <dt>{field.label}</dt>
              <dd>
                <span class="hint">A token is shown here once, when you generate it.</span>
              </dd>
            </>
          )
        })}
      </dl>
      {issued ? (
        <p class="notice ok" role="status">
          <span class="badge ok">Token generated. </span>
          Copy it now: it is shown only this once and is stored only as a hash.{' '}
          {issued.expiresAt ? `It expires on ${issued.expiresAt.slice(0, 10)}.` : 'It does not expire.'} A new
          token can take up to a minute to work everywhere.
        </p>
      ) : (
        <TokenForm provider={provider} />
      )}
    </>
  )
}

function ProviderSteps(props: { provider: Provider }) {
  const { provider } = props
  return (
    <>
      <ol>
        {provider.steps.map((step) => (
          <li>
            <Rich text={step} />
          </li>
        ))}
      </ol>
      {provider.actions.length > 0 && (
        <>
          <h3>Provisioning actions to turn on</h3>
          <ul>
            {provider.actions.map((a) => (
              <li>{a}</li>
            ))}
          </ul>
        </>
      )}
      {provider.mappings.length > 0 && (
        <>
          <h3>Attribute mappings this server stores</h3>
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">{provider.name} attribute</th>
                  <th scope="col">SCIM attribute</th>
                </tr>
              </thead>
              <tbody>
                {provider.mappings.map(([from, to]) => (
                  <tr>
                    <td>{from}</td>
                    <td>
                      <code>{to}</code>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <p class="muted">
            Other attributes of the SCIM User schema and the Enterprise User extension are stored as sent.
          </p>
        </>
      )}
      {provider.notes.map((note) => (
        <p class="notice">{note}</p>
      ))}
    </>
  )
}

function ManageTokens(props: SetupPageProps) {
  return (
    <>
      {props.tokens.length === 0 ? (
        <p class="muted">This tenant has no token yet.</p>
      ) : (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Token</th>
                <th scope="col">Created</th>
                <th scope="col">Expires</th>
                <th scope="col">Last used</th>
                <th scope="col">
                  <span class="visually-hidden">Action</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {props.tokens.map((t) => (
                <tr>
                  <td>
                    <code>{t.id}</code>
                    {t.label && <span class="hint">{t.label}</span>}
                  </td>
                  <td>{t.createdAt.slice(0, 10)}</td>
                  <td>
                    {t.expired
                      ? 'expired'
                      : t.expiresAt
                        ? t.expiresAt.replace('T', ' ').slice(0, 16)
                        : 'never'}
                  </td>
                  <td>
                    {t.lastUsedAt
                      ? `${t.lastUsedAt.slice(0, 10)} ${clock(t.lastUsedAt)} by ${t.lastUsedBy}`
                      : 'never used'}
                  </td>
                  <td>
                    <form method="post" action="/setup/revoke">
                      <input type="hidden" name="tokenId" value={t.id} />
                      {props.provider && <input type="hidden" name="idp" value={props.provider.id} />}
                      <button type="submit" class="danger" aria-label={`Revoke token ${t.id}`}>
                        Revoke
                      </button>
                    </form>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <form method="post" action="/setup/rotate" class="inline">
        {props.provider && <input type="hidden" name="idp" value={props.provider.id} />}
        <label for="grace">Keep the old tokens working for</label>
        <select id="grace" name="graceHours">
          <option value="1" selected>
            1 hour
          </option>
          <option value="24">24 hours</option>
          <option value="0">0 (stop them now)</option>
        </select>
        <button type="submit" class="secondary">
          Rotate: generate a new token
        </button>
      </form>
      <p class="muted">Revoked tokens stop working within two minutes everywhere.</p>
    </>
  )
}

export function SetupPage(props: SetupPageProps) {
  const { provider } = props
  return (
    <Layout title="Connect your identity provider" nonce={props.nonce} tenant={props.tenant} script>
      {props.notice && (
        <p class={`notice ${props.notice.tone}`} role="status">
          {props.notice.text}
        </p>
      )}
      <p class="muted">This setup session ends at {clock(props.sessionExpiresAt)}.</p>
      <Step n={1} id="choose" title="Choose your identity provider">
        <ChooseProvider {...(provider && { provider })} />
      </Step>
      {provider && !provider.unsupported && (
        <Step n={2} id="values" title={`The values to enter in ${provider.name}`}>
          <Values {...props} provider={provider} />
        </Step>
      )}
      {provider && (
        <Step n={provider.unsupported ? 2 : 3} id="steps" title={`Steps in ${provider.name}`}>
          <ProviderSteps provider={provider} />
        </Step>
      )}
      {provider && !provider.unsupported && props.verify && (
        <Step n={4} id="verify" title="Verify the connection">
          <div id="verify-live" aria-live="polite" data-src={`/setup/status?idp=${provider.id}`}>
            <VerifyFragment {...props.verify} />
          </div>
        </Step>
      )}
      <Step n={provider && !provider.unsupported ? 5 : 2} id="manage" title="Manage tokens">
        <ManageTokens {...props} />
      </Step>
    </Layout>
  )
}
