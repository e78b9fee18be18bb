//! ElevenLabs' text-to-speech endpoint.

use std::time::Duration;

use frontdesk_core::llm::ApiKey;
use frontdesk_core::speech::{Mp3Audio, SpeechError, SpeechFuture, SpeechSynthesizer, Voice};
use frontdesk_core::vendor::{error_chain, scrub};
use reqwest::header::{ACCEPT, CONTENT_TYPE, RETRY_AFTER};
use reqwest::StatusCode;
use serde::Serialize;
use serde_json::Value;

/// ElevenLabs' public API.
pub const ELEVENLABS_API: &str = "https://api.elevenlabs.io";

/// MP3 at 44.1 kHz and 128 kbit/s: accepted on every plan and by Twilio's `<Play>`.
pub const DEFAULT_OUTPUT_FORMAT: &str = "mp3_44100_128";

/// ElevenLabs' low-latency multilingual model: a caller is waiting for the first word.
pub const DEFAULT_MODEL: &str = "eleven_flash_v2_5";

/// How a voice should sound, when not the voice's own defaults.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct VoiceSettings {
    /// 0–1: higher is steadier, lower more expressive.
    pub stability: f64,
    /// 0–1: how closely to keep to the original voice.
    pub similarity_boost: f64,
}

/// Where ElevenLabs is and how to ask it. `Debug` is derived safely: the key is an
/// [`ApiKey`], which never prints.
#[derive(Debug, Clone)]
pub struct ElevenLabsConfig {
    /// [`ELEVENLABS_API`] by default; a proxy or a test server otherwise.
    pub base_url: String,
    /// Sent as `xi-api-key`.
    pub api_key: ApiKey,
    /// The `output_format` query parameter; must be an MP3 format.
    pub output_format: String,
    /// Sent as `voice_settings` when set.
    pub voice_settings: Option<VoiceSettings>,
    /// The whole exchange, connect included.
    pub timeout: Duration,
}

impl ElevenLabsConfig {
    /// The public API, MP3 output, the voice's own settings, a 10-second limit.
    pub fn new(api_key: ApiKey) -> Self {
        Self {
            base_url: ELEVENLABS_API.to_owned(),
            api_key,
            output_format: DEFAULT_OUTPUT_FORMAT.to_owned(),
            voice_settings: None,
            timeout: Duration::from_secs(10),
        }
    }
}

/// A [`SpeechSynthesizer`] backed by ElevenLabs.
#[derive(Debug)]
pub struct ElevenLabs {
    config: ElevenLabsConfig,
    http: reqwest::Client,
}

#[derive(Serialize)]
struct SpeechRequest<'a> {
    text: &'a str,
    model_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    voice_settings: Option<VoiceSettings>,
}

impl ElevenLabs {
    /// A client for `config`; nothing is contacted until the first synthesis.
    pub fn new(mut config: ElevenLabsConfig) -> Self {
        config.base_url = config.base_url.trim().trim_end_matches('/').to_owned();
        let http = reqwest::Client::builder()
            .connect_timeout(config.timeout.min(Duration::from_secs(5)))
            .timeout(config.timeout)
            .build()
            // Building only fails if the TLS backend can't initialise, which rustls with
            // bundled roots cannot: a panic here is a build defect, not a runtime state.
            .expect("the rustls HTTP client builds");
        Self { config, http }
    }

    async fn speak(&self, text: &str, voice: &Voice) -> Result<Mp3Audio, SpeechError> {
        // The id goes into the path; anything but letters and digits could reach another
        // endpoint, so it is refused here rather than escaped.
        if voice.id.is_empty() || !voice.id.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(SpeechError::Rejected(format!(
                "{:?} is not an ElevenLabs voice id",
                voice.id
            )));
        }
        let key = self.config.api_key.expose();
        let url = format!("{}/v1/text-to-speech/{}", self.config.base_url, voice.id);
        let response = self
            .http
            .post(url)
            .query(&[("output_format", self.config.output_format.as_str())])
            .header("xi-api-key", key)
            .header(ACCEPT, "audio/mpeg")
            .json(&SpeechRequest {
                text,
                model_id: &voice.model,
                voice_settings: self.config.voice_settings,
            })
            .send()
            .await
            .map_err(|e| transport_error(&e, key))?;
        let status = response.status();
        let headers = response.headers().clone();
        let body = response
            .bytes()
            .await
            .map_err(|e| transport_error(&e, key))?;
        if !status.is_success() {
            return Err(status_error(status, &headers, &body, key));
        }
        let is_audio = headers
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim().to_ascii_lowercase().starts_with("audio/"));
        if !is_audio {
            return Err(SpeechError::Unavailable(format!(
                "{status} without audio: {}",
                scrub(&String::from_utf8_lossy(&body), key)
            )));
        }
        Mp3Audio::new(body.to_vec())
            .ok_or_else(|| SpeechError::Unavailable(format!("{status} with no audio")))
    }
}

