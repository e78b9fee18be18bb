//! Notifications to a business's team: what happened (a lead, an appointment, a visitor
//! asking for a person) and a link into the dashboard — never who.
//!
//! Email and SMS leave our hands: they pass through vendors (Resend, Telnyx, a mail
//! relay), sit in inboxes and on lock screens, and get forwarded. The privacy policy
//! promises "PHI-free notifications … no visitor personal data — only secure dashboard
//! links", so the promise is kept by construction rather than by care: a [`TeamEvent`]
//! holds ids and times and nothing else, and [`Notification::compose`] sees only the event,
//! the business's own name and time zone, and the dashboard's address. There is no field
//! a visitor's name, phone, email or message could be put in.
//!
//! The SMS port ([`SmsSender`]) lives here next to the mail port
//! ([`crate::mail::Mailer`]) so the domain says *what* to send and adapters deliver it.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use jiff::tz::TimeZone;
use jiff::Timestamp;
use uuid::Uuid;

use crate::conversation::ConversationId;
use crate::mail::Mail;

/// Something the team should hear about. Ids and times only: the recipient opens the
/// dashboard (behind their sign-in) to see the visitor's details.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TeamEvent {
    /// A visitor left contact details.
    LeadCaptured { lead_id: Uuid },
    /// A visitor booked an appointment starting at `starts_at`.
    AppointmentBooked {
        appointment_id: Uuid,
        starts_at: Timestamp,
    },
    /// An appointment moved; `starts_at` is the new start.
    AppointmentChanged {
        appointment_id: Uuid,
        starts_at: Timestamp,
    },
    /// An appointment was cancelled; `starts_at` is when it would have started.
    AppointmentCancelled {
        appointment_id: Uuid,
        starts_at: Timestamp,
    },
    /// A visitor asked to talk to a person.
    HandoffRequested { conversation_id: ConversationId },
}

impl TeamEvent {
    /// A stable id for the kind of event (preferences, outbox rows, logs).
    pub fn kind(&self) -> &'static str {
        match self {
            TeamEvent::LeadCaptured { .. } => "lead.captured",
            TeamEvent::AppointmentBooked { .. } => "appointment.booked",
            TeamEvent::AppointmentChanged { .. } => "appointment.changed",
            TeamEvent::AppointmentCancelled { .. } => "appointment.cancelled",
            TeamEvent::HandoffRequested { .. } => "handoff.requested",
        }
    }

    /// The event's id and time, to store beside [`TeamEvent::kind`] in an outbox row.
    pub fn parts(&self) -> (Uuid, Option<Timestamp>) {
        match *self {
            TeamEvent::LeadCaptured { lead_id } => (lead_id, None),
            TeamEvent::AppointmentBooked {
                appointment_id,
                starts_at,
            }
            | TeamEvent::AppointmentChanged {
                appointment_id,
                starts_at,
            }
            | TeamEvent::AppointmentCancelled {
                appointment_id,
                starts_at,
            } => (appointment_id, Some(starts_at)),
            TeamEvent::HandoffRequested { conversation_id } => (conversation_id.0, None),
        }
    }

    /// The event back from its stored kind and parts; `None` for a row this version
    /// does not know.
    pub fn from_parts(kind: &str, id: Uuid, starts_at: Option<Timestamp>) -> Option<Self> {
        Some(match (kind, starts_at) {
            ("lead.captured", _) => TeamEvent::LeadCaptured { lead_id: id },
            ("appointment.booked", Some(starts_at)) => TeamEvent::AppointmentBooked {
                appointment_id: id,
                starts_at,
            },
            ("appointment.changed", Some(starts_at)) => TeamEvent::AppointmentChanged {
                appointment_id: id,
                starts_at,
            },
            ("appointment.cancelled", Some(starts_at)) => TeamEvent::AppointmentCancelled {
                appointment_id: id,
                starts_at,
            },
            ("handoff.requested", _) => TeamEvent::HandoffRequested {
                conversation_id: ConversationId(id),
            },
            _ => return None,
        })
    }

    /// Whether the event is about appointments (a member may choose leads only).
    pub fn about_appointments(&self) -> bool {
        matches!(
            self,
            TeamEvent::AppointmentBooked { .. }
                | TeamEvent::AppointmentChanged { .. }
                | TeamEvent::AppointmentCancelled { .. }
        )
    }
}

