import type { ProviderId } from '../activity/explain'

/**
 * What the setup page tells an IT admin for each identity provider. The facts are those of
 * docs/okta.md, docs/entra-id.md and docs/other-identity-providers.md; test/unit/setup-providers.test.ts
 * fails when a label, a bold UI term or an attribute here is missing from the provider's document,
 * so the page cannot drift from the docs unnoticed. `**…**` marks a UI term (shown in bold).
 */

/** A value the admin enters: the tenant's base URL, the token, or a fixed text. */
export type FieldValue = { kind: 'baseUrl' } | { kind: 'token' } | { kind: 'text'; text: string }

export interface Field {
  /** The field's label in the provider's own console. */
  label: string
  value: FieldValue
  hint?: string
}

export interface Provider {
  id: ProviderId
  name: string
  /** The document this content comes from (repository path). */
  doc: string
  /** What the provider calls its connection check, in "…'s test connection reached us". */
  testName: string
  /** Whether tokens for it should not expire (Entra quarantines the job when its token stops working). */
  tokenNeverExpires: boolean
  fields: Field[]
  steps: string[]
  /** Provisioning actions to turn on. */
  actions: string[]
  /** Attribute mappings this server stores: provider's name → SCIM attribute. */
  mappings: [string, string][]
  notes: string[]
  /** The provider cannot provision to this server at all (Google Workspace). */
  unsupported?: boolean
}

const baseUrl: FieldValue = { kind: 'baseUrl' }
const token: FieldValue = { kind: 'token' }

