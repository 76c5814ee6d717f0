import { ScimError } from './scim-error'

/** RFC 7644 §3.14 — versions are weak entity tags. */
export const etagOf = (version: number) => `W/"${version}"`

/** The versions named by an If-Match / If-None-Match header (`*` is `'*'`); weak comparison. */
function taggedVersions(header: string): (number | '*')[] {
  return header.split(',').flatMap((part): (number | '*')[] => {
    const tag = part.trim()
    if (tag === '*') return ['*']
    const match = /^(?:W\/)?"(\d+)"$/.exec(tag)
    return match ? [Number(match[1])] : []
  })
}

/**
 * The version an `If-Match` header requires, `undefined` when absent or `*`. Several tags, or one
 * that cannot be a version of ours, can never match: 412.
 */
export function requiredVersion(ifMatch: string | undefined): number | undefined {
  if (ifMatch === undefined) return undefined
  const tags = taggedVersions(ifMatch)
  if (tags.includes('*')) return undefined
  if (tags.length !== 1) throw ScimError.preconditionFailed()
  return tags[0] as number
}

/** RFC 7644 §3.14 / RFC 9110 §13.1.2 — whether `If-None-Match` names the current version. */
export function noneMatchHits(ifNoneMatch: string | undefined, version: number): boolean {
  if (ifNoneMatch === undefined) return false
  return taggedVersions(ifNoneMatch).some((tag) => tag === '*' || tag === version)
}
