import { readFileSync } from 'node:fs'
import { describe, it } from 'vitest'
import { PROVIDERS } from '../../src/setup/providers'

/**
 * The setup page's provider content must stay true to the docs: every field label, UI term in bold,
 * provisioning action and SCIM attribute it names appears in the provider's document.
 */
// Whitespace folded: the docs wrap lines inside bold terms.
const docOf = (path: string) =>
  readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8').replace(/\s+/g, ' ')

describe('setup page providers', () => {
  for (const provider of PROVIDERS) {
    it(`${provider.name} says only what ${provider.doc} says`, ({ expect }) => {
      const doc = docOf(provider.doc)
      const terms = [
        ...provider.fields.map((f) => f.label),
        ...provider.steps.flatMap((s) => [...s.matchAll(/\*\*([^*]+)\*\*/g)].map((m) => m[1] as string)),
        ...provider.mappings.map(([, scim]) => scim),
        ...provider.fields.flatMap((f) => (f.value.kind === 'text' ? [f.value.text] : [])),
      ]
      const missing = terms.filter((term) => !doc.includes(term))
      expect(missing).toEqual([])
    })
  }

  it("names Okta's provisioning actions and Entra's aadOptscim062020 flag as the docs do", ({ expect }) => {
    const okta = PROVIDERS.find((p) => p.id === 'okta')
    for (const action of okta?.actions ?? []) expect(docOf('docs/okta.md')).toContain(`**${action}**`)
    const entra = PROVIDERS.find((p) => p.id === 'entra')
    expect(entra?.notes.join(' ')).toContain('aadOptscim062020')
    expect(docOf('docs/entra-id.md')).toContain('it works with or without the flag')
  })
})