/// The longest SMS that still goes out as one GSM-7 segment; longer or non-GSM text is
/// split (and billed) as several, and some handsets show the parts out of order.
pub const SMS_SEGMENT: usize = 160;

/// One event, worded for email and for SMS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    /// The email subject: the business and what happened, readable in an inbox list.
    pub subject: String,
    /// The plain-text email body: what happened, when, and the dashboard link.
    pub text: String,
    /// The SMS text: one GSM-7 segment ([`SMS_SEGMENT`]) whenever the link allows it.
    pub sms: String,
}

impl Notification {
    /// Words an event for the team of `business_name`. Times are shown in the business's
    /// own zone (that is where the appointment happens, wherever the reader is), with the
    /// zone's abbreviation so nobody has to guess. `dashboard_url` is the server's public
    /// address, e.g. `https://desk.example.com`.
    pub fn compose(
        event: &TeamEvent,
        business_name: &str,
        business_timezone: &TimeZone,
        dashboard_url: &str,
    ) -> Notification {
        let business = one_line(business_name);
        let base = dashboard_url.trim().trim_end_matches('/');
        let when = |at: &Timestamp| {
            at.to_zoned(business_timezone.clone())
                .strftime("%a, %b %-d, %Y, %-I:%M %p %Z")
                .to_string()
        };
        let (headline, detail, path) = match event {
            TeamEvent::LeadCaptured { .. } => (
                "new lead".to_owned(),
                "A visitor left their contact details with the front desk.".to_owned(),
                "/app/leads".to_owned(),
            ),
            TeamEvent::AppointmentBooked { starts_at, .. } => (
                format!("appointment booked for {}", when(starts_at)),
                format!("A visitor booked an appointment for {}.", when(starts_at)),
                "/app/appointments".to_owned(),
            ),
            TeamEvent::AppointmentChanged { starts_at, .. } => (
                format!("appointment moved to {}", when(starts_at)),
                format!("An appointment was moved to {}.", when(starts_at)),
                "/app/appointments".to_owned(),
            ),
            TeamEvent::AppointmentCancelled { starts_at, .. } => (
                format!("appointment cancelled ({})", when(starts_at)),
                format!(
                    "The appointment for {} was cancelled; the time is free again.",
                    when(starts_at)
                ),
                "/app/appointments".to_owned(),
            ),
            TeamEvent::HandoffRequested { conversation_id } => (
                "a visitor asked for a person".to_owned(),
                "A visitor asked to talk to someone on the team.".to_owned(),
                format!("/app/conversations/{conversation_id}"),
            ),
        };
        let link = format!("{base}{path}");
        let text = format!(
            "{detail}\n\nOpen it in the dashboard:\n{link}\n\n\
             This message is for the team of {business}. Visitor details are never put in \
             email or text messages; they stay in the dashboard, behind your sign-in.\n"
        );
        Notification {
            subject: format!("{business}: {headline}"),
            text,
            sms: sms_text(&business, &format!("{headline}. {link}")),
        }
    }

    /// The email of this notification for one team member.
    pub fn mail(&self, to: &str) -> Mail {
        Mail::new(to, &self.subject, self.text.clone())
    }

    /// The SMS of this notification for one team member.
    pub fn sms_to(&self, to: PhoneNumber) -> Sms {
        Sms {
            to,
            from: None,
            body: self.sms.clone(),
        }
    }
}

