import type { Context } from 'hono'
import { Hono } from 'hono'
import { readActivity, tokenUsageOf } from '../activity/reads'
import { auditStatement } from '../admin/audit'
import { resourceCounts } from '../admin/tenant-view'
import { ControlError } from '../control/control-error'
import { inspectSetupLink, redeemSetupLink } from '../control/setup-links'
import { requireTenant } from '../control/tenants'
import { issueToken, listTokens, revokeTokens, rotateToken } from '../control/tokens'
import { ContinuePage, RefusalPage, refusalStatus } from './link-pages'
import { providerOf } from './providers'
import { currentSession, type SetupEnv, sameOriginPosts, setupTenantHost, startSession } from './session'
import { SetupPage, type SetupPageProps } from './setup-page'
import { VerifyFragment, type VerifyModel } from './verify'

const DAY_SECONDS = 86_400

type Ctx = Context<SetupEnv>

async function verifyModel(c: Ctx, idp: string | undefined): Promise<VerifyModel | undefined> {
  const provider = providerOf(idp)
  if (!provider) return undefined
  const row = await requireTenant(c.var.ports, c.var.setupTenant)
  const [activity, counts] = await Promise.all([
    readActivity(c.var.ports, row.name, { since: c.var.session.linkCreatedAt, limit: 20 }),
    resourceCounts(c.var.ports, row),
  ])
  return { provider, activity, counts }
}

/** Renders the page for this session, with what the last action produced. */
async function renderPage(
  c: Ctx,
  idp: string | undefined,
  extra: Partial<SetupPageProps> = {},
  status: 200 | 201 | 409 = 200,
) {
  const name = c.var.setupTenant
  const [tokens, usage, verify] = await Promise.all([
    listTokens(c.var.ports, name),
    tokenUsageOf(c.var.ports, name),
    verifyModel(c, idp),
  ])
  const provider = providerOf(idp)
  const props: SetupPageProps = {
    nonce: c.var.nonce,
    tenant: name,
    // What the tenancy middleware answers as the base of every Location: this host's /scim/v2.
    baseUrl: `${new URL(c.req.url).origin}/scim/v2`,
    sessionExpiresAt: c.var.session.expiresAt,
    tokens: tokens.map((t) => ({ ...t, ...lastUse(usage.get(t.id)) })),
    ...(provider && { provider }),
    ...(verify && { verify }),
    ...extra,
  }
  return c.html(<SetupPage {...props} />, status)
}

const lastUse = (use: { lastUsedAt: string; client: string } | undefined) =>
  use ? { lastUsedAt: use.lastUsedAt, lastUsedBy: use.client } : {}

/** Records a token action of the page in the management API's audit, by its link (never a secret). */
async function auditAction(c: Ctx, status: number) {
  await c.var.ports.control.batch([
    auditStatement({
      actor: `setup:${c.var.session.linkId}`,
      method: 'POST',
      path: c.req.path,
      tenant: c.var.setupTenant,
      status,
      requestId: c.get('requestId') ?? null,
    }),
  ])
}

const formField = async (c: Ctx, name: string) => {
  const value = (await c.req.parseBody())[name]
  return typeof value === 'string' ? value : undefined
}

/** A refused control action (token limit, unknown token) is shown on the page, not a 500. */
async function withRefusal(c: Ctx, idp: string | undefined, action: () => Promise<Response>) {
  try {
    return await action()
  } catch (error) {
    if (!(error instanceof ControlError)) throw error
    await auditAction(c, 409)
    return renderPage(c, idp, { notice: { tone: 'bad', text: error.message } }, 409)
  }
}

