//! Spoken replies for the phone line: ElevenLabs' text-to-speech API
//! (`POST /v1/text-to-speech/{voice_id}`) behind `frontdesk_core::speech::SpeechSynthesizer`.
//!
//! Caching the audio and serving it to the telephony provider belong to the server; this
//! crate only speaks to ElevenLabs. The API key travels in the `xi-api-key` header only:
//! it prints as `[redacted]` and is cut out of any vendor text kept in an error.
#![forbid(unsafe_code)]

mod elevenlabs;

pub use elevenlabs::{
    ElevenLabs, ElevenLabsConfig, VoiceSettings, DEFAULT_MODEL, DEFAULT_OUTPUT_FORMAT,
    ELEVENLABS_API,
};
