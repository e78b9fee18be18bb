//! Credential primitives for owner accounts: password rules and hashing, TOTP second
//! factors, one-time recovery codes, and the team roles' permission matrix.
//!
//! Pure functions over strings and numbers; the only outside input is the operating
//! system's random number generator (salts, TOTP secrets, recovery codes). Storage keeps
//! only what these functions return for storing (PHC strings, hashes, a base32 secret), and
//! the dashboard decides when to call them; neither concern lives here.

pub mod password;
pub mod recovery;
pub mod roles;
pub mod token;
pub mod totp;

pub use password::{hash_password, verify_password, Password, PasswordError, PasswordPolicy};
pub use recovery::{RecoveryCodes, RECOVERY_CODE_COUNT};
pub use roles::{Permission, Role, UnknownRole};
pub use token::{constant_time_eq, token_hash, IssuedToken};
pub use totp::{TotpError, TotpSecret, TOTP_STEP_SECONDS};
