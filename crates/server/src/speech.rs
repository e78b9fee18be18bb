//! Replies read by a synthetic voice on the phone line: the text is synthesised once,
//! cached on disk under the hash of what decides the audio (voice, model, text), and
//! handed to the telephony provider as a `<Play>` URL that is signed and expires, so
//! the cache can't be browsed or its recordings fetched by anyone holding an old link.
//!
//! Every failure (vendor down, out of quota, disk full) only means the built-in voice
//! reads the reply instead: [`SpokenAudio::play_url`] answers `None` and the call goes on.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Path as UrlPath, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use frontdesk_core::clock::Clock;
use frontdesk_core::speech::{SpeechSynthesizer, Voice};
use hmac::{Hmac, Mac};
use rand_core::{OsRng, RngCore};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

use crate::error::ApiError;
use crate::AppState;

/// Longest reply worth synthesising: phone replies are a few sentences, and anything
/// longer costs more than it helps; the built-in voice reads it instead.
const MAX_SPOKEN_CHARS: usize = 2_500;

/// How the server speaks with a synthetic voice, from the binary.
#[derive(Debug, Clone)]
pub struct SpeechSettings {
    pub synthesizer: Arc<dyn SpeechSynthesizer>,
    pub voice: Voice,
    /// Where recordings are kept, one `{hash}.mp3` each; created on first use.
    pub cache_dir: PathBuf,
    /// How long a `<Play>` URL works: long enough for the provider to fetch it during
    /// the call, short enough that a leaked link soon stops working.
    pub url_lifetime: Duration,
    /// How long a caller's turn waits for a recording not yet cached. A slower synthesis
    /// goes on in the background (the next time the reply is cached) while the built-in
    /// voice reads it this time: the caller hears no dead air.
    pub deadline: Duration,
    /// How long a recording is kept. Replies can hold a caller's order details, so they
    /// are deleted well inside the 12 months the voice privacy policy allows.
    pub max_age: Duration,
}

impl SpeechSettings {
    /// URLs valid for ten minutes, a two-second deadline, recordings kept 30 days.
    pub fn new(synthesizer: Arc<dyn SpeechSynthesizer>, voice: Voice, cache_dir: PathBuf) -> Self {
        Self {
            synthesizer,
            voice,
            cache_dir,
            url_lifetime: Duration::from_secs(600),
            deadline: Duration::from_secs(2),
            max_age: Duration::from_secs(30 * 24 * 3600),
        }
    }
}

/// The cache of synthesised replies and the signer of their URLs.
#[derive(Debug)]
pub struct SpokenAudio {
    settings: SpeechSettings,
    signer: UrlSigner,
    /// The server's public address, which the provider fetches from.
    public_url: String,
    clock: Arc<dyn Clock>,
    /// One lock per recording being made, so concurrent requests for the same text
    /// synthesise it once and the others wait for the file.
    in_flight: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

impl SpokenAudio {
    /// A cache signing with a fresh random key. URLs live minutes and are fetched during
    /// the call that asked for them, so a key that dies with the process loses nothing.
    pub fn new(settings: SpeechSettings, public_url: String, clock: Arc<dyn Clock>) -> Self {
        let mut key = [0u8; 32];
        OsRng.fill_bytes(&mut key);
        Self {
            settings,
            signer: UrlSigner(key),
            public_url: public_url.trim_end_matches('/').to_owned(),
            clock,
            in_flight: Mutex::new(HashMap::new()),
        }
    }

    /// A signed URL of `text` read by the configured voice, synthesising it unless it is
    /// cached; `None` (read it with the built-in voice) on any failure, which is logged,
    /// and when the recording is not ready within the deadline.
    pub async fn play_url(self: &Arc<Self>, text: &str) -> Option<String> {
        let text = text.trim();
        if text.is_empty() || text.chars().count() > MAX_SPOKEN_CHARS {
            return None;
        }
        let hash = content_hash(&self.settings.voice, text);
        let making = {
            let (this, hash, text) = (self.clone(), hash.clone(), text.to_owned());
            tokio::spawn(async move { this.ensure_cached(&hash, &text).await })
        };
        match tokio::time::timeout(self.settings.deadline, making).await {
            Ok(Ok(Ok(()))) => Some(self.signed_url(&hash)),
            Ok(Ok(Err(error))) => {
                tracing::warn!(%error, "no synthetic speech; the built-in voice reads the reply");
                None
            }
            Ok(Err(error)) => {
                tracing::error!(%error, "speech synthesis task failed");
                None
            }
            Err(_) => {
                tracing::info!("synthetic speech not ready in time; cached for the next time");
                None
            }
        }
    }

