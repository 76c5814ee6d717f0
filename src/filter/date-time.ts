// RFC 3339 §5.6 `date-time` with a mandatory offset: an instant, not a local time.
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?(?:[Zz]|([+-])(\d{2}):(\d{2}))$/

/**
 * Milliseconds since the epoch of an RFC 3339 §5.6 date-time (the form RFC 7643 §2.3.5 requires
 * of SCIM dateTime values), or `undefined` when the string is not one.
 */
export function parseDateTime(s: string): number | undefined {
  const m = DATE_TIME.exec(s)
  if (!m) return undefined
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ]
  const offsetHours = Number(m[9] ?? 0)
  const offsetMinutes = Number(m[10] ?? 0)
  if (hour > 23 || minute > 59 || second > 60 || offsetHours > 23 || offsetMinutes > 59) return undefined
  // setUTCFullYear, unlike Date.UTC, does not map years 0–99 to 1900–1999.
  const date = new Date(0)
  date.setUTCFullYear(year, month - 1, day)
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) {
    return undefined
  }
  // RFC 3339 §5.7 — a leap second (:60) is the instant after :59.
  date.setUTCHours(hour, minute, Math.min(second, 59))
  const leap = second === 60 ? 1000 : 0
  const fraction = m[7] ? Number(`0${m[7]}`) * 1000 : 0
  const offset = (m[8] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMinutes) * 60_000
  return date.getTime() + leap + fraction - offset
}
