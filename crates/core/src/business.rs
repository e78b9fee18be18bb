//! Business knowledge: the verified facts the assistant may talk about.
//!
//! A business owner writes these as a TOML file (see `docs/business-file.md`). Parsing is
//! strict on purpose: an unknown key is almost always a typo that would otherwise silently
//! drop a fact, so every problem is reported with the line it sits on and nothing is kept.

use std::fmt;
use std::ops::Range;

use jiff::civil::{Date, Weekday};
use jiff::tz::TimeZone;
use serde::Deserialize;
use serde_spanned::Spanned;

use crate::schedule::{DayHours, WeeklyHours};

/// A URL-safe, unique business identifier such as `sunrise-dental`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Slug(String);

impl Slug {
    /// Accepts 1–63 lowercase ASCII letters, digits and inner hyphens, so a slug can sit in
    /// a URL path and a DNS label without escaping.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let valid_chars = raw
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if raw.is_empty() || raw.len() > 63 || !valid_chars {
            return Err(format!(
                "slug {raw:?} must be 1-63 characters of a-z, 0-9 and '-'"
            ));
        }
        if raw.starts_with('-') || raw.ends_with('-') {
            return Err(format!("slug {raw:?} must not start or end with '-'"));
        }
        Ok(Self(raw.to_owned()))
    }

    /// The slug as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A day on which the business is closed although its weekly hours say otherwise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Closure {
    pub date: Date,
    pub note: Option<String>,
}

/// One service with what a visitor may be told about it. Prices are a range on purpose:
/// the product never commits to an exact price.
#[derive(Debug, Clone, PartialEq)]
pub struct Service {
    pub name: String,
    pub duration_minutes: Option<u32>,
    pub price_min: Option<f64>,
    pub price_max: Option<f64>,
    pub description: Option<String>,
    /// Other names visitors use for this service ("cleaning", "hygiene visit").
    pub aliases: Vec<String>,
}

/// A question the business has answered in its own words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Faq {
    pub question: String,
    pub answer: String,
}

/// A topic the business wants its team to answer, on top of the built-in safety rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedirectTopic {
    /// Reported as the rule id `topic:<name>`.
    pub name: String,
    /// Lowercase words or phrases; a trailing `*` matches any ending.
    pub keywords: Vec<String>,
}

/// Everything the assistant knows about one business, already validated.
#[derive(Debug, Clone)]
pub struct Business {
    pub slug: Slug,
    pub name: String,
    pub timezone_name: String,
    pub timezone: TimeZone,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub website: Option<String>,
    pub address: Option<String>,
    pub directions: Option<String>,
    pub greeting: String,
    pub currency: String,
    pub insurance: Vec<String>,
    pub hours: WeeklyHours,
    pub closures: Vec<Closure>,
    pub services: Vec<Service>,
    pub faqs: Vec<Faq>,
    /// Extra topics redirected to the team. They can only add to the built-in rules.
    pub redirect_topics: Vec<RedirectTopic>,
    /// How appointments are offered (`[booking]`).
    pub booking: BookingRules,
    /// Stems of every word of the data, built on first use by the claim grounding.
    pub(crate) word_stems: std::sync::OnceLock<std::collections::HashSet<String>>,
    /// Every number the data states, built on first use by the number grounding.
    pub(crate) known_numbers: std::sync::OnceLock<Vec<String>>,
    /// The data's own sentences, longest first, built on first use to tell a reply's own
    /// words from quoted facts.
    pub(crate) verified_texts: std::sync::OnceLock<Vec<String>>,
}

/// How appointments are offered: the `[booking]` table of the business file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BookingRules {
    /// Free minutes kept before and after every appointment.
    pub buffer_minutes: u16,
    /// The earliest a slot may start, in minutes from now.
    pub min_notice_minutes: u32,
    /// Slots start every this many minutes from opening.
    pub slot_minutes: u16,
    /// The length of an appointment for a service with no duration of its own.
    pub default_duration_minutes: u16,
    /// How far ahead slots are offered, in days.
    pub horizon_days: u16,
}

