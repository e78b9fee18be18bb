//! Spoken replies, as a port: the phone channel can have a reply read by a synthetic voice
//! (ElevenLabs today) instead of the telephony provider's built-in one. The voice flow
//! treats every failure as "use the built-in voice", so the errors say what went wrong for
//! the logs, never for the caller.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

/// Which voice reads the text, and with which of the vendor's models: together with the
/// text they decide the audio, so they are what a cached recording is keyed by.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Voice {
    /// The vendor's voice id.
    pub id: String,
    /// The vendor's model id.
    pub model: String,
}

/// Synthesised speech as MP3: the one format every telephony `<Play>` accepts.
#[derive(Clone, PartialEq, Eq)]
pub struct Mp3Audio(Vec<u8>);

impl Mp3Audio {
    /// Wraps the vendor's bytes; `None` when there are none (an empty file would play as
    /// silence instead of falling back to the built-in voice).
    pub fn new(bytes: Vec<u8>) -> Option<Self> {
        (!bytes.is_empty()).then_some(Self(bytes))
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    pub fn into_bytes(self) -> Vec<u8> {
        self.0
    }
}

impl fmt::Debug for Mp3Audio {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Mp3Audio({} bytes)", self.0.len())
    }
}

/// Why no audio came back. No variant ever holds a credential.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SpeechError {
    /// The API key is wrong, revoked, or out of quota for it.
    #[error("the speech service refused our credentials: {0}")]
    Unauthorized(String),
    /// The request was refused as invalid (unknown voice or model, text too long…), with
    /// the vendor's reason.
    #[error("the speech service rejected the request: {0}")]
    Rejected(String),
    /// Too many requests at once or too fast; `retry_after` is the vendor's hint.
    #[error("rate limited by the speech service")]
    RateLimited { retry_after: Option<Duration> },
    /// Network failure, timeout, a 5xx, or an answer that is not audio.
    #[error("the speech service is unavailable: {0}")]
    Unavailable(String),
}

/// The boxed future of a synthesis, so the synthesiser can be chosen at run time.
pub type SpeechFuture<'a> =
    Pin<Box<dyn Future<Output = Result<Mp3Audio, SpeechError>> + Send + 'a>>;

/// Turns text into speech.
pub trait SpeechSynthesizer: Send + Sync + fmt::Debug {
    /// `text` read by `voice`, as MP3.
    fn synthesize<'a>(&'a self, text: &'a str, voice: &'a Voice) -> SpeechFuture<'a>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_audio_is_no_audio_and_bytes_never_print() {
        assert_eq!(Mp3Audio::new(Vec::new()), None);
        let audio = Mp3Audio::new(b"ID3secret".to_vec()).unwrap();
        assert_eq!(format!("{audio:?}"), "Mp3Audio(9 bytes)");
        assert_eq!(audio.into_bytes(), b"ID3secret");
    }
}