impl SpeechSynthesizer for ElevenLabs {
    fn synthesize<'a>(&'a self, text: &'a str, voice: &'a Voice) -> SpeechFuture<'a> {
        Box::pin(self.speak(text, voice))
    }
}

/// An error answer in the port's kinds, with ElevenLabs' own reason (its `detail`).
fn status_error(
    status: StatusCode,
    headers: &reqwest::header::HeaderMap,
    body: &[u8],
    key: &str,
) -> SpeechError {
    let reason = format!("{status}: {}", scrub(&detail(body), key));
    match status {
        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => SpeechError::Unauthorized(reason),
        StatusCode::TOO_MANY_REQUESTS => SpeechError::RateLimited {
            retry_after: headers
                .get(RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map(|s| Duration::from_secs(s.min(3600))),
        },
        s if s.is_server_error() => SpeechError::Unavailable(reason),
        _ => SpeechError::Rejected(reason),
    }
}

/// ElevenLabs' `detail`, in any of its shapes: `{"status", "message"}` for its own
/// errors, a list of `{"loc", "msg"}` for a 422 validation error, or a plain string.
/// A body that is not JSON is kept as text.
fn detail(body: &[u8]) -> String {
    let Ok(answer) = serde_json::from_slice::<Value>(body) else {
        return String::from_utf8_lossy(body).into_owned();
    };
    let field = |v: &Value, name: &str| v.get(name).and_then(Value::as_str).map(str::to_owned);
    match answer.get("detail") {
        Some(Value::String(message)) => message.clone(),
        Some(Value::Array(problems)) => problems
            .iter()
            .map(|p| {
                let place = p
                    .get("loc")
                    .and_then(Value::as_array)
                    .map(|loc| {
                        loc.iter()
                            .map(|part| {
                                part.as_str()
                                    .map_or_else(|| part.to_string(), str::to_owned)
                            })
                            .collect::<Vec<_>>()
                            .join(".")
                    })
                    .unwrap_or_default();
                let message = field(p, "msg").unwrap_or_else(|| p.to_string());
                if place.is_empty() {
                    message
                } else {
                    format!("{place}: {message}")
                }
            })
            .collect::<Vec<_>>()
            .join("; "),
        Some(object @ Value::Object(_)) => {
            match (field(object, "status"), field(object, "message")) {
                (Some(status), Some(message)) => format!("{status}: {message}"),
                (None, Some(message)) => message,
                _ => object.to_string(),
            }
        }
        _ => answer.to_string(),
    }
}

/// A request that got no HTTP answer.
fn transport_error(error: &reqwest::Error, key: &str) -> SpeechError {
    if error.is_timeout() {
        return SpeechError::Unavailable("ElevenLabs did not answer in time".to_owned());
    }
    SpeechError::Unavailable(scrub(&error_chain(error), key))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shape_of_detail_reads() {
        assert_eq!(
            detail(br#"{"detail":{"status":"invalid_api_key","message":"Invalid API key"}}"#),
            "invalid_api_key: Invalid API key"
        );
        assert_eq!(
            detail(br#"{"detail":[{"loc":["body","text"],"msg":"field required","type":"value_error.missing"},{"loc":["body",0],"msg":"bad"}]}"#),
            "body.text: field required; body.0: bad"
        );
        assert_eq!(detail(br#"{"detail":"Not Found"}"#), "Not Found");
        assert_eq!(detail(b"Bad gateway"), "Bad gateway");
    }
}
