/**
 * The setup page in a real browser: headless Chromium (Debian's, via playwright-core; never a
 * browser download) against `wrangler dev`. The IT admin's path from the link alone: a click from
 * another site, Continue, Okta, a token, and the page reporting Okta's requests as they arrive.
 * Screenshots of each step at 1280 and 375 px go to test-results/setup-page/.
 */
import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { type Browser, chromium, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, it } from 'vitest'
import { type DevServer, freePort, startDevServer } from '../../scripts/lib/dev-server'
import { portsOf } from '../../scripts/lib/tenant-store'
import { createWrangler, PROJECT_ROOT } from '../../scripts/lib/wrangler'
import { createOperatorKey } from '../../src/control/operator-keys'
import { DISABLE_AFTER_FAILURES } from '../../src/webhooks/webhook-consumer'

const CHROMIUM = '/usr/bin/chromium'
const SHOTS = join(PROJECT_ROOT, 'test-results', 'setup-page')
const OKTA_UA = 'Okta SCIM Client 1.0.0'
const hasChromium = existsSync(CHROMIUM)
if (!hasChromium) {
  const notice = `${CHROMIUM} is missing: the setup page's browser tests need Debian's chromium (apt-get install -y chromium)`
  if (process.env.CI === 'true') throw new Error(notice)
  console.warn(`NOTICE: skipping the browser tests. ${notice}`)
}

let server: DevServer
let browser: Browser
let operatorKey = ''

beforeAll(async () => {
  if (!hasChromium) return
  server = await startDevServer({
    vars: {
      CURSOR_SECRET: randomBytes(32).toString('base64url'),
      WEBHOOK_SECRET_KEY: randomBytes(32).toString('base64url'),
    },
  })
  const ports = await portsOf(createWrangler({ remote: false, persistTo: server.persistDir }))
  operatorKey = (await createOperatorKey(ports.control, 'e2e setup page')).key
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  })
  await mkdir(SHOTS, { recursive: true })
})

afterAll(async () => {
  await browser?.close()
  await server?.stop()
})

