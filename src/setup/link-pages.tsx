import type { RedeemRefusal } from '../control/setup-links'
import { Layout } from './layout'

/** What GET of a link shows: a button, because mail scanners GET links and must not use them up. */
export function ContinuePage(props: { nonce: string; tenant: string; action: string; expiresAt: string }) {
  return (
    <Layout title="Connect your identity provider" nonce={props.nonce} tenant={props.tenant}>
      <section>
        <h2>Set up SCIM provisioning</h2>
        <p>
          This link lets you connect your company’s identity provider (Okta, Microsoft Entra ID, OneLogin,
          JumpCloud or another SCIM 2.0 client) so that people and groups are created here automatically.
        </p>
        <p>
          The link works <strong>once</strong>: after you continue, it opens a setup session in this browser
          for one hour. It expires on{' '}
          <time datetime={props.expiresAt}>{props.expiresAt.replace('T', ' ').slice(0, 16)} UTC</time>.
        </p>
        <form method="post" action={props.action}>
          <button type="submit">Continue</button>
        </form>
      </section>
    </Layout>
  )
}

const REFUSALS: Record<RedeemRefusal | 'session', { status: 404 | 410 | 401; title: string; text: string }> =
  {
    unknown: {
      status: 404,
      title: 'This setup link is not valid',
      text: 'The link is incomplete or was changed. Copy the whole link from the message you received; if it still does not open, ask the person who sent it for a new setup link.',
    },
    redeemed: {
      status: 410,
      title: 'This setup link was already used',
      text: 'Each setup link opens the setup page once, for one browser. If that was not you, or your session ended, ask the person who sent it for a new setup link.',
    },
    expired: {
      status: 410,
      title: 'This setup link has expired',
      text: 'Setup links work for a limited time. Ask the person who sent it for a new setup link.',
    },
    revoked: {
      status: 410,
      title: 'This setup link was revoked',
      text: 'The link was withdrawn by the application’s vendor. Ask the person who sent it for a new setup link.',
    },
    session: {
      status: 401,
      title: 'Your setup session has ended',
      text: 'Setup sessions last one hour, and end when their link is revoked. Ask the person who sent you the setup link for a new one.',
    },
  }

export const refusalStatus = (reason: RedeemRefusal | 'session') => REFUSALS[reason].status

export function RefusalPage(props: { nonce: string; reason: RedeemRefusal | 'session' }) {
  const refusal = REFUSALS[props.reason]
  return (
    <Layout title={refusal.title} nonce={props.nonce}>
      <section>
        <p class="notice bad">
          <span class="badge bad">Not available. </span>
          {refusal.text}
        </p>
        <p class="muted">Setup links are sent by the company whose application you are connecting.</p>
      </section>
    </Layout>
  )
}
