/** RFC 7644 §3.14 — versions are weak entity tags. */
export const etagOf = (version: number) => `W/"${version}"`

/** The versions named by an If-Match / If-None-Match header (`*` is `'*'`); weak comparison. */
function taggedVersions(header: string): (number | '*')[] {
  return header.split(',').flatMap((part): (number | '*')[] => {
    const tag = part.trim()
    if (tag === '*') return ['*']
    const match = /^(?:W\/)?"(\d+)"$/.exec(tag)
    const version = Number(match?.[1])
    // Only a safe integer can be one of our versions; the guard also writes them as literals.
    return Number.isSafeInteger(version) ? [version] : []
  })
}

/** The versions an `If-Match` accepts (RFC 9110 §13.1.1: any of its tags); `undefined` is any version. */
export type AcceptedVersions = readonly number[] | undefined

/**
 * The versions an `If-Match` header accepts, `undefined` when absent or `*`. A tag that cannot be a
 * version of ours matches nothing, so a header of only such tags always gets 412.
 */
export function acceptedVersions(ifMatch: string | undefined): AcceptedVersions {
  if (ifMatch === undefined) return undefined
  const tags = taggedVersions(ifMatch)
  if (tags.includes('*')) return undefined
  return tags as number[]
}

/** Whether `version` satisfies the `If-Match` that accepted `versions`. */
export const matchesVersion = (versions: AcceptedVersions, version: number) =>
  versions === undefined || versions.includes(version)

/** RFC 7644 §3.14 / RFC 9110 §13.1.2 — whether `If-None-Match` names the current version. */
export function noneMatchHits(ifNoneMatch: string | undefined, version: number): boolean {
  if (ifNoneMatch === undefined) return false
  return taggedVersions(ifNoneMatch).some((tag) => tag === '*' || tag === version)
}