/** The management API on the bare host, with the operator key. */
async function adminApi(method: string, path: string, body?: unknown) {
  const answer = await server.request(method, `/admin/v1${path}`, {
    host: `localhost:${server.port}`,
    headers: { Authorization: `Bearer ${operatorKey}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  return answer
}

/** A SCIM request as Okta sends it, with the values read from the page. */
function okta(method: string, path: string, token: string, body?: unknown) {
  return server.request(method, `/scim/v2${path}`, {
    host: server.baseHost('acme'),
    token,
    body,
    headers: { 'User-Agent': OKTA_UA },
  })
}

/** The step at 1280 px and at 375 px (full page each). */
async function shoot(page: Page, step: string) {
  for (const width of [1280, 375]) {
    await page.setViewportSize({ width, height: 900 })
    await page.screenshot({ path: join(SHOTS, `${step}-${width}.png`), fullPage: true })
  }
  await page.setViewportSize({ width: 1280, height: 900 })
}

const oktaUser = (userName: string) => ({
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
  userName,
  name: { givenName: 'Jane', familyName: 'Doe' },
  emails: [{ value: userName, type: 'work', primary: true }],
  active: true,
  password: 'never-stored-1!',
})

describe.skipIf(!hasChromium)('setup page in Chromium', () => {
  it('takes an IT admin from the link to a working Okta connection', async ({ expect }) => {
    expect((await adminApi('POST', '/tenants', { name: 'acme' })).status).toBe(201)
    const issued = await adminApi('POST', '/tenants/acme/setup-links', {})
    expect(issued.status).toBe(201)
    const url = (issued.json as { url: string }).url
    expect(url).toMatch(new RegExp(`^http://acme\\.localhost:${server.port}/setup/scimsl_`))

    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
    // A mail client's page holding the link: the click is a cross-site navigation, as from webmail.
    await page.setContent(`<p>Your vendor sent you a setup link:</p><a href="${url}">Set up provisioning</a>`)
    await page.click('a')
    await page.waitForURL(url)
    await expect(page.getByRole('button', { name: 'Continue' }).isVisible()).resolves.toBe(true)
    await shoot(page, '1-link')

    await page.getByRole('button', { name: 'Continue' }).click()
    await page.waitForURL(/\/setup$/)
    await expect(
      page.getByRole('heading', { name: /Choose your identity provider/ }).isVisible(),
    ).resolves.toBe(true)
    await shoot(page, '2-choose')

    await page.getByLabel('Okta').check()
    await page.getByRole('button', { name: /Show the steps/ }).click()
    await page.getByRole('button', { name: 'Generate token' }).click()
    const token = await page.getByTestId('token').inputValue()
    const baseUrl = await page.getByLabel('SCIM connector base URL', { exact: true }).inputValue()
    const identifier = await page
      .getByLabel('Unique identifier field for users', { exact: true })
      .inputValue()
    const mode = await page.getByLabel('Authentication Mode', { exact: true }).inputValue()
    expect(token).toMatch(/^scimsk_[A-Za-z0-9_-]{43}$/)
    expect(baseUrl).toBe(`http://acme.localhost:${server.port}/scim/v2`)
    expect([identifier, mode]).toEqual(['userName', 'HTTP Header'])
    await expect(page.getByTestId('headline').textContent()).resolves.toContain(
      'Waiting for Okta’s test connection',
    )
    await shoot(page, '3-values')

    // Okta's Test Connector Configuration, then a user create, against the values read from the page.
    expect(new URL(baseUrl).pathname).toBe('/scim/v2')
    const test = await okta('GET', '/Users?startIndex=1&count=2', token)
    expect(test.status).toBe(200)
    const headline = page.getByTestId('headline')
    await headline
      .filter({ hasText: /Okta’s test connection reached us at \d\d:\d\d UTC and succeeded/ })
      .waitFor()
    await shoot(page, '4-connected')

    expect((await okta('POST', '/Users', token, oktaUser('jane@acme.example'))).status).toBe(201)
    await page.getByTestId('user-count').filter({ hasText: /^1$/ }).waitFor({ timeout: 30_000 })

    // A deliberate failure: the same userName again.
    expect((await okta('POST', '/Users', token, oktaUser('JANE@acme.example'))).status).toBe(409)
    const errors = page.getByTestId('errors')
    await errors.filter({ hasText: 'already exists here' }).waitFor({ timeout: 30_000 })
    await expect(errors.textContent()).resolves.toMatch(
      /Failed \(409\).*POST \/scim\/v2\/Users.*In Okta, import users/s,
    )
    await shoot(page, '5-error')

    // The token's last use, by client, under Manage tokens.
    await page.reload()
    await expect(page.locator('#manage').locator('..').textContent()).resolves.toContain(`by ${OKTA_UA}`)

    // The SaaS application's webhook receiver is down (nothing listens on its port) and the endpoint
    // had failed all but one of its allowed attempts: the next change disables it, and the log says so.
    const hook = await adminApi('POST', '/webhooks', {
      url: `http://localhost:${await freePort()}/hook`,
      tenant: 'acme',
    })
    expect(hook.status, hook.body).toBe(201)
    const endpointId = (hook.json as { endpoint: { id: string } }).endpoint.id
    await createWrangler({ remote: false, persistTo: server.persistDir }).d1Execute(
      `UPDATE webhook_endpoints SET consecutive_failures = ${DISABLE_AFTER_FAILURES - 1},
         failing_since = '2000-01-01T00:00:00.000Z' WHERE id = '${endpointId}'`,
      'DB',
    )
    expect((await okta('POST', '/Users', token, oktaUser('joe@acme.example'))).status).toBe(201)
    await page.goto(`${new URL(url).origin}/setup?idp=okta`)
    const disabled = page.getByTestId('disabled-webhooks')
    await disabled.filter({ hasText: 'localhost' }).waitFor({ timeout: 30_000 })
    await expect(disabled.textContent()).resolves.toMatch(
      /Disabled.*every attempt failed since.*in a row.*Provisioning still works/s,
    )
    await shoot(page, '6-webhook-disabled')
    await page.close()
  })
})
