import type { FailureRecord } from './activity-batch'

/** Identity providers the explanations can speak to (the setup page's choice). */
export type ProviderId = 'okta' | 'entra' | 'onelogin' | 'jumpcloud' | 'google' | 'other'

export interface Explanation {
  /** What happened, in plain words. */
  explanation: string
  /** What to do about it. */
  action: string
}

type Rule = (f: FailureRecord, provider?: ProviderId) => Explanation | undefined

const isGroups = (f: FailureRecord) => f.endpoint.includes('/Groups')

/** Facts from docs/okta.md and docs/entra-id.md (their troubleshooting tables), one rule per cause. */
const RULES: Rule[] = [
  (f) =>
    f.status === 401 && /suspended/i.test(f.detail ?? '')
      ? {
          explanation: 'This tenant is suspended, so every request is refused.',
          action:
            'Ask your contact at the application’s vendor to resume the tenant; it works again within a minute.',
        }
      : undefined,
  (f, p) =>
    f.status === 401
      ? {
          explanation:
            'The token was refused: it is wrong, revoked, expired, belongs to another tenant, or was pasted with the word "Bearer" in front.',
          action: `${p === 'okta' ? 'In Okta, paste only the token (scimsk_…) into Authorization; Okta adds "Bearer" itself.' : 'Paste only the token (scimsk_…).'} If it still fails, generate a new token on this page; a new token can take up to a minute to work everywhere.`,
        }
      : undefined,
  (f, p) =>
    f.status === 409 && !isGroups(f)
      ? {
          explanation:
            'A user with this userName already exists here (userNames are compared ignoring letter case, so Jane@x.com and jane@x.com collide).',
          action:
            p === 'entra'
              ? 'In Entra ID, make userName matching precedence 1 under Mappings, or fix the duplicate in Entra.'
              : p === 'okta'
                ? 'In Okta, import users (Import tab) and confirm the match, or change the username format so that two people never map to one value.'
                : 'Link the existing user instead of creating it (in Okta: Import and confirm the match; in Entra ID: make userName matching precedence 1), or fix the duplicate.',
        }
      : undefined,
  (f, p) =>
    f.status === 409
      ? {
          explanation:
            'A group with this name already exists here (group names are unique, ignoring letter case).',
          action:
            p === 'okta'
              ? 'In Okta, push the group with Link Group, or rename one of the two groups.'
              : 'Rename one of the groups in your identity provider, or keep only one of them in scope.',
        }
      : undefined,
  (f) =>
    f.status === 404 && /No SCIM tenant/i.test(f.detail ?? '')
      ? {
          explanation: 'The base URL’s host does not name this tenant.',
          action: 'Copy the SCIM base URL from this page again, exactly.',
        }
      : undefined,
  (f) =>
    f.status === 404 && /No endpoint/i.test(f.detail ?? '')
      ? {
          explanation: 'The path is wrong: the base URL ends in "/" or lacks /scim/v2.',
          action: 'Enter the SCIM base URL exactly as shown on this page, without a trailing slash.',
        }
      : undefined,
  (f) =>
    f.status === 404
      ? {
          explanation: `The ${isGroups(f) ? 'group' : 'user'} no longer exists here (it was deleted outside your identity provider).`,
          action:
            'Let your identity provider create it again: restart provisioning (Entra ID) or push it again (Okta).',
        }
      : undefined,
  (f) =>
    f.status === 400 && f.scimType === 'invalidFilter'
      ? {
          explanation: 'The filter names an attribute this tenant does not know, or a value lacks quotes.',
          action: 'Match users on userName, externalId or emails[type eq "work"].value.',
        }
      : undefined,
  (f) =>
    f.status === 400 && f.scimType === 'invalidPath'
      ? {
          explanation: 'A mapping targets an attribute that is not in this tenant’s schemas.',
          action: 'Delete that attribute mapping, or ask your contact to declare the custom attribute.',
        }
      : undefined,
  (f) =>
    f.status === 400 && f.scimType === 'mutability'
      ? {
          explanation:
            'A mapping writes a read-only attribute (id, meta, groups, manager.displayName) or clears userName.',
          action: 'Remove that mapping, or fill in the source attribute of userName.',
        }
      : undefined,
  (f) =>
    f.status === 400
      ? {
          explanation:
            'A value has the wrong type or a required attribute is empty (for example an empty userName).',
          action: 'Fix the attribute mapping or the person’s profile named in the detail.',
        }
      : undefined,
  (f) =>
    f.status === 429
      ? {
          explanation: 'The tenant sent more requests than its budget allows.',
          action: 'Nothing: your identity provider retries after the Retry-After delay.',
        }
      : undefined,
  (f) =>
    f.status === 503
      ? {
          explanation: 'Storage was briefly unavailable.',
          action: 'Nothing: your identity provider retries.',
        }
      : undefined,
  (f) =>
    f.status === 413 || f.status === 415
      ? {
          explanation:
            'The request was too large or not SCIM JSON, often because something between rewrote it.',
          action: 'Send requests straight to the SCIM base URL; send fewer members per request.',
        }
      : undefined,
  (f) =>
    f.status >= 500
      ? {
          explanation: 'The server failed unexpectedly.',
          action: `Give the request id${f.requestId ? ` ${f.requestId}` : ''} to your contact at the application’s vendor.`,
        }
      : undefined,
]

/** A failing SCIM request in plain words, with what to do; for the setup page and the management API. */
export function explainFailure(failure: FailureRecord, provider?: ProviderId): Explanation {
  for (const rule of RULES) {
    const explained = rule(failure, provider)
    if (explained) return explained
  }
  return {
    explanation: `The request was refused with status ${failure.status}.`,
    action: 'Read the detail; if it is unclear, give the request id to your contact.',
  }
}