/// A business name on one line: control characters and runs of whitespace become one
/// space, so a name can't break a subject or an SMS into odd pieces.
fn one_line(name: &str) -> String {
    name.split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// `"{business}: {rest}"`, shortened to one segment when that is possible: the business
/// name is made GSM-7 (typographic punctuation replaced, other characters dropped) and
/// cut to fit. If even the bare `rest` is too long (a very long dashboard address), it is
/// sent as is, over several segments, because a notification without its link is useless.
fn sms_text(business: &str, rest: &str) -> String {
    let full = format!("{business}: {rest}");
    if gsm7_len(&full).is_some_and(|n| n <= SMS_SEGMENT) {
        return full;
    }
    let Some(rest_len) = gsm7_len(rest) else {
        return full;
    };
    let name: String = business.chars().filter_map(to_gsm7).collect();
    let name = name.trim();
    let budget = SMS_SEGMENT.saturating_sub(rest_len + 2);
    let name_len = gsm7_len(name).unwrap_or(usize::MAX);
    if name_len <= budget && !name.is_empty() {
        return format!("{name}: {rest}");
    }
    if budget < 4 {
        return rest.to_owned();
    }
    let mut cut = String::new();
    let mut used = 0;
    for c in name.chars() {
        let width = gsm7_width(c).unwrap_or(usize::MAX);
        if used + width > budget - 3 {
            break;
        }
        used += width;
        cut.push(c);
    }
    format!("{}...: {rest}", cut.trim_end())
}

/// The GSM 03.38 basic character set (one septet each).
const GSM7_BASIC: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?\
¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
/// The extension table (an escape septet plus one, so two each).
const GSM7_EXTENSION: &str = "^{}\\[~]|€\u{c}";

/// Septets a character takes in GSM-7, or `None` if it forces UCS-2.
fn gsm7_width(c: char) -> Option<usize> {
    if GSM7_BASIC.contains(c) {
        Some(1)
    } else if GSM7_EXTENSION.contains(c) {
        Some(2)
    } else {
        None
    }
}

/// Septets a text takes in GSM-7, or `None` if it needs UCS-2 (70 characters a segment).
pub fn gsm7_len(text: &str) -> Option<usize> {
    text.chars().map(gsm7_width).sum()
}

/// A GSM-7 stand-in for typographic characters common in business names.
fn to_gsm7(c: char) -> Option<char> {
    match c {
        c if gsm7_width(c).is_some() => Some(c),
        '\u{2018}' | '\u{2019}' | '\u{02bc}' => Some('\''),
        '\u{201c}' | '\u{201d}' => Some('"'),
        '\u{2013}' | '\u{2014}' => Some('-'),
        '\u{a0}' => Some(' '),
        _ => None,
    }
}

/// A phone number in E.164 form (`+` then 8 to 15 digits, no leading zero): the only form
/// SMS vendors accept, checked once when a number is entered so senders never re-check.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PhoneNumber(String);

impl PhoneNumber {
    /// Accepts exactly `+` and 8–15 digits, the first not `0` (no country code starts
    /// with 0). Spaces, dashes and brackets are refused rather than guessed at, so the
    /// number a member typed is the number texted.
    pub fn parse(text: &str) -> Result<Self, SmsError> {
        let digits = text.strip_prefix('+').ok_or(SmsError::InvalidNumber)?;
        let valid = (8..=15).contains(&digits.len())
            && digits.bytes().all(|b| b.is_ascii_digit())
            && !digits.starts_with('0');
        if valid {
            Ok(Self(text.to_owned()))
        } else {
            Err(SmsError::InvalidNumber)
        }
    }

    /// The number itself, for the vendor's request only.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The number for logs: `+1…67`. A team member's phone is personal data too.
    pub fn masked(&self) -> String {
        let (head, tail) = (&self.0[..2], &self.0[self.0.len() - 2..]);
        format!("{head}…{tail}")
    }
}

impl fmt::Debug for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PhoneNumber({})", self.masked())
    }
}

/// One text message: to a team member (a [`Notification::sms`], no visitor data by
/// construction), or a reply to a visitor who texted the business.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sms {
    /// A team member's number, or the visitor's who texted.
    pub to: PhoneNumber,
    /// The business number a visitor texted, so the reply comes from it; `None` for the
    /// sender's configured number.
    pub from: Option<PhoneNumber>,
    pub body: String,
}

