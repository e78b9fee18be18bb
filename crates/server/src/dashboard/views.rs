//! The dashboard's shared HTML: the page frame, navigation, small form parts and the
//! activity chart. Server-rendered with maud (escaped by default), no JavaScript needed.

use frontdesk_core::accounts::Permission;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::Timestamp;
use maud::{html, Markup, PreEscaped, DOCTYPE};

use super::session::Member;

const STYLE: &str = r#"
:root{--ink:#1c2430;--muted:#4d5866;--line:#d5dbe3;--bg:#f6f8fa;--accent:#0b5fad;--accent-ink:#fff;--bad:#a4161a;--ok:#1b6e3a}
*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);background:var(--bg)}
a{color:var(--accent)}a:focus,button:focus,input:focus,select:focus,textarea:focus{outline:3px solid #ffbf47;outline-offset:1px}
header{background:#fff;border-bottom:1px solid var(--line);padding:.5rem 1rem;display:flex;flex-wrap:wrap;gap:.5rem 1.5rem;align-items:center}
header .brand{font-weight:700;text-decoration:none;color:var(--ink)}nav ul{list-style:none;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:.25rem 1rem}
nav a{text-decoration:none;padding:.25rem 0;display:inline-block}nav a[aria-current=page]{font-weight:700;border-bottom:3px solid var(--accent)}
header form{margin-left:auto}main{max-width:72rem;margin:0 auto;padding:1rem}
h1{font-size:1.6rem;margin:.5rem 0 1rem}h2{font-size:1.2rem;margin:1.5rem 0 .5rem}
.card{background:#fff;border:1px solid var(--line);border-radius:8px;padding:1rem;margin-bottom:1rem}
.stats{display:grid;grid-template-columns:repeat(auto-fit,minmax(12rem,1fr));gap:1rem}.stat b{display:block;font-size:2rem}
table{border-collapse:collapse;width:100%;background:#fff}th,td{text-align:left;padding:.5rem;border-bottom:1px solid var(--line);vertical-align:top}
th{font-size:.9rem;color:var(--muted)}.table-wrap{overflow-x:auto}
label{display:block;font-weight:600;margin:.75rem 0 .25rem}input,select,textarea{font:inherit;padding:.45rem .6rem;border:1px solid #8a94a3;border-radius:6px;max-width:100%}
input[type=text],input[type=email],input[type=password],input[type=search],textarea{width:100%}textarea{min-height:24rem;font-family:ui-monospace,monospace;font-size:.9rem}
button,.button{font:inherit;background:var(--accent);color:var(--accent-ink);border:0;border-radius:6px;padding:.5rem 1rem;cursor:pointer;text-decoration:none;display:inline-block}
button.secondary{background:#e6ebf1;color:var(--ink)}button.danger{background:var(--bad)}
.inline{display:inline}.row{display:flex;flex-wrap:wrap;gap:.5rem;align-items:end}.muted{color:var(--muted)}
.notice{border-left:4px solid var(--ok);background:#eef8f1;padding:.75rem 1rem;margin-bottom:1rem}.error{border-left:4px solid var(--bad);background:#fbeeee;padding:.75rem 1rem;margin-bottom:1rem}
.narrow{max-width:28rem;margin:2rem auto}.msg{padding:.5rem .75rem;border-radius:8px;margin:.4rem 0;max-width:44rem}
.msg.visitor{background:#e8f0fb}.msg.assistant{background:#fff;border:1px solid var(--line)}.msg small{display:block;color:var(--muted)}
.hours{display:grid;grid-template-columns:6rem 1fr;gap:.25rem 1rem;align-items:center}.hours label{margin:0}
.codes{columns:2;font-family:ui-monospace,monospace;font-size:1.1rem}
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.pager{display:flex;gap:1rem;margin-top:1rem}
"#;

/// The pages of the signed-in navigation, with the permission each needs to be listed.
const NAV: &[(&str, &str, Option<Permission>)] = &[
    ("/app", "Home", None),
    ("/app/conversations", "Conversations", None),
    ("/app/calls", "Calls", None),
    ("/app/leads", "Leads", None),
    ("/app/appointments", "Appointments", None),
    ("/app/business", "Business", Some(Permission::EditKnowledge)),
    ("/app/settings", "Settings", Some(Permission::EditSettings)),
    ("/app/team", "Team", None),
    ("/app/security", "Security", None),
    ("/app/audit", "Audit log", Some(Permission::ViewAuditLog)),
    (
        "/app/privacy",
        "Visitor data",
        Some(Permission::HandleDataRequests),
    ),
    ("/app/account", "Account", None),
];

fn head(title: &str) -> Markup {
    html! {
        head {
            meta charset="utf-8";
            meta name="viewport" content="width=device-width, initial-scale=1";
            meta name="referrer" content="same-origin";
            title { (title) " · frontdesk" }
            style { (PreEscaped(STYLE)) }
        }
    }
}

/// A signed-in page: navigation, sign-out, and the body.
pub fn layout(member: &Member, current: &str, title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            (head(title))
            body {
                header {
                    a.brand href="/app" { (member.business.name) }
                    nav aria-label="Dashboard" {
                        ul {
                            @for (href, label, needs) in NAV {
                                @if needs.is_none_or(|p| member.can(p)) {
                                    li {
                                        a href=(href) aria-current=[(*href == current).then_some("page")] { (label) }
                                    }
                                }
                            }
                        }
                    }
                    form.inline method="post" action="/app/logout" {
                        (csrf_field(member))
                        span.muted { (member.user().email) " · " (member.user().role) " " }
                        button.secondary type="submit" { "Sign out" }
                    }
                }
                main id="main" {
                    h1 { (title) }
                    (body)
                }
            }
        }
    }
}

/// A page without navigation: sign-in, sign-up, errors.
pub fn bare_page(title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            (head(title))
            body {
                main.narrow id="main" {
                    h1 { (title) }
                    (body)
                }
            }
        }
    }
}

/// A page that only says something.
pub fn message_page(title: &str, message: &str) -> Markup {
    bare_page(
        title,
        html! {
            p role="alert" { (message) }
            p { a href="/app" { "Back to the dashboard" } }
        },
    )
}

/// The hidden CSRF field every signed-in form carries.
pub fn csrf_field(member: &Member) -> Markup {
    html! { input type="hidden" name="csrf" value=(member.session.csrf_token); }
}

/// A one-button form posting to `action`.
pub fn post_button(member: &Member, action: &str, label: &str, class: &str) -> Markup {
    html! {
        form.inline method="post" action=(action) {
            (csrf_field(member))
            button class=(class) type="submit" { (label) }
        }
    }
}

/// An error box, if there is an error.
pub fn error_box(error: Option<&str>) -> Markup {
    html! {
        @if let Some(error) = error {
            div.error role="alert" { (error) }
        }
    }
}

/// How a permission is named to people.
pub fn permission_label(permission: Permission) -> &'static str {
    match permission {
        Permission::ViewConversations => "viewing conversations",
        Permission::ViewLeads => "viewing leads",
        Permission::ManageAppointments => "changing appointments",
        Permission::ManageOwnAccount => "managing your own account",
        Permission::EditKnowledge => "editing the business's information",
        Permission::EditSettings => "changing settings",
        Permission::ExportData => "exporting data",
        Permission::ViewAuditLog => "viewing the audit log",
        Permission::HandleDataRequests => "handling data requests",
        Permission::ManageTeam => "managing the team",
        Permission::ManageBilling => "managing billing",
        Permission::DangerZone => "closing the account",
    }
}

/// A moment in the business's time zone, e.g. `2026-11-23 14:05`.
pub fn local_time(at: Timestamp, timezone: &TimeZone) -> String {
    at.to_zoned(timezone.clone())
        .strftime("%Y-%m-%d %H:%M")
        .to_string()
}

/// Conversations and leads per day as a bar chart, with the numbers in a table for
/// screen readers.
pub fn activity_chart(days: &[(Date, usize, usize)]) -> Markup {
    const WIDTH: usize = 720;
    const HEIGHT: usize = 160;
    let peak = days
        .iter()
        .map(|(_, c, l)| (*c).max(*l))
        .max()
        .unwrap_or(0)
        .max(1);
    let slot = WIDTH / days.len().max(1);
    let bar = (slot.saturating_sub(2) / 2).max(1);
    let height = |n: usize| n * (HEIGHT - 20) / peak;
    html! {
        figure {
            svg viewBox=(format!("0 0 {WIDTH} {HEIGHT}")) width="100%" role="img" aria-labelledby="chart-title" {
                title id="chart-title" { "Conversations and leads per day over the last " (days.len()) " days" }
                @for (i, (day, conversations, leads)) in days.iter().enumerate() {
                    rect x=(i * slot) y=(HEIGHT - height(*conversations)) width=(bar) height=(height(*conversations)) fill="#0b5fad" {
                        title { (day) ": " (conversations) " conversations" }
                    }
                    rect x=(i * slot + bar) y=(HEIGHT - height(*leads)) width=(bar) height=(height(*leads)) fill="#e07b00" {
                        title { (day) ": " (leads) " leads" }
                    }
                }
                line x1="0" y1=(HEIGHT) x2=(WIDTH) y2=(HEIGHT) stroke="#8a94a3";
                text x="0" y="12" font-size="12" fill="#4d5866" { "peak " (peak) }
            }
            figcaption.muted {
                span style="color:#0b5fad" { "■" } " conversations  "
                span style="color:#e07b00" { "■" } " leads"
            }
            table.visually-hidden {
                caption { "Conversations and leads per day" }
                tr { th { "Day" } th { "Conversations" } th { "Leads" } }
                @for (day, conversations, leads) in days {
                    tr { td { (day) } td { (conversations) } td { (leads) } }
                }
            }
        }
    }
}
