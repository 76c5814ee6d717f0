import { raw } from 'hono/html'
import type { Child } from 'hono/jsx'

/** The page's only style: system fonts, light and dark, readable from 320 px up. */
const CSS = `
:root{color-scheme:light dark;--bg:#f6f7f9;--card:#fff;--fg:#1b1f24;--muted:#57606a;--line:#d0d7de;--accent:#0b57d0;--accent-fg:#fff;--ok:#1a7f37;--bad:#b42318;--warn:#9a6700;--code:#eef1f4}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--card:#161b22;--fg:#e6edf3;--muted:#9da7b3;--line:#30363d;--accent:#7cacf8;--accent-fg:#0d1117;--ok:#4ac26b;--bad:#ff7b72;--warn:#d29922;--code:#1f242c}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
main{max-width:56rem;margin:0 auto;padding:1rem}
header{padding:1.25rem 1rem;border-bottom:1px solid var(--line);background:var(--card)}
header p{margin:.25rem 0 0;color:var(--muted)}
h1{font-size:1.5rem;margin:0}h2{font-size:1.2rem;margin:0 0 .75rem}h3{font-size:1rem;margin:1rem 0 .5rem}
section{background:var(--card);border:1px solid var(--line);border-radius:12px;padding:1rem 1.25rem;margin:1rem 0}
.step{display:inline-block;min-width:1.75rem;height:1.75rem;border-radius:50%;background:var(--accent);color:var(--accent-fg);text-align:center;font-weight:700;margin-right:.5rem}
.muted{color:var(--muted)}
fieldset{border:0;padding:0;margin:0;display:grid;grid-template-columns:repeat(auto-fill,minmax(13rem,1fr));gap:.5rem}
legend{margin-bottom:.5rem}
.choice{display:flex;gap:.5rem;align-items:center;border:1px solid var(--line);border-radius:8px;padding:.6rem .75rem;min-height:44px;cursor:pointer}
.choice:has(input:checked){border-color:var(--accent);outline:2px solid var(--accent)}
button,.button{font:inherit;min-height:44px;padding:.5rem 1rem;border-radius:8px;border:1px solid var(--accent);background:var(--accent);color:var(--accent-fg);cursor:pointer;text-decoration:none;display:inline-block}
button.secondary{background:transparent;color:var(--accent)}
button.danger{background:transparent;color:var(--bad);border-color:var(--bad)}
:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
dl.values{display:grid;grid-template-columns:minmax(9rem,14rem) 1fr;gap:.75rem 1rem;margin:0}
dl.values dt{font-weight:600}
dl.values dd{margin:0;display:flex;flex-wrap:wrap;gap:.5rem;align-items:center}
input[readonly],select,input[type=number]{font:inherit;padding:.45rem .6rem;border:1px solid var(--line);border-radius:6px;background:var(--code);color:var(--fg);min-height:44px}
input.value{font-family:ui-monospace,Menlo,Consolas,monospace;flex:1 1 14rem;min-width:0}
code{font-family:ui-monospace,Menlo,Consolas,monospace;background:var(--code);padding:.1rem .3rem;border-radius:4px;overflow-wrap:anywhere}
.hint{display:block;width:100%;color:var(--muted);font-size:.9rem}
.notice{border-left:4px solid var(--accent);padding:.5rem .75rem;background:var(--code);border-radius:4px}
.notice.ok{border-color:var(--ok)}.notice.bad{border-color:var(--bad)}.notice.warn{border-color:var(--warn)}
.badge{font-weight:700}.badge.ok{color:var(--ok)}.badge.bad{color:var(--bad)}
table{border-collapse:collapse;width:100%;font-size:.95rem}
th,td{text-align:left;padding:.4rem .5rem;border-bottom:1px solid var(--line);vertical-align:top;overflow-wrap:anywhere}
.table-wrap{overflow-x:auto}
.counts{display:flex;gap:1rem;flex-wrap:wrap}.counts div{border:1px solid var(--line);border-radius:8px;padding:.5rem 1rem;min-width:8rem}
.counts strong{display:block;font-size:1.6rem}
ol li,ul li{margin:.3rem 0}
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
form.inline{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center;margin:.5rem 0}
@media (max-width:40rem){dl.values{grid-template-columns:1fr}main{padding:.5rem}section{padding:.75rem}}
`

/** Copy buttons, local times and the live verify section; the page works without it too. */
const SCRIPT = `
for (const b of document.querySelectorAll('[data-copy]')) {
  b.hidden = false
  b.addEventListener('click', async () => {
    const input = document.getElementById(b.dataset.copy)
    try { await navigator.clipboard.writeText(input.value) } catch { input.select(); document.execCommand('copy') }
    const label = b.textContent; b.textContent = 'Copied'; setTimeout(() => { b.textContent = label }, 1500)
  })
}
const verify = document.getElementById('verify-live')
if (verify) {
  const refresh = async () => {
    try {
      const r = await fetch(verify.dataset.src, { credentials: 'same-origin' })
      if (r.ok) verify.innerHTML = await r.text()
      else if (r.status === 401) { verify.textContent = 'Your setup session has ended. Ask for a new setup link to continue.'; return }
    } catch {}
    setTimeout(refresh, 3000)
  }
  setTimeout(refresh, 3000)
}
`

export function Layout(props: {
  title: string
  nonce: string
  tenant?: string
  children: Child
  script?: boolean
}) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="no-referrer" />
        <title>{props.title}</title>
        <style nonce={props.nonce}>{raw(CSS)}</style>
      </head>
      <body>
        <header>
          <h1>{props.title}</h1>
          {props.tenant && (
            <p>
              SCIM provisioning for <strong>{props.tenant}</strong>
            </p>
          )}
        </header>
        <main>{props.children}</main>
        {props.script && <script nonce={props.nonce}>{raw(SCRIPT)}</script>}
      </body>
    </html>
  )
}

/** `**term**` as <strong>term</strong>, `code` as <code>; the rest as text (escaped by JSX). */
export function Rich(props: { text: string }) {
  const parts = props.text.split(/(\*\*[^*]+\*\*|`[^`]+`)/)
  return (
    <>
      {parts.map((part) =>
        part.startsWith('**') ? (
          <strong>{part.slice(2, -2)}</strong>
        ) : part.startsWith('`') ? (
          <code>{part.slice(1, -1)}</code>
        ) : (
          part
        ),
      )}
    </>
  )
}

/** The time of day of an ISO timestamp, in UTC: "12:03 UTC". */
export const clock = (iso: string) => `${iso.slice(11, 16)} UTC`