/// What the vendor said about an accepted message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmsReceipt {
    /// The vendor's message id (to match delivery reports), if the sender has one.
    pub id: Option<String>,
}

/// Why a text message was not handed over. [`SmsError::is_retryable`] tells an outbox
/// whether trying again can help and can't send it twice.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SmsError {
    /// The number is not E.164; nothing was sent.
    #[error("not an E.164 phone number (+ and 8 to 15 digits)")]
    InvalidNumber,
    /// The vendor refused the credentials (401/403); fixing the settings is needed.
    #[error("the SMS provider refused the credentials ({status}): {message}")]
    Unauthorized { status: u16, message: String },
    /// The vendor refused this message (422 and other 4xx): a bad sender, an unreachable
    /// or opted-out recipient. Sending it again gets the same answer.
    #[error("the SMS provider rejected the message ({status}): {message}")]
    Rejected { status: u16, message: String },
    /// Too many messages; wait `retry_after` if the vendor said.
    #[error("the SMS provider is rate limiting{}", wait(retry_after))]
    RateLimited { retry_after: Option<Duration> },
    /// The vendor failed (5xx) and did not take the message.
    #[error("the SMS provider failed ({status}): {message}{}", wait(retry_after))]
    Unavailable {
        status: u16,
        message: String,
        retry_after: Option<Duration>,
    },
    /// The vendor could not be reached (DNS, refused connection, TLS); nothing was sent.
    #[error("could not reach the SMS provider: {0}")]
    Unreachable(String),
    /// The request went out but no answer came back: the message may have been sent.
    /// Not retryable, because the vendor offers no idempotency for texts and a duplicate
    /// is worse than a delay the dashboard already covers.
    #[error("no answer from the SMS provider; the message may have been sent: {0}")]
    Uncertain(String),
    /// The vendor accepted the request but answered in a form we don't understand; the
    /// message was most likely sent, so it is not retried either.
    #[error("unexpected answer from the SMS provider: {0}")]
    Protocol(String),
}

fn wait(retry_after: &Option<Duration>) -> String {
    match retry_after {
        Some(d) => format!("; retry after {}s", d.as_secs_f64().ceil()),
        None => String::new(),
    }
}

impl SmsError {
    /// Whether sending the same message again later may succeed without a duplicate.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            SmsError::RateLimited { .. } | SmsError::Unavailable { .. } | SmsError::Unreachable(_)
        )
    }

    /// How long the vendor asked us to wait, if it said.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            SmsError::RateLimited { retry_after } | SmsError::Unavailable { retry_after, .. } => {
                *retry_after
            }
            _ => None,
        }
    }
}

/// What [`SmsSender::send`] returns.
pub type SmsFuture<'a> = Pin<Box<dyn Future<Output = Result<SmsReceipt, SmsError>> + Send + 'a>>;

/// Delivers text messages. `Ok` means the vendor accepted the message (delivery to the
/// handset is reported later, if at all). Boxed futures keep it usable as `dyn SmsSender`,
/// like [`crate::mail::Mailer`].
pub trait SmsSender: Send + Sync + fmt::Debug {
    fn send<'a>(&'a self, sms: &'a Sms) -> SmsFuture<'a>;
}

#[cfg(test)]
mod tests {

    #[test]
    fn events_round_trip_through_their_stored_parts() {
        let id = Uuid::now_v7();
        let at: Timestamp = "2026-12-01T16:00:00Z".parse().unwrap();
        for event in [
            TeamEvent::LeadCaptured { lead_id: id },
            TeamEvent::AppointmentBooked {
                appointment_id: id,
                starts_at: at,
            },
            TeamEvent::AppointmentChanged {
                appointment_id: id,
                starts_at: at,
            },
            TeamEvent::AppointmentCancelled {
                appointment_id: id,
                starts_at: at,
            },
            TeamEvent::HandoffRequested {
                conversation_id: ConversationId(id),
            },
        ] {
            let (subject, starts_at) = event.parts();
            assert_eq!(
                TeamEvent::from_parts(event.kind(), subject, starts_at),
                Some(event)
            );
        }
        assert_eq!(TeamEvent::from_parts("appointment.booked", id, None), None);
        assert_eq!(TeamEvent::from_parts("mystery", id, None), None);
    }
    use super::*;
    use proptest::prelude::*;