const okta: Provider = {
  id: 'okta',
  name: 'Okta',
  doc: 'docs/okta.md',
  testName: 'test connection',
  tokenNeverExpires: false,
  fields: [
    { label: 'SCIM connector base URL', value: baseUrl, hint: 'no trailing slash' },
    { label: 'Unique identifier field for users', value: { kind: 'text', text: 'userName' } },
    { label: 'Authentication Mode', value: { kind: 'text', text: 'HTTP Header' } },
    { label: 'Authorization', value: token, hint: 'the token only: Okta adds "Bearer " itself' },
  ],
  steps: [
    'In the Okta Admin Console, open **Applications → Applications → Create App Integration**, choose **SAML 2.0** (or SWA) and finish the wizard with your application’s sign-on settings. If your application signs in with OIDC, create a second SAML or SWA app integration used only for provisioning.',
    'In the app integration, open **General → App Settings → Edit**, select **SCIM** under **Provisioning** and **Save**. A **Provisioning** tab appears.',
    'Open **Provisioning → Integration → Edit** and enter the values above.',
    'Check the provisioning actions listed below, then press **Test Connector Configuration**. This page shows the test as soon as it reaches us. **Save** after it passes.',
    'Open **Provisioning → To App → Edit** and enable **Create Users**, **Update User Attributes** and **Deactivate Users**. Leave **Sync Password** off.',
    'Assign people or groups under **Assignments**, then push groups under **Push Groups**.',
  ],
  actions: ['Import New Users and Profile Updates', 'Push New Users', 'Push Profile Updates', 'Push Groups'],
  mappings: [
    ['Username', 'userName'],
    ['Given name', 'name.givenName'],
    ['Family name', 'name.familyName'],
    ['Display name', 'displayName'],
    ['Primary email', 'emails[type eq "work"].value'],
    ['Title', 'title'],
    ['Employee number', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber'],
    ['Okta user id', 'externalId'],
    ['Status', 'active'],
  ],
  notes: [
    'Okta never deletes users over SCIM: unassigning a person deactivates the user here (active: false).',
    'Group names are unique per tenant, compared case-insensitively; a second group with the same name gets 409.',
  ],
}

const entra: Provider = {
  id: 'entra',
  name: 'Microsoft Entra ID',
  doc: 'docs/entra-id.md',
  testName: 'test connection',
  tokenNeverExpires: true,
  fields: [
    { label: 'Tenant URL', value: baseUrl, hint: 'appending ?aadOptscim062020 is optional' },
    { label: 'Secret Token', value: token },
  ],
  steps: [
    "In the Entra admin center, open **Entra ID → Enterprise apps → New application → Create your own application**, name it, choose **Integrate any other application you don't find in the gallery (Non-gallery)** and **Create**.",
    'In the application, open **Provisioning** and set **Provisioning Mode** to **Automatic**.',
    'Under **Admin Credentials**, enter the **Tenant URL** and **Secret Token** shown above, press **Test Connection**, then **Save**. This page shows the test as soon as it reaches us.',
    'Under **Settings → Scope**, choose **Sync only assigned users and groups** and assign people and groups under **Users and groups**.',
    'Check the mappings below (keep `userName` as matching precedence 1), then set **Provisioning Status** to **On** and **Save**. **Provision on demand** runs the whole flow for one user right away.',
  ],
  actions: [
    'Create',
    'Update',
    'Delete (under Target Object Actions; turn it off if users must never be removed here)',
  ],
  mappings: [
    ['userPrincipalName', 'userName'],
    ['Switch([IsSoftDeleted], …)', 'active'],
    ['displayName', 'displayName'],
    ['givenName', 'name.givenName'],
    ['surname', 'name.familyName'],
    ['mail', 'emails[type eq "work"].value'],
    ['jobTitle', 'title'],
    ['mailNickname', 'externalId'],
    ['employeeId', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber'],
  ],
  notes: [
    'The aadOptscim062020 flag: adding ?aadOptscim062020 to the Tenant URL switches Entra to standard PATCH requests. This server accepts both forms, so it works with or without the flag; use it if you prefer standard requests in your provisioning logs, leave it off if you are unsure.',
    'The token generated here does not expire by default: Entra quarantines the job when its token stops working.',
  ],
}

const onelogin: Provider = {
  id: 'onelogin',
  name: 'OneLogin',
  doc: 'docs/other-identity-providers.md',
  testName: 'connection check',
  tokenNeverExpires: false,
  fields: [
    { label: 'SCIM Base URL', value: baseUrl },
    { label: 'SCIM Bearer Token', value: token, hint: 'OneLogin adds "Bearer" itself' },
  ],
  steps: [
    '**Applications → Add App**, search for **SCIM Provisioner with SAML (SCIM v2 Enterprise)**. Do not use the "Core Schema v1.1" connectors.',
    'On the **Configuration** tab, enter the values above and set **API Connection** → **Enable**. OneLogin makes a first request to check the connection.',
    'On **Parameters**, set the **SCIM Username** parameter (usually Email); it fills userName.',
    'On the **Provisioning** tab, **Enable provisioning** and choose what happens when a user is deleted or unassigned (**Delete** or **Suspend**).',
    'Assign the app to users, and save.',
  ],
  actions: ['Create user', 'Update user', 'Delete or Suspend user'],
  // As the SCIM JSON Template of docs/other-identity-providers.md writes them.
  mappings: [
    ['SCIM Username parameter', 'userName'],
    ['{$user.firstname}', 'givenName'],
    ['{$user.lastname}', 'familyName'],
    ['{$user.email}', 'emails'],
    ['{$user.department}', 'department'],
  ],
  notes: ['The SCIM JSON Template must list urn:ietf:params:scim:schemas:core:2.0:User in its schemas.'],
}

const jumpcloud: Provider = {
  id: 'jumpcloud',
  name: 'JumpCloud',
  doc: 'docs/other-identity-providers.md',
  testName: 'test connection',
  tokenNeverExpires: false,
  fields: [
    { label: 'Base URL', value: baseUrl },
    { label: 'Token Key', value: token, hint: 'with bearer-token authentication' },
  ],
  steps: [
    '**SSO Applications** → your application → **Identity Management**.',
    'Choose the custom SCIM integration, **SCIM 2.0**, and enter the values above; enable **group management** if groups should be provisioned.',
    '**Test Connection** (it creates and deletes a test user and group), then **Activate** and **Save**.',
    'On the **User Groups** tab, bind the groups whose members should be provisioned.',
  ],
  actions: ['User provisioning', 'Group management'],
  mappings: [['Email', 'userName']],
  notes: [
    'If an interrupted test left its test user or group here, the next test fails with 409: delete the leftover.',
  ],
}

const google: Provider = {
  id: 'google',
  name: 'Google Workspace',
  doc: 'docs/other-identity-providers.md',
  testName: 'request',
  tokenNeverExpires: false,
  unsupported: true,
  fields: [],
  steps: [
    'Google Workspace cannot provision to this server: its automated provisioning works only for apps in Google’s own catalog.',
    'Put an identity provider that speaks SCIM 2.0 between Google and this server: Okta, Entra ID, OneLogin or JumpCloud can import or sync users from Google Workspace and then provision them here. Choose that provider above.',
  ],
  actions: [],
  mappings: [],
  notes: [],
}

const other: Provider = {
  id: 'other',
  name: 'another SCIM 2.0 client',
  doc: 'docs/other-identity-providers.md',
  testName: 'first request',
  tokenNeverExpires: false,
  fields: [
    { label: 'SCIM base URL', value: baseUrl, hint: 'without a trailing slash' },
    { label: 'Authentication', value: { kind: 'text', text: 'bearer token' } },
    { label: 'Token', value: token, hint: 'sent as Authorization: Bearer scimsk_…' },
  ],
  steps: [
    'Configure a SCIM 2.0 connection (there is no SCIM 1.1 endpoint) with the values above.',
    'Every request body must list the core schema URN in schemas.',
    'Send a first request (a test, or GET /Users): this page shows it as soon as it reaches us.',
  ],
  actions: ['Create, update and deactivate users', 'Create groups and change their members'],
  mappings: [['userName (unique, case-insensitive)', 'userName']],
  notes: ['Group displayName is unique per tenant, compared case-insensitively; a duplicate gets 409.'],
}

export const PROVIDERS: readonly Provider[] = [okta, entra, onelogin, jumpcloud, google, other]

export const providerOf = (id: string | undefined): Provider | undefined => PROVIDERS.find((p) => p.id === id)
