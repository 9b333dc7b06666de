// The console's page shell (landmarks, skip link, navigation, flash message, inlined responsive CSS),
// shared widgets (breaker badge, confirmed POST buttons), and the renderer with the page's headers.
import type { Context } from "hono";
import { raw } from "hono/html";
import type { Child } from "hono/jsx";
import { grants, type AdminScope } from "../../core/admin-scope";
import type { AppEnv } from "../context";
import { CONSOLE_PATH, type Flash, type Session } from "./session";

export const CSS = `:root{--fg:#1f1f1f;--mut:#4a4a4a;--bd:#c4c7c5;--ac:#0b57d0;--ok:#137333;--bad:#b3261e;--warn:#8a4b00}
*{box-sizing:border-box}body{margin:0;font:15px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:var(--fg);background:#fff}
a{color:var(--ac)}:focus-visible{outline:3px solid #c05600;outline-offset:2px}
.skip{position:absolute;left:-9999px}.skip:focus{left:8px;top:8px;z-index:9;background:#fff;color:var(--ac);padding:6px 10px}
header{display:flex;flex-wrap:wrap;align-items:center;gap:6px 20px;padding:10px 16px;background:#1f1f1f;color:#fff}
header a,header button{color:#fff}header .brand{font-weight:700;text-decoration:none}
nav ul{display:flex;flex-wrap:wrap;gap:4px 16px;list-style:none;margin:0;padding:0}nav a[aria-current]{font-weight:700;text-decoration-thickness:3px}
header .who{margin:0 0 0 auto;font-size:.9em}header form{margin:0}header button{background:none;border:1px solid #fff}
main{max-width:1240px;margin:0 auto;padding:12px 16px 32px}h1{font-size:1.45rem;margin:.4em 0}h2{font-size:1.15rem;margin:1.4em 0 .5em}
footer{max-width:1240px;margin:0 auto;padding:12px 16px;color:var(--mut);font-size:.85em}
.scroll{overflow-x:auto;max-width:100%}table{border-collapse:collapse;width:100%;font-size:.93em}
caption{text-align:left;color:var(--mut);padding:4px 0}th,td{text-align:left;padding:6px 8px;border-bottom:1px solid var(--bd);vertical-align:top}
th{background:#f1f3f4;white-space:nowrap}td.n,th.n,.dl td:nth-child(n+6){text-align:right;font-variant-numeric:tabular-nums}code,.id{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.9em;overflow-wrap:anywhere}
.b{display:inline-block;padding:0 8px;border:1px solid;border-radius:10px;font-weight:600;font-size:.85em;white-space:nowrap}
.closed{color:var(--ok)}.open{color:var(--bad)}
.active,.delivered{color:var(--ok)}.paused,.waiting,.queued{color:var(--warn)}.quarantined,.dead_lettered{color:var(--bad)}.half_open{color:var(--warn)}.mut{color:var(--mut)}
.flash{padding:8px 12px;margin:8px 0;border-left:5px solid var(--ok);background:#e6f4ea}.flash.error{border-color:var(--bad);background:#fce8e6}
button,.btn{font:inherit;display:inline-block;padding:6px 14px;border:1px solid var(--ac);border-radius:4px;background:var(--ac);color:#fff;cursor:pointer;text-decoration:none}
button.danger{background:var(--bad);border-color:var(--bad)}.btn.sec{background:#fff;color:var(--ac)}
input,select{font:inherit;padding:5px 6px;border:1px solid #747775;border-radius:4px;max-width:100%}
label{display:block;font-size:.9em;font-weight:600}form.filters{display:flex;flex-wrap:wrap;gap:8px 12px;align-items:flex-end;margin:8px 0}
.actions{display:flex;flex-wrap:wrap;gap:8px 16px;align-items:flex-start;margin:12px 0}details.confirm summary{cursor:pointer;padding:6px 0;color:var(--ac);font-weight:600}
details.confirm[open]{padding:8px;border:1px solid var(--bd);border-radius:4px}details.confirm p{margin:.3em 0 .6em}
dl.kv{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px}dl.kv dt{font-weight:600}dl.kv dd{margin:0;overflow-wrap:anywhere}
pre{background:#f6f8fa;border:1px solid var(--bd);padding:10px;overflow:auto;max-height:70vh;font-size:.85em}
svg.spark{display:block;background:#fafafa}figure{margin:0}svg.bars{max-width:640px;display:block}.legend{font-size:.85em;color:var(--mut)}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(150px,1fr));gap:8px}.cards div{border:1px solid var(--bd);border-radius:6px;padding:8px}
.cards b{display:block;font-size:1.25em}.pager{display:flex;gap:16px;margin:10px 0}
@media (max-width:640px){body{font-size:14px}main{padding:8px}th,td{padding:4px 5px}dl.kv{grid-template-columns:1fr}header .who{margin-left:0}}`;