    const DASHBOARD: &str = "https://desk.example.com/";

    fn chicago() -> TimeZone {
        TimeZone::get("America/Chicago").unwrap()
    }

    fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    /// 2026-03-03 15:30 UTC = 9:30 AM CST.
    fn march_3() -> Timestamp {
        "2026-03-03T15:30:00Z".parse().unwrap()
    }

    fn compose(event: TeamEvent) -> Notification {
        Notification::compose(&event, "Bright Smile Dental", &chicago(), DASHBOARD)
    }

    const FOOTER: &str = "This message is for the team of Bright Smile Dental. Visitor \
        details are never put in email or text messages; they stay in the dashboard, behind \
        your sign-in.\n";

    #[test]
    fn lead_captured() {
        let n = compose(TeamEvent::LeadCaptured { lead_id: id(7) });
        assert_eq!(n.subject, "Bright Smile Dental: new lead");
        assert_eq!(
            n.text,
            format!(
                "A visitor left their contact details with the front desk.\n\n\
                 Open it in the dashboard:\nhttps://desk.example.com/app/leads\n\n{FOOTER}"
            )
        );
        assert_eq!(
            n.sms,
            "Bright Smile Dental: new lead. https://desk.example.com/app/leads"
        );
    }

    #[test]
    fn appointment_booked_in_the_business_zone() {
        let n = compose(TeamEvent::AppointmentBooked {
            appointment_id: id(8),
            starts_at: march_3(),
        });
        assert_eq!(
            n.subject,
            "Bright Smile Dental: appointment booked for Tue, Mar 3, 2026, 9:30 AM CST"
        );
        assert_eq!(
            n.text,
            format!(
                "A visitor booked an appointment for Tue, Mar 3, 2026, 9:30 AM CST.\n\n\
                 Open it in the dashboard:\nhttps://desk.example.com/app/appointments\n\n{FOOTER}"
            )
        );
        assert_eq!(
            n.sms,
            "Bright Smile Dental: appointment booked for Tue, Mar 3, 2026, 9:30 AM CST. \
             https://desk.example.com/app/appointments"
        );
    }

    #[test]
    fn appointment_changed_shows_daylight_time() {
        let n = compose(TeamEvent::AppointmentChanged {
            appointment_id: id(8),
            starts_at: "2026-07-01T19:05:00Z".parse().unwrap(),
        });
        assert_eq!(
            n.subject,
            "Bright Smile Dental: appointment moved to Wed, Jul 1, 2026, 2:05 PM CDT"
        );
        assert_eq!(
            n.text,
            format!(
                "An appointment was moved to Wed, Jul 1, 2026, 2:05 PM CDT.\n\n\
                 Open it in the dashboard:\nhttps://desk.example.com/app/appointments\n\n{FOOTER}"
            )
        );
        assert_eq!(
            n.sms,
            "Bright Smile Dental: appointment moved to Wed, Jul 1, 2026, 2:05 PM CDT. \
             https://desk.example.com/app/appointments"
        );
    }

    #[test]
    fn appointment_cancelled() {
        let n = compose(TeamEvent::AppointmentCancelled {
            appointment_id: id(8),
            starts_at: march_3(),
        });
        assert_eq!(
            n.subject,
            "Bright Smile Dental: appointment cancelled (Tue, Mar 3, 2026, 9:30 AM CST)"
        );
        assert_eq!(
            n.text,
            format!(
                "The appointment for Tue, Mar 3, 2026, 9:30 AM CST was cancelled; the time is \
                 free again.\n\n\
                 Open it in the dashboard:\nhttps://desk.example.com/app/appointments\n\n{FOOTER}"
            )
        );
        assert_eq!(
            n.sms,
            "Bright Smile Dental: appointment cancelled (Tue, Mar 3, 2026, 9:30 AM CST). \
             https://desk.example.com/app/appointments"
        );
    }

