//! `serve`'s synthetic voice for the phone line: ElevenLabs, off unless a voice is chosen.

use std::path::PathBuf;
use std::sync::Arc;

use clap::Args;
use frontdesk_core::llm::ApiKey;
use frontdesk_core::speech::Voice;
use frontdesk_server::SpeechSettings;
use frontdesk_speech::{ElevenLabs, ElevenLabsConfig, DEFAULT_MODEL, ELEVENLABS_API};

/// The API key comes only from the environment, never a flag, so it stays out of
/// process listings and shell history.
const API_KEY_ENV: &str = "FRONTDESK_ELEVENLABS_API_KEY";

#[derive(Debug, Args)]
pub struct SpeechArgs {
    /// ElevenLabs voice that reads phone replies (played to callers from a cached,
    /// signed URL); off when unset. The key goes in FRONTDESK_ELEVENLABS_API_KEY.
    #[arg(long, env = "FRONTDESK_ELEVENLABS_VOICE_ID")]
    elevenlabs_voice_id: Option<String>,
    /// ElevenLabs model.
    #[arg(long, env = "FRONTDESK_ELEVENLABS_MODEL_ID", default_value = DEFAULT_MODEL)]
    elevenlabs_model_id: String,
    /// ElevenLabs' API root (a proxy or a local fake otherwise).
    #[arg(long, env = "FRONTDESK_ELEVENLABS_BASE_URL", default_value = ELEVENLABS_API)]
    elevenlabs_base_url: String,
    /// Where synthesised replies are kept, one file per distinct text.
    #[arg(
        long,
        env = "FRONTDESK_SPEECH_CACHE_DIR",
        default_value = "speech-cache"
    )]
    speech_cache_dir: PathBuf,
}

/// The server's speech settings from the flags and the environment's key, or `None` when
/// no voice is chosen. A voice without a key is an error, not a silent skip.
pub fn settings(args: &SpeechArgs) -> Result<Option<SpeechSettings>, String> {
    let key = std::env::var(API_KEY_ENV).ok();
    settings_with_key(args, key)
}

fn settings_with_key(
    args: &SpeechArgs,
    key: Option<String>,
) -> Result<Option<SpeechSettings>, String> {
    let Some(voice_id) = args.elevenlabs_voice_id.as_deref().map(str::trim) else {
        return Ok(None);
    };
    let key = key
        .filter(|k| !k.trim().is_empty())
        .ok_or_else(|| format!("--elevenlabs-voice-id is set but {API_KEY_ENV} is not"))?;
    if voice_id.is_empty() || !voice_id.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(format!(
            "--elevenlabs-voice-id {voice_id:?} is not an ElevenLabs voice id (letters and digits)"
        ));
    }
    let mut config = ElevenLabsConfig::new(ApiKey::new(key.trim()));
    config.base_url = args.elevenlabs_base_url.clone();
    let voice = Voice {
        id: voice_id.to_owned(),
        model: args.elevenlabs_model_id.trim().to_owned(),
    };
    Ok(Some(SpeechSettings::new(
        Arc::new(ElevenLabs::new(config)),
        voice,
        args.speech_cache_dir.clone(),
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(voice: Option<&str>) -> SpeechArgs {
        SpeechArgs {
            elevenlabs_voice_id: voice.map(str::to_owned),
            elevenlabs_model_id: DEFAULT_MODEL.to_owned(),
            elevenlabs_base_url: ELEVENLABS_API.to_owned(),
            speech_cache_dir: "speech-cache".into(),
        }
    }

    #[test]
    fn speech_is_off_unless_a_voice_is_chosen() {
        assert!(settings_with_key(&args(None), Some("sk_1".into()))
            .unwrap()
            .is_none());
        let on = settings_with_key(&args(Some("JBFqnCBsd6RMkjVDRZzb")), Some("sk_1".into()))
            .unwrap()
            .unwrap();
        assert_eq!(on.voice.id, "JBFqnCBsd6RMkjVDRZzb");
        assert_eq!(on.voice.model, DEFAULT_MODEL);
        assert!(!format!("{on:?}").contains("sk_1"));
    }

    #[test]
    fn a_voice_needs_a_key_and_a_plausible_id() {
        let missing = settings_with_key(&args(Some("JBFq")), None).unwrap_err();
        assert!(missing.contains(API_KEY_ENV));
        assert!(settings_with_key(&args(Some("JBFq")), Some(" ".into())).is_err());
        assert!(settings_with_key(&args(Some("../x")), Some("sk_1".into())).is_err());
    }
}