impl Default for BookingRules {
    fn default() -> Self {
        Self {
            buffer_minutes: 0,
            min_notice_minutes: 120,
            slot_minutes: 30,
            default_duration_minutes: 30,
            horizon_days: 60,
        }
    }
}

/// Why a business file was refused, with the 1-based line of the offending value when known.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct BusinessFileError {
    pub line: Option<usize>,
    pub message: String,
}

impl fmt::Display for BusinessFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "line {line}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBusiness {
    slug: Spanned<String>,
    name: Spanned<String>,
    timezone: Spanned<String>,
    phone: Option<Spanned<String>>,
    email: Option<Spanned<String>>,
    website: Option<Spanned<String>>,
    address: Option<String>,
    directions: Option<String>,
    greeting: Option<String>,
    currency: Option<Spanned<String>>,
    #[serde(default)]
    insurance: Vec<Spanned<String>>,
    #[serde(default)]
    hours: RawHours,
    #[serde(default)]
    closures: Vec<RawClosure>,
    #[serde(default)]
    services: Vec<Spanned<RawService>>,
    #[serde(default)]
    faqs: Vec<Spanned<RawFaq>>,
    #[serde(default)]
    safety: RawSafety,
    booking: Option<Spanned<RawBooking>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawBooking {
    buffer_minutes: Option<u16>,
    min_notice_minutes: Option<u32>,
    slot_minutes: Option<u16>,
    default_duration_minutes: Option<u16>,
    horizon_days: Option<u16>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawSafety {
    #[serde(default)]
    redirect_topics: Vec<Spanned<RawTopic>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTopic {
    name: String,
    keywords: Vec<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawHours {
    mon: Option<Spanned<String>>,
    tue: Option<Spanned<String>>,
    wed: Option<Spanned<String>>,
    thu: Option<Spanned<String>>,
    fri: Option<Spanned<String>>,
    sat: Option<Spanned<String>>,
    sun: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawClosure {
    date: Spanned<RawDate>,
    note: Option<String>,
}

/// The documented form is a quoted `"2026-12-25"`; a bare TOML date works too.
#[derive(Deserialize)]
#[serde(untagged)]
enum RawDate {
    Text(String),
    Toml(toml::value::Datetime),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawService {
    name: String,
    duration_minutes: Option<u32>,
    price_min: Option<f64>,
    price_max: Option<f64>,
    description: Option<String>,
    #[serde(default)]
    aliases: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFaq {
    question: String,
    answer: String,
}

/// Turns byte offsets into line numbers for error messages.
struct Source<'a>(&'a str);

impl Source<'_> {
    fn error(&self, span: Range<usize>, message: impl Into<String>) -> BusinessFileError {
        let offset = span.start.min(self.0.len());
        let line = self.0[..offset].bytes().filter(|b| *b == b'\n').count() + 1;
        BusinessFileError {
            line: Some(line),
            message: message.into(),
        }
    }

    fn non_empty(&self, value: Spanned<String>, key: &str) -> Result<String, BusinessFileError> {
        let text = value.get_ref().trim();
        if text.is_empty() {
            return Err(self.error(value.span(), format!("{key} must not be empty")));
        }
        Ok(text.to_owned())
    }
}

impl Business {
    /// Parses and validates a business file. Either the whole file is valid or nothing is
    /// returned: a half-imported business would let the assistant state partial facts.
    pub fn from_toml(text: &str) -> Result<Self, BusinessFileError> {
        let source = Source(text);
        let raw: RawBusiness = toml::from_str(text).map_err(|err| {
            let message = err.message().trim().to_owned();
            match err.span() {
                Some(span) => source.error(span, message),
                None => BusinessFileError {
                    line: None,
                    message,
                },
            }
        })?;
        raw.validate(&source)
    }

    /// The services a visitor can be told a price range for.
    pub fn priced_services(&self) -> impl Iterator<Item = &Service> {
        self.services.iter().filter(|s| s.price_min.is_some())
    }

    /// The closure on a given local date, if any.
    pub fn closure_on(&self, date: Date) -> Option<&Closure> {
        self.closures.iter().find(|c| c.date == date)
    }
}

impl RawBusiness {
    fn validate(self, source: &Source<'_>) -> Result<Business, BusinessFileError> {
        let slug =
            Slug::parse(self.slug.get_ref()).map_err(|m| source.error(self.slug.span(), m))?;
        let name = source.non_empty(self.name, "name")?;
        let timezone_name = self.timezone.get_ref().trim().to_owned();
        let timezone = TimeZone::get(&timezone_name).map_err(|_| {
            source.error(
                self.timezone.span(),
                format!("unknown time zone {timezone_name:?} (use an IANA name such as \"America/Chicago\")"),
            )
        })?;
        let phone = self.phone.map(|p| validate_phone(source, p)).transpose()?;
        let email = self.email.map(|e| validate_email(source, e)).transpose()?;
        let website = self
            .website
            .map(|w| validate_website(source, w))
            .transpose()?;
        let currency = match self.currency {
            Some(c) => validate_currency(source, c)?,
            None => "USD".to_owned(),
        };
        let insurance = self
            .insurance
            .into_iter()
            .map(|plan| source.non_empty(plan, "an insurance plan name"))
            .collect::<Result<Vec<_>, _>>()?;
        let hours = self.hours.validate(source)?;
        let closures = validate_closures(source, self.closures)?;
        let services = validate_services(source, self.services)?;
        let faqs = self
            .faqs
            .into_iter()
            .map(|faq| {
                let span = faq.span();
                let faq = faq.into_inner();
                if faq.question.trim().is_empty() || faq.answer.trim().is_empty() {
                    return Err(source.error(span, "a FAQ needs a question and an answer"));
                }
                Ok(Faq {
                    question: faq.question.trim().to_owned(),
                    answer: faq.answer.trim().to_owned(),
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let redirect_topics = self
            .safety
            .redirect_topics
            .into_iter()
            .map(|topic| {
                let span = topic.span();
                let topic = topic.into_inner();
                let name = topic.name.trim().to_lowercase();
                let keywords: Vec<String> = topic.keywords.iter().map(|k| k.trim().to_lowercase()).filter(|k| !k.is_empty()).collect();
                let valid_name = !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
                if !valid_name || keywords.is_empty() {
                    return Err(source.error(span, "a redirect topic needs a name (a-z, 0-9, '-', '_') and at least one keyword"));
                }
                Ok(RedirectTopic { name, keywords })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let booking = validate_booking(source, self.booking)?;
        let greeting = self
            .greeting
            .map(|g| g.trim().to_owned())
            .filter(|g| !g.is_empty())
            .unwrap_or_else(|| format!("Hi! I'm the {name} assistant. How can I help?"));
        Ok(Business {
            slug,
            name,
            timezone_name,
            timezone,
            phone,
            email,
            website,
            address: non_blank(self.address),
            directions: non_blank(self.directions),
            greeting,
            currency,
            insurance,
            hours,
            closures,
            services,
            faqs,
            redirect_topics,
            booking,
            word_stems: std::sync::OnceLock::new(),
            known_numbers: std::sync::OnceLock::new(),
            verified_texts: std::sync::OnceLock::new(),
        })
    }
}

impl RawHours {
    fn validate(self, source: &Source<'_>) -> Result<WeeklyHours, BusinessFileError> {
        let days = [
            (Weekday::Monday, self.mon),
            (Weekday::Tuesday, self.tue),
            (Weekday::Wednesday, self.wed),
            (Weekday::Thursday, self.thu),
            (Weekday::Friday, self.fri),
            (Weekday::Saturday, self.sat),
            (Weekday::Sunday, self.sun),
        ];
        let mut hours = WeeklyHours::default();
        for (weekday, value) in days {
            let Some(value) = value else { continue };
            let day = DayHours::parse(value.get_ref()).map_err(|m| {
                source.error(value.span(), format!("hours.{}: {m}", day_key(weekday)))
            })?;
            hours.set(weekday, day);
        }
        Ok(hours)
    }
}

fn day_key(weekday: Weekday) -> &'static str {
    match weekday {
        Weekday::Monday => "mon",
        Weekday::Tuesday => "tue",
        Weekday::Wednesday => "wed",
        Weekday::Thursday => "thu",
        Weekday::Friday => "fri",
        Weekday::Saturday => "sat",
        Weekday::Sunday => "sun",
    }
}

fn non_blank(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

fn validate_phone(
    source: &Source<'_>,
    phone: Spanned<String>,
) -> Result<String, BusinessFileError> {
    let span = phone.span();
    let text = source.non_empty(phone, "phone")?;
    let digits = text.chars().filter(char::is_ascii_digit).count();
    let allowed = text
        .chars()
        .all(|c| c.is_ascii_digit() || " +-().".contains(c));
    if !allowed || !(7..=15).contains(&digits) {
        return Err(source.error(span, format!("phone {text:?} is not a phone number")));
    }
    Ok(text)
}

fn validate_email(
    source: &Source<'_>,
    email: Spanned<String>,
) -> Result<String, BusinessFileError> {
    let span = email.span();
    let text = source.non_empty(email, "email")?;
    let valid = match text.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !text.chars().any(char::is_whitespace)
        }
        None => false,
    };
    if !valid {
        return Err(source.error(span, format!("email {text:?} is not an email address")));
    }
    Ok(text)
}

fn validate_website(
    source: &Source<'_>,
    website: Spanned<String>,
) -> Result<String, BusinessFileError> {
    let span = website.span();
    let text = source.non_empty(website, "website")?;
    let rest = text
        .strip_prefix("https://")
        .or_else(|| text.strip_prefix("http://"));
    match rest {
        Some(host) if !host.is_empty() && !text.chars().any(char::is_whitespace) => Ok(text),
        _ => Err(source.error(
            span,
            format!("website {text:?} must be a full http:// or https:// address"),
        )),
    }
}

fn validate_currency(
    source: &Source<'_>,
    currency: Spanned<String>,
) -> Result<String, BusinessFileError> {
    let code = currency.get_ref().trim().to_ascii_uppercase();
    if code.len() != 3 || !code.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(source.error(
            currency.span(),
            format!(
                "currency {:?} must be a three-letter ISO 4217 code such as \"USD\"",
                currency.get_ref()
            ),
        ));
    }
    Ok(code)
}

/// `[booking]` with defaults for what it leaves out, each value within sensible bounds.
fn validate_booking(
    source: &Source,
    raw: Option<Spanned<RawBooking>>,
) -> Result<BookingRules, BusinessFileError> {
    let defaults = BookingRules::default();
    let Some(raw) = raw else {
        return Ok(defaults);
    };
    let span = raw.span();
    let raw = raw.into_inner();
    let rules = BookingRules {
        buffer_minutes: raw.buffer_minutes.unwrap_or(defaults.buffer_minutes),
        min_notice_minutes: raw
            .min_notice_minutes
            .unwrap_or(defaults.min_notice_minutes),
        slot_minutes: raw.slot_minutes.unwrap_or(defaults.slot_minutes),
        default_duration_minutes: raw
            .default_duration_minutes
            .unwrap_or(defaults.default_duration_minutes),
        horizon_days: raw.horizon_days.unwrap_or(defaults.horizon_days),
    };
    let checks = [
        (
            rules.buffer_minutes <= 240,
            "booking.buffer_minutes: 0 to 240",
        ),
        (
            rules.min_notice_minutes <= 30 * 24 * 60,
            "booking.min_notice_minutes: 0 to 43200 (30 days)",
        ),
        (
            (5..=240).contains(&rules.slot_minutes),
            "booking.slot_minutes: 5 to 240",
        ),
        (
            (5..=720).contains(&rules.default_duration_minutes),
            "booking.default_duration_minutes: 5 to 720",
        ),
        (
            (1..=365).contains(&rules.horizon_days),
            "booking.horizon_days: 1 to 365",
        ),
    ];
    match checks.into_iter().find(|(ok, _)| !ok) {
        Some((_, message)) => Err(source.error(span, message)),
        None => Ok(rules),
    }
}

fn validate_closures(
    source: &Source<'_>,
    raw: Vec<RawClosure>,
) -> Result<Vec<Closure>, BusinessFileError> {
    let mut closures: Vec<Closure> = Vec::with_capacity(raw.len());
    for closure in raw {
        let span = closure.date.span();
        let text = match closure.date.into_inner() {
            RawDate::Text(text) => text,
            RawDate::Toml(datetime) => datetime.to_string(),
        };
        let date = match text.trim().parse::<Date>() {
            Ok(date) if text.trim().len() == 10 => date,
            _ => {
                return Err(source.error(
                    span,
                    format!("closure date {text:?} must be a date such as \"2026-12-25\""),
                ));
            }
        };
        if closures.iter().any(|c| c.date == date) {
            return Err(source.error(span, format!("closure date {date} is listed twice")));
        }
        closures.push(Closure {
            date,
            note: non_blank(closure.note),
        });
    }
    closures.sort_by_key(|c| c.date);
    Ok(closures)
}

fn validate_services(
    source: &Source<'_>,
    raw: Vec<Spanned<RawService>>,
) -> Result<Vec<Service>, BusinessFileError> {
    let mut services: Vec<Service> = Vec::with_capacity(raw.len());
    for spanned in raw {
        let span = spanned.span();
        let service = spanned.into_inner();
        let name = service.name.trim().to_owned();
        let fail = |message: String| Err(source.error(span.clone(), message));
        if name.is_empty() {
            return fail("a service needs a name".to_owned());
        }
        if services.iter().any(|s| s.name.eq_ignore_ascii_case(&name)) {
            return fail(format!("service {name:?} is listed twice"));
        }
        if service.duration_minutes == Some(0) {
            return fail(format!(
                "service {name:?}: duration_minutes must be positive"
            ));
        }
        let (price_min, price_max) = match (service.price_min, service.price_max) {
            (None, Some(_)) => {
                return fail(format!("service {name:?}: price_max needs a price_min"))
            }
            (Some(min), _) if !min.is_finite() || min < 0.0 => {
                return fail(format!("service {name:?}: price_min must be zero or more"));
            }
            (Some(min), Some(max)) if !max.is_finite() || max < min => {
                return fail(format!(
                    "service {name:?}: price_max must not be below price_min"
                ));
            }
            prices => prices,
        };
        services.push(Service {
            name,
            duration_minutes: service.duration_minutes,
            price_min,
            price_max,
            description: non_blank(service.description),
            aliases: service
                .aliases
                .into_iter()
                .map(|a| a.trim().to_owned())
                .filter(|a| !a.is_empty())
                .collect(),
        });
    }
    Ok(services)
}

/// Renders a price range in the business's currency, e.g. `$90–$150` or `from €40`.
pub fn format_price_range(currency: &str, min: f64, max: Option<f64>) -> String {
    let amount = |value: f64| {
        let number = if value.fract() == 0.0 {
            format!("{value:.0}")
        } else {
            format!("{value:.2}")
        };
        match currency {
            "USD" | "CAD" | "AUD" | "NZD" | "MXN" => format!("${number}"),
            "EUR" => format!("€{number}"),
            "GBP" => format!("£{number}"),
            "JPY" => format!("¥{number}"),
            other => format!("{number} {other}"),
        }
    };
    match max {
        Some(max) if max > min => format!("{}–{}", amount(min), amount(max)),
        Some(_) => format!("around {}", amount(min)),
        None => format!("from {}", amount(min)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const VALID: &str = r#"
slug = "sunrise-dental"
name = "Sunrise Dental"
timezone = "America/Chicago"
phone = "+1 512 555 0100"
email = "hello@sunrisedental.example"
website = "https://sunrisedental.example"
address = "123 Main St, Austin, TX 78701"
insurance = ["Delta Dental", "Aetna"]

[hours]
mon = "08:00-17:00"
wed = "08:00-12:00, 13:00-17:00"
sat = "closed"

[[closures]]
date = 2026-12-25
note = "Christmas Day"

[[services]]
name = "Teeth cleaning"
duration_minutes = 60
price_min = 90
price_max = 150

[[faqs]]
question = "Do you offer payment plans?"
answer = "Yes."
"#;

    fn error_of(text: &str) -> BusinessFileError {
        Business::from_toml(text).expect_err("file should be refused")
    }

    #[test]
    fn parses_the_documented_format() {
        let business = Business::from_toml(VALID).unwrap();
        assert_eq!(business.slug.as_str(), "sunrise-dental");
        assert_eq!(
            business.greeting,
            "Hi! I'm the Sunrise Dental assistant. How can I help?"
        );
        assert_eq!(business.hours.day(Weekday::Wednesday).ranges().len(), 2);
        assert!(
            business.hours.day(Weekday::Tuesday).is_closed(),
            "absent day is closed"
        );
        assert!(business.hours.day(Weekday::Saturday).is_closed());
        assert_eq!(business.closures[0].note.as_deref(), Some("Christmas Day"));
        assert_eq!(business.currency, "USD");
    }

    #[test]
    fn closure_dates_may_be_quoted_or_bare() {
        let quoted = VALID.replace("date = 2026-12-25", "date = \"2026-12-25\"");
        let business = Business::from_toml(&quoted).unwrap();
        assert_eq!(business.closures[0].date, jiff::civil::date(2026, 12, 25));
        let err = error_of(&VALID.replace("date = 2026-12-25", "date = \"25/12/2026\""));
        assert_eq!(err.line, Some(17));
        let err = error_of(&VALID.replace("date = 2026-12-25", "date = 2026-12-25T10:00:00"));
        assert_eq!(err.line, Some(17));
    }

    #[test]
    fn unknown_key_names_its_line() {
        let text = VALID.replace("address =", "adress =");
        let err = error_of(&text);
        assert_eq!(err.line, Some(8));
        assert!(err.message.contains("adress"), "{err}");
    }

    #[test]
    fn bad_time_names_its_line() {
        let err = error_of(&VALID.replace("08:00-17:00", "08:00-25:00"));
        assert_eq!(err.line, Some(12));
        assert!(err.to_string().contains("hours.mon"), "{err}");
    }

    #[test]
    fn overlapping_ranges_are_refused() {
        let err = error_of(&VALID.replace("08:00-12:00, 13:00-17:00", "08:00-12:00, 11:00-17:00"));
        assert_eq!(err.line, Some(13));
        assert!(err.message.contains("overlap"), "{err}");
    }

    #[test]
    fn missing_slug_is_refused() {
        let err = error_of(&VALID.replace("slug = \"sunrise-dental\"\n", ""));
        assert!(err.message.contains("slug"), "{err}");
    }

    #[test]
    fn bad_values_are_refused_with_lines() {
        for (from, to, line) in [
            ("\"America/Chicago\"", "\"Mars/Olympus\"", 4),
            ("\"sunrise-dental\"", "\"Sunrise Dental\"", 2),
            ("\"hello@sunrisedental.example\"", "\"hello\"", 6),
            ("\"https://sunrisedental.example\"", "\"sunrisedental\"", 7),
            ("price_max = 150", "price_max = 50", 20),
        ] {
            let err = error_of(&VALID.replace(from, to));
            assert_eq!(err.line, Some(line), "{from} -> {to}: {err}");
        }
    }

    #[test]
    fn formats_price_ranges() {
        assert_eq!(format_price_range("USD", 90.0, Some(150.0)), "$90–$150");
        assert_eq!(format_price_range("EUR", 40.5, None), "from €40.50");
        assert_eq!(
            format_price_range("SEK", 300.0, Some(300.0)),
            "around 300 SEK"
        );
    }
}