    #[test]
    fn handoff_links_the_conversation() {
        let n = compose(TeamEvent::HandoffRequested {
            conversation_id: ConversationId(id(0xabc)),
        });
        let link =
            "https://desk.example.com/app/conversations/00000000-0000-0000-0000-000000000abc";
        assert_eq!(
            n.subject,
            "Bright Smile Dental: a visitor asked for a person"
        );
        assert_eq!(
            n.text,
            format!(
                "A visitor asked to talk to someone on the team.\n\n\
                 Open it in the dashboard:\n{link}\n\n{FOOTER}"
            )
        );
        assert_eq!(
            n.sms,
            format!("Bright Smile Dental: a visitor asked for a person. {link}")
        );
        assert!(gsm7_len(&n.sms).unwrap() <= SMS_SEGMENT);
    }

    #[test]
    fn business_names_stay_on_one_line_and_sms_fits_one_segment() {
        let event = TeamEvent::HandoffRequested {
            conversation_id: ConversationId(id(1)),
        };
        let n = Notification::compose(&event, "Ana’s\r\nBcc: x   Clinic", &chicago(), DASHBOARD);
        assert_eq!(
            n.subject,
            "Ana’s Bcc: x Clinic: a visitor asked for a person"
        );
        // The curly apostrophe would force UCS-2 (70 characters a segment).
        assert!(
            n.sms.starts_with("Ana's Bcc: x Clinic: a visitor"),
            "{}",
            n.sms
        );
        assert!(gsm7_len(&n.sms).unwrap() <= SMS_SEGMENT);

        let long = "The Very Long Name Family Dentistry and Orthodontics of Greater Springfield";
        let n = Notification::compose(&event, long, &chicago(), DASHBOARD);
        assert!(
            n.sms.starts_with("The Very Long Name Family Dentis"),
            "{}",
            n.sms
        );
        assert!(n
            .sms
            .contains("...: a visitor asked for a person. https://"));
        assert_eq!(gsm7_len(&n.sms), Some(SMS_SEGMENT));

        // A link that can't fit is still sent whole.
        let far = format!("https://{}.example.com", "x".repeat(150));
        let n = Notification::compose(&event, "Clinic", &chicago(), &far);
        assert!(n
            .sms
            .starts_with("a visitor asked for a person. https://xxx"));
        assert!(n
            .sms
            .ends_with("/app/conversations/00000000-0000-0000-0000-000000000001"));
    }

    #[test]
    fn gsm7_counts_extension_characters_twice() {
        assert_eq!(gsm7_len("Hello"), Some(5));
        assert_eq!(gsm7_len("[€]"), Some(6));
        assert_eq!(gsm7_len("Ana’s"), None);
        assert_eq!(gsm7_len("Café Ñu"), Some(7));
    }

    #[test]
    fn phone_numbers_are_e164() {
        for ok in [
            "+15551234567",
            "+4930123456",
            "+12345678",
            "+123456789012345",
        ] {
            assert_eq!(PhoneNumber::parse(ok).unwrap().as_str(), ok);
        }
        for bad in [
            "15551234567",
            "+1555123",
            "+1234567890123456",
            "+1 555 123 4567",
            "+1-555-123-4567",
            "+05551234567",
            "+1555123456a",
            "",
            "+",
        ] {
            assert_eq!(
                PhoneNumber::parse(bad),
                Err(SmsError::InvalidNumber),
                "{bad}"
            );
        }
        let n = PhoneNumber::parse("+15551234567").unwrap();
        assert_eq!(n.masked(), "+1…67");
        assert_eq!(format!("{n:?}"), "PhoneNumber(+1…67)");
        let sms = Notification::compose(
            &TeamEvent::LeadCaptured { lead_id: id(1) },
            "X",
            &chicago(),
            DASHBOARD,
        )
        .sms_to(n);
        assert!(!format!("{sms:?}").contains("5551234567"));
    }

