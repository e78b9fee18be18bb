//! A business's own choice of language model, kept apart from the global one so each
//! business can bring its own vendor account. The API key is a secret: it is stored
//! encrypted, and this type never prints it.

use std::fmt;

/// The wire protocols frontdesk speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModelVendor {
    /// Anthropic's Messages API.
    Anthropic,
    /// Any OpenAI-compatible chat completions server.
    OpenAi,
}

impl ModelVendor {
    /// The stable id stored and typed on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            ModelVendor::Anthropic => "anthropic",
            ModelVendor::OpenAi => "openai",
        }
    }

    /// Parses a stored or typed id.
    pub fn parse(id: &str) -> Option<Self> {
        match id {
            "anthropic" => Some(ModelVendor::Anthropic),
            "openai" => Some(ModelVendor::OpenAi),
            _ => None,
        }
    }
}

/// An API key. `Debug` and `Display` never show it; only [`ApiKey::expose`] does, at
/// the one place a request header is built.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    /// Wraps a key.
    pub fn new(key: impl Into<String>) -> Self {
        Self(key.into())
    }

    /// The key itself, for the vendor's request header only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl From<&str> for ApiKey {
    fn from(key: &str) -> Self {
        Self::new(key)
    }
}

impl From<String> for ApiKey {
    fn from(key: String) -> Self {
        Self(key)
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey([redacted])")
    }
}

/// Which model writes a business's replies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelSettings {
    pub vendor: ModelVendor,
    pub model: String,
    /// The vendor's public API when absent.
    pub base_url: Option<String>,
    /// Absent for local servers that need none.
    pub api_key: Option<ApiKey>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_never_print() {
        let settings = ModelSettings {
            vendor: ModelVendor::Anthropic,
            model: "claude".into(),
            base_url: None,
            api_key: Some(ApiKey::new("sk-ant-secret-123")),
        };
        assert!(!format!("{settings:?}").contains("secret"));
        assert_eq!(settings.api_key.unwrap().expose(), "sk-ant-secret-123");
        for vendor in [ModelVendor::Anthropic, ModelVendor::OpenAi] {
            assert_eq!(ModelVendor::parse(vendor.as_str()), Some(vendor));
        }
        assert_eq!(ModelVendor::parse("gemini"), None);
    }
}