    /// Deletes recordings older than the configured age (and pieces of writes that never
    /// finished); returns how many files went. A cache directory not made yet is empty.
    pub async fn purge_expired(&self) -> std::io::Result<usize> {
        let mut entries = match tokio::fs::read_dir(&self.settings.cache_dir).await {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
            Err(e) => return Err(e),
        };
        let now = std::time::SystemTime::now();
        let mut removed = 0;
        while let Some(entry) = entries.next_entry().await? {
            let meta = entry.metadata().await?;
            let age = meta
                .modified()
                .ok()
                .and_then(|at| now.duration_since(at).ok())
                .unwrap_or_default();
            if meta.is_file() && age >= self.settings.max_age {
                tokio::fs::remove_file(entry.path()).await?;
                removed += 1;
            }
        }
        Ok(removed)
    }

    /// Purges expired recordings every `interval`, for as long as the server runs.
    pub(crate) async fn purge_every(self: Arc<Self>, interval: Duration) {
        let mut ticks = tokio::time::interval(interval);
        loop {
            ticks.tick().await;
            match self.purge_expired().await {
                Ok(0) => {}
                Ok(removed) => tracing::info!(removed, "expired synthesised replies deleted"),
                Err(error) => tracing::warn!(%error, "could not purge the speech cache"),
            }
        }
    }

    fn path(&self, hash: &str) -> PathBuf {
        self.settings.cache_dir.join(format!("{hash}.mp3"))
    }

    fn signed_url(&self, hash: &str) -> String {
        let expires = self
            .clock
            .now()
            .as_second()
            .saturating_add(self.settings.url_lifetime.as_secs() as i64);
        format!(
            "{}/voice/audio/{hash}.mp3?exp={expires}&sig={}",
            self.public_url,
            self.signer.sign(hash, expires)
        )
    }

    async fn ensure_cached(&self, hash: &str, text: &str) -> Result<(), String> {
        let path = self.path(hash);
        if is_file(&path).await {
            return Ok(());
        }
        let lock = self
            .in_flight
            .lock()
            .expect("in-flight lock")
            .entry(hash.to_owned())
            .or_default()
            .clone();
        let made = {
            let _turn = lock.lock().await;
            // Whoever held the lock before us may have made it.
            if is_file(&path).await {
                Ok(())
            } else {
                self.synthesize_into(&path, text).await
            }
        };
        let mut in_flight = self.in_flight.lock().expect("in-flight lock");
        // Ours and the map's: nobody else is waiting on this recording.
        if Arc::strong_count(&lock) == 2 {
            in_flight.remove(hash);
        }
        made
    }

    /// Synthesises `text` and writes it whole to `path`: a temporary file, flushed to disk,
    /// renamed into place, so a reader never sees half a recording.
    async fn synthesize_into(&self, path: &Path, text: &str) -> Result<(), String> {
        let audio = self
            .settings
            .synthesizer
            .synthesize(text, &self.settings.voice)
            .await
            .map_err(|e| e.to_string())?;
        let dir = &self.settings.cache_dir;
        tokio::fs::create_dir_all(dir)
            .await
            .map_err(|e| format!("could not create {}: {e}", dir.display()))?;
        let partial = path.with_extension(format!("{}.part", uuid::Uuid::new_v4().simple()));
        let written = async {
            let mut file = tokio::fs::File::create(&partial).await?;
            file.write_all(audio.as_bytes()).await?;
            file.sync_all().await?;
            tokio::fs::rename(&partial, path).await
        }
        .await;
        if let Err(e) = written {
            let _ = tokio::fs::remove_file(&partial).await;
            return Err(format!("could not store {}: {e}", path.display()));
        }
        Ok(())
    }
}

async fn is_file(path: &Path) -> bool {
    tokio::fs::metadata(path)
        .await
        .is_ok_and(|meta| meta.is_file())
}

/// The name of a recording: SHA-256 over the voice, the model and the text, each
/// length-prefixed so no two different triples can run together into the same bytes.
fn content_hash(voice: &Voice, text: &str) -> String {
    let mut hash = Sha256::new();
    for part in [voice.id.as_str(), voice.model.as_str(), text] {
        hash.update((part.len() as u64).to_be_bytes());
        hash.update(part.as_bytes());
    }
    hex::encode(hash.finalize())
}

/// HMAC-SHA256 over a recording's hash and its expiry. `Debug` never shows the key.
struct UrlSigner([u8; 32]);

impl std::fmt::Debug for UrlSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("UrlSigner([redacted])")
    }
}