    #[test]
    fn retryable_errors() {
        let rate = SmsError::RateLimited {
            retry_after: Some(Duration::from_secs(3)),
        };
        assert!(rate.is_retryable());
        assert_eq!(rate.retry_after(), Some(Duration::from_secs(3)));
        assert_eq!(
            rate.to_string(),
            "the SMS provider is rate limiting; retry after 3s"
        );
        assert!(SmsError::Unreachable("refused".into()).is_retryable());
        for permanent in [
            SmsError::InvalidNumber,
            SmsError::Rejected {
                status: 422,
                message: "bad".into(),
            },
            SmsError::Unauthorized {
                status: 401,
                message: "no".into(),
            },
            SmsError::Uncertain("timeout".into()),
            SmsError::Protocol("?".into()),
        ] {
            assert!(!permanent.is_retryable(), "{permanent}");
            assert_eq!(permanent.retry_after(), None);
        }
    }

    /// What the integrator will hold when an event happens: the stored lead or appointment
    /// with the visitor's details right next to the ids the event takes.
    #[derive(Debug)]
    struct VisitorRecord {
        id: Uuid,
        name: String,
        phone: String,
        email: String,
        message: String,
    }

    fn visitor() -> impl Strategy<Value = VisitorRecord> {
        (
            any::<u128>(),
            "[A-Z][a-z]{2,10} [A-Z][a-z]{2,12}( [A-Z][a-z]{2,10})?",
            prop_oneof![
                "\\+1[2-9][0-9]{9}",
                "\\+44 7[0-9]{3} [0-9]{6}",
                "\\([2-9][0-9]{2}\\) [0-9]{3}-[0-9]{4}"
            ],
            "[a-z]{2,10}(\\.[a-z]{2,8})?@[a-z]{3,10}\\.(com|net|org|test)",
            "I need [a-z]{3,12} for my [a-z]{3,12}",
        )
            .prop_map(|(id, name, phone, email, message)| VisitorRecord {
                id: Uuid::from_u128(id),
                name,
                phone,
                email,
                message,
            })
    }

    fn events(record: &VisitorRecord, at: Timestamp) -> [TeamEvent; 5] {
        [
            TeamEvent::LeadCaptured { lead_id: record.id },
            TeamEvent::AppointmentBooked {
                appointment_id: record.id,
                starts_at: at,
            },
            TeamEvent::AppointmentChanged {
                appointment_id: record.id,
                starts_at: at,
            },
            TeamEvent::AppointmentCancelled {
                appointment_id: record.id,
                starts_at: at,
            },
            TeamEvent::HandoffRequested {
                conversation_id: ConversationId(record.id),
            },
        ]
    }

    proptest! {
        /// Whatever the visitor told us, none of it reaches a subject, body or SMS.
        #[test]
        fn no_visitor_data_in_any_notification(
            record in visitor(),
            seconds in 0i64..4_000_000_000,
            zone in prop::sample::select(vec!["America/Chicago", "Europe/Madrid", "Asia/Kolkata", "UTC"]),
        ) {
            let at = Timestamp::from_second(seconds).unwrap();
            let tz = TimeZone::get(zone).unwrap();
            for event in events(&record, at) {
                let n = Notification::compose(&event, "Bright Smile Dental", &tz, DASHBOARD);
                for part in [&n.subject, &n.text, &n.sms] {
                    let folded = part.to_lowercase();
                    for secret in [&record.name, &record.phone, &record.email, &record.message] {
                        prop_assert!(
                            !folded.contains(&secret.to_lowercase()),
                            "{secret:?} leaked into {part:?}"
                        );
                    }
                    // A phone reformatted (digits only) is still the phone.
                    let digits: String = record.phone.chars().filter(char::is_ascii_digit).collect();
                    prop_assert!(!part.contains(&digits), "{digits:?} leaked into {part:?}");
                }
            }
        }
    }
}
