//! Tokens, digests and password hashes: the few primitives that services and the request
//! context share. Only hashes of tokens are ever stored.
use sha2::{Digest, Sha256};

/// `bytes` random bytes as hex (tokens for links, CSRF, API access).
pub fn random_token(bytes: usize) -> String {
    let buf: Vec<u8> = (0..bytes).map(|_| rand::random::<u8>()).collect();
    hex::encode(buf)
}

pub fn sha256_hex(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

pub fn hash_password(password: &str) -> anyhow::Result<String> {
    use argon2::password_hash::PasswordHasher;
    argon2::Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("hashing failed: {e}"))
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    use argon2::password_hash::{PasswordVerifier, phc::PasswordHash};
    PasswordHash::new(hash).is_ok_and(|h| {
        argon2::Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// A hash of nothing anybody knows, checked when the login does not exist so that the answer
/// takes as long as for a real account.
pub fn dummy_hash() -> &'static str {
    static H: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    H.get_or_init(|| hash_password(&random_token(16)).unwrap_or_default())
}

/// Ties a session to the password it was opened with: changing the password ends other sessions.
pub fn auth_hash(user: &store::users::User) -> String {
    sha256_hex(&format!("{}:{}", user.id, user.password_hash))[..32].to_string()
}
