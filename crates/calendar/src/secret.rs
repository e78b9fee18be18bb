//! Credentials as types that cannot be printed by accident.

use std::fmt;

macro_rules! secret {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        ///
        /// `Debug` never shows the value; only `expose` does, where a request is built (or
        /// where the server encrypts it for storage).
        #[derive(Clone, PartialEq, Eq)]
        pub struct $name(String);

        impl $name {
            /// Wraps the value.
            pub fn new(value: impl Into<String>) -> Self {
                Self(value.into())
            }

            /// The value itself.
            pub fn expose(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(concat!(stringify!($name), "([redacted])"))
            }
        }
    };
}

secret!(
    /// The OAuth client's secret, from Google Cloud Console.
    ClientSecret
);
secret!(
    /// A short-lived (about an hour) bearer token for the Calendar API.
    AccessToken
);
secret!(
    /// The long-lived token a connection is made of: it mints access tokens until the
    /// owner disconnects or revokes access.
    RefreshToken
);