impl UrlSigner {
    fn mac(&self, hash: &str, expires: i64) -> Hmac<Sha256> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC takes any key length");
        mac.update(format!("{hash}:{expires}").as_bytes());
        mac
    }

    fn sign(&self, hash: &str, expires: i64) -> String {
        hex::encode(self.mac(hash, expires).finalize().into_bytes())
    }

    /// Constant-time: timing says nothing of the expected signature.
    fn verify(&self, hash: &str, expires: i64, signature: &str) -> bool {
        hex::decode(signature)
            .is_ok_and(|claimed| self.mac(hash, expires).verify_slice(&claimed).is_ok())
    }
}

pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/voice/audio/{file}", get(audio))
}

#[derive(Debug, Deserialize)]
struct Signature {
    exp: Option<String>,
    sig: Option<String>,
}

/// `GET /voice/audio/{hash}.mp3?exp=…&sig=…`: a cached recording, for whoever holds an
/// unexpired signed URL; 403 for anyone else, whatever they ask for.
async fn audio(
    State(state): State<AppState>,
    UrlPath(file): UrlPath<String>,
    Query(signature): Query<Signature>,
) -> Result<Response, ApiError> {
    let Some(speech) = state.speech.as_ref() else {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "speech_not_configured",
            "synthetic speech is not set up on this server",
        ));
    };
    let hash = file.strip_suffix(".mp3").unwrap_or(&file);
    let now = speech.clock.now().as_second();
    let valid = match (signature.exp.as_deref(), signature.sig.as_deref()) {
        (Some(exp), Some(sig)) => exp
            .parse::<i64>()
            .is_ok_and(|exp| exp >= now && speech.signer.verify(hash, exp, sig)),
        _ => false,
    };
    if !valid {
        tracing::warn!("audio request with a missing, wrong or expired signature");
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "invalid_signature",
            "this audio link is invalid or has expired",
        ));
    }
    // A signed name is one we made, so it is a hash; the check keeps any other name
    // from ever reaching the file system.
    let is_hash = hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit());
    let bytes = if is_hash {
        tokio::fs::read(speech.path(hash)).await.ok()
    } else {
        None
    };
    let Some(bytes) = bytes else {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "audio_not_found",
            "this recording is no longer cached",
        ));
    };
    Ok((
        [
            (header::CONTENT_TYPE, "audio/mpeg"),
            (header::CACHE_CONTROL, "private"),
        ],
        bytes,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn voice(id: &str, model: &str) -> Voice {
        Voice {
            id: id.into(),
            model: model.into(),
        }
    }

    #[test]
    fn the_hash_depends_on_voice_model_and_text_and_nothing_runs_together() {
        let base = content_hash(&voice("v", "m"), "Hello");
        assert_eq!(base.len(), 64);
        assert_eq!(base, content_hash(&voice("v", "m"), "Hello"));
        assert_ne!(base, content_hash(&voice("w", "m"), "Hello"));
        assert_ne!(base, content_hash(&voice("v", "n"), "Hello"));
        assert_ne!(base, content_hash(&voice("v", "m"), "Hello!"));
        assert_ne!(
            content_hash(&voice("ab", "c"), "x"),
            content_hash(&voice("a", "bc"), "x")
        );
    }

    #[test]
    fn signatures_bind_the_hash_and_the_expiry() {
        let signer = UrlSigner([7; 32]);
        let sig = signer.sign("abc", 100);
        assert!(signer.verify("abc", 100, &sig));
        assert!(!signer.verify("abd", 100, &sig));
        assert!(!signer.verify("abc", 101, &sig));
        assert!(!signer.verify("abc", 100, "not hex"));
        assert!(!UrlSigner([8; 32]).verify("abc", 100, &sig));
        assert_eq!(format!("{signer:?}"), "UrlSigner([redacted])");
    }
}