/** The setup page on a tenant's host: /setup/<secret> opens a session, /setup is the page. */
export function setupApp() {
  const app = new Hono<SetupEnv>({ strict: false })
  app.use(setupTenantHost, sameOriginPosts)
  app.onError((error, c) => {
    console.error(
      JSON.stringify({
        level: 'error',
        message: 'setup page failed',
        requestId: c.get('requestId'),
        error: String(error),
      }),
    )
    return c.text(
      `Something went wrong (request id ${c.get('requestId')}). Try again, or give the request id to your contact.`,
      500,
    )
  })

  // A session for every page below, checked against D1 each time (a revoked link ends it at once).
  const withSession = async (c: Ctx, next: () => Promise<void>) => {
    const session = await currentSession(c)
    if (!session) return c.html(<RefusalPage nonce={c.var.nonce} reason="session" />, 401)
    c.set('session', session)
    await next()
  }

  app.get('/', withSession, (c) => renderPage(c, c.req.query('idp')))

  app.get('/status', withSession, async (c) => {
    const model = await verifyModel(c, c.req.query('idp'))
    if (!model) return c.text('Choose an identity provider first', 400)
    return c.html(<VerifyFragment {...model} />)
  })

  app.post('/token', withSession, async (c) => {
    const idp = await formField(c, 'idp')
    const expires = await formField(c, 'expires')
    const days = expires && expires !== 'never' ? Number(expires) : undefined
    return withRefusal(c, idp, async () => {
      const issued = await issueToken(c.var.ports, c.var.setupTenant, {
        label: `setup link ${c.var.session.linkId}${idp ? ` (${idp})` : ''}`,
        ...(days && Number.isInteger(days) && { expiresInSeconds: days * DAY_SECONDS }),
      })
      await auditAction(c, 201)
      const { expiresAt } = issued.metadata
      return renderPage(
        c,
        idp,
        { issued: { token: issued.token, tokenId: issued.tokenId, ...(expiresAt && { expiresAt }) } },
        201,
      )
    })
  })

  app.post('/rotate', withSession, async (c) => {
    const idp = await formField(c, 'idp')
    const graceHours = Number((await formField(c, 'graceHours')) ?? '1')
    return withRefusal(c, idp, async () => {
      const rotated = await rotateToken(c.var.ports, c.var.setupTenant, {
        graceSeconds: Number.isFinite(graceHours) ? graceHours * 3600 : 3600,
        label: `setup link ${c.var.session.linkId} (rotated)`,
      })
      await auditAction(c, 201)
      const kept = rotated.kept.length
      return renderPage(
        c,
        idp,
        {
          issued: { token: rotated.token, tokenId: rotated.tokenId },
          notice: {
            tone: 'ok',
            text: `New token generated. ${kept ? `${kept} older token(s) keep working for ${graceHours} hour(s)` : 'Older tokens were revoked'}: paste the new one in your identity provider now.`,
          },
        },
        201,
      )
    })
  })

  app.post('/revoke', withSession, async (c) => {
    const idp = await formField(c, 'idp')
    const tokenId = (await formField(c, 'tokenId')) ?? ''
    return withRefusal(c, idp, async () => {
      await revokeTokens(c.var.ports, c.var.setupTenant, tokenId)
      await auditAction(c, 200)
      return renderPage(c, idp, {
        notice: {
          tone: 'ok',
          text: `Token ${tokenId} revoked: it stops working within two minutes everywhere.`,
        },
      })
    })
  })

  // GET never redeems: mail scanners fetch links; the Continue button POSTs.
  app.get('/:secret', async (c) => {
    const link = await inspectSetupLink(c.var.ports, c.var.setupTenant, c.req.param('secret'))
    if (link?.state !== 'active') {
      const reason = link ? link.state : 'unknown'
      return c.html(<RefusalPage nonce={c.var.nonce} reason={reason} />, refusalStatus(reason))
    }
    return c.html(
      <ContinuePage
        nonce={c.var.nonce}
        tenant={c.var.setupTenant}
        action={c.req.path}
        expiresAt={link.expiresAt}
      />,
    )
  })

  app.post('/:secret', async (c) => {
    const redeemed = await redeemSetupLink(c.var.ports, c.var.setupTenant, c.req.param('secret'))
    if (!redeemed.ok)
      return c.html(
        <RefusalPage nonce={c.var.nonce} reason={redeemed.reason} />,
        refusalStatus(redeemed.reason),
      )
    startSession(c, redeemed.session)
    return c.redirect('/setup', 303)
  })
  return app
}