let cssHash: Promise<string> | undefined;

/** `'sha256-…'` of the inlined stylesheet, for a CSP without 'unsafe-inline'. */
export function styleHash(): Promise<string> {
  cssHash ??= crypto.subtle.digest("SHA-256", new TextEncoder().encode(CSS)).then((d) => {
    let binary = "";
    for (const b of new Uint8Array(d)) binary += String.fromCharCode(b);
    return `'sha256-${btoa(binary)}'`;
  });
  return cssHash;
}

export type Section = "overview" | "dlq" | "endpoint" | "events" | "audit" | "login";

const NAV: readonly [Section, string, string][] = [
  ["overview", "Overview", CONSOLE_PATH],
  ["dlq", "Dead letters", `${CONSOLE_PATH}/dlq`],
  ["events", "Events", `${CONSOLE_PATH}/events`],
  ["audit", "Audit log", `${CONSOLE_PATH}/audit`],
];

/** Cloudflare Access's own sign-out for the application (ends the Access session). */
const ACCESS_LOGOUT = "/cdn-cgi/access/logout";

export interface LayoutProps {
  title: string;
  section: Section;
  session: Session | null;
  flash?: Flash | null;
  children?: Child;
}

export function Layout(props: LayoutProps) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="same-origin" />
        <title>{`${props.title} · Hookgate console`}</title>
        <style>{raw(CSS)}</style>
      </head>
      <body>
        <a class="skip" href="#main">
          Skip to content
        </a>
        <header>
          <a class="brand" href={CONSOLE_PATH}>
            Hookgate console
          </a>
          {props.session === null ? null : (
            <>
              <nav aria-label="Console">
                <ul>
                  {NAV.map(([section, label, href]) => (
                    <li>
                      <a href={href} aria-current={section === props.section ? "page" : undefined}>
                        {label}
                      </a>
                    </li>
                  ))}
                </ul>
              </nav>
              <p class="who">
                Signed in as <b>{props.session.principal.actor}</b> ({props.session.principal.scope ?? "no access"})
              </p>
              {props.session.principal.via === "access" ? (
                <a href={ACCESS_LOGOUT}>Sign out</a>
              ) : (
                <form method="post" action={`${CONSOLE_PATH}/logout`}>
                  <CsrfField session={props.session} />
                  <button type="submit">Log out</button>
                </form>
              )}
            </>
          )}
        </header>
        <main id="main" tabindex={-1}>
          <h1>{props.title}</h1>
          {props.flash == null ? null : (
            <p class={`flash ${props.flash.kind}`} role={props.flash.kind === "error" ? "alert" : "status"}>
              {props.flash.text}
            </p>
          )}
          {props.children}
        </main>
        <footer>Hookgate operator console. Times are UTC.</footer>
      </body>
    </html>
  );
}

export function CsrfField(props: { session: Session }) {
  return <input type="hidden" name="_csrf" value={props.session.csrf} />;
}

export function BreakerBadge(props: { state: "closed" | "open" | "half_open" | null }) {
  if (props.state === null) return <span class="b mut">unknown</span>;
  return <span class={`b ${props.state}`}>{props.state === "half_open" ? "half-open" : props.state}</span>;
}

/**
 * A POST button behind a disclosure: the first activation only reveals what will happen and the real
 * button (no script needed; keyboard-operable as a native <details>). Hidden when the scope is short.
 */
export function ConfirmAction(props: {
  session: Session;
  action: string;
  summary: string;
  question: string;
  confirm: string;
  danger?: boolean;
  fields?: Readonly<Record<string, string | undefined>>;
  /** The scope the action needs (operate unless said); without it the action is not shown. */
  scope?: AdminScope;
}) {
  if (!grants(props.session.principal.scope, props.scope ?? "operate")) return null;
  return (
    <details class="confirm">
      <summary>{props.summary}</summary>
      <form method="post" action={props.action}>
        <CsrfField session={props.session} />
        {Object.entries(props.fields ?? {}).map(([name, value]) => (value === undefined ? null : <input type="hidden" name={name} value={value} />))}
        <p>{props.question}</p>
        <button type="submit" class={props.danger === true ? "danger" : undefined}>
          {props.confirm}
        </button>
      </form>
    </details>
  );
}

/** A scrollable, keyboard-focusable region around a wide table. */
export function Scroll(props: { label: string; children?: Child }) {
  return (
    <div class="scroll" role="region" aria-label={props.label} tabindex={0}>
      {props.children}
    </div>
  );
}

/** Renders a full page; the security headers are set by the console's middleware. */
export async function page(c: Context<AppEnv>, node: Child, status: 200 | 400 | 401 | 403 | 404 | 429 = 200): Promise<Response> {
  return c.html(`<!DOCTYPE html>${String(await node)}`, status);
}
